#!/bin/bash
# audit-sinks.sh GATEWAY_JAR [ROUNDS]: Encrypt throughput with each audit sink beside file-only, in the same run, ROUNDS
# times in turn (default 2): file; file,stdout (stdout read by a consumer, as a log shipper would); file,syslog over UDP and
# over TCP to a listener on loopback that reads and discards. Each: a fresh `serve`, a 4 s warm-up run, a 10 s measured run
# (64 connections). Prints req/s, server CPU µs per request and p99.
# Run from the repository root after `mvn -B -ntp -q -DskipTests package`.
set -euo pipefail
jar=$(readlink -f "$1"); rounds=${2:-2}
bench=$(readlink -f benchmarks/target/kmsgw-bench.jar)
w=$(mktemp -d /tmp/kmsgw-sinks.XXXXXX)
python3 - "$w" <<'PY' &
import socket, sys, threading
w = sys.argv[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen(16)
open(w + "/ports", "w").write("%d %d\n" % (u.getsockname()[1], t.getsockname()[1]))
def udp():
    while True: u.recv(65536)
def conn(c):
    while c.recv(1 << 16): pass
def tcp():
    while True:
        c, _ = t.accept(); threading.Thread(target=conn, args=(c,), daemon=True).start()
threading.Thread(target=udp, daemon=True).start(); tcp()
PY
listener=$!
trap 'kill $listener 2>/dev/null; rm -rf "$w"' EXIT
for _ in $(seq 50); do [ -s "$w/ports" ] && break; sleep 0.1; done
read -r uport tport < "$w/ports"
run() {
  local name=$1; shift
  local d; d=$(mktemp -d "$w/run.XXXXXX")
  (cd "$d" && exec java -jar "$jar" serve --data-dir "$d/data" --port 0 --admin-port 0 "$@" 2> "$d/serve.log" \
      | awk -v f="$d/ready" '/^kmsgw ready/ {print > f; fflush(f)}') &
  local served=$!
  for _ in $(seq 1200); do [ -s "$d/ready" ] && break; sleep 0.1; done
  local pid; pid=$(pgrep -f -- "--data-dir $d/data" | head -1)
  java -jar "$bench" load --instance "$d/data/instance.json" --api Encrypt --connections 64 --duration 4s --warmup 2s > /dev/null 2>&1
  java -jar "$bench" load --instance "$d/data/instance.json" --api Encrypt --connections 64 --duration 10s --warmup 2s \
       --server-pid "$pid" --pool 2048 --json "$d/r.json" > /dev/null 2>&1
  python3 -c "
import json; r = json.load(open('$d/r.json'))
print('%-22s' % '$name', round(r['throughput']), 'req/s', round(r['serverCpuMicrosPerRequest'], 1), 'us/req p99',
      round(r['p99Micros'] / 1000, 1), 'ms errors', r['errors'])"
  kill -TERM "$pid"; wait "$served" || true
  rm -rf "$d"
}
for _ in $(seq "$rounds"); do
  run file --audit-sinks file
  run file,stdout --audit-sinks file,stdout
  run file,syslog-udp --audit-sinks file,syslog --audit-syslog-address "udp://127.0.0.1:$uport"
  run file,syslog-tcp --audit-sinks file,syslog --audit-syslog-address "tcp://127.0.0.1:$tport"
done
