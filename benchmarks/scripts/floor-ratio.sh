#!/bin/bash
# floor-ratio.sh GATEWAY_JAR [N]: the gateway and the floor server side by side on one instance; one
# warm-up run each, then N alternating 32-byte Encrypt runs against each (same harness settings as
# load-runs.sh). kmsgw's throughput over the floor's in the same round is the "fraction of the floor" figure.
# APIS="Encrypt OpenApiEncrypt" runs each of those against kmsgw in every round (OpenApiEncrypt: the KMS OpenAPI's
# Encrypt, HMAC-signed, beside the instance protocol's RSA-signed one); the floor always serves Encrypt.
# BASE=JAR adds a second gateway from another build (e.g. one from `git worktree add`), on an instance of its own, to
# every round: "base" beside "kmsgw" and the floor, same run. RATE=R adds an open-loop run at R req/s against each
# server to every round (20 s after 8 s, two client event loops, as tail-attribution.sh runs them): p99 and p99.9 of
# builds and the floor at the same rate, interleaved so that the host's swings fall on all of them alike.
# Prints one line per run, then the medians and each gateway's fraction of the floor round by round.
set -euo pipefail
jar=$1; n=${2:-3}; apis=${APIS:-Encrypt}; base=${BASE:-}; rate=${RATE:-}
bench=benchmarks/target/kmsgw-bench.jar
d=$(mktemp -d /tmp/kmsgw-floor.XXXXXX)
pids=()
trap 'kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$d"' EXIT
serve() { # name jar: run from the jar's own checkout, whose config/gateway.yaml is the one that build knows
  local j; j=$(realpath "$2")
  (cd "$(dirname "$j")/../.." && exec java -jar "$j" serve --data-dir "$d/$1" --port 0 --admin-port 0) > "$d/$1.log" 2>&1 &
  pids+=($!); eval "pid_$1=$!"
  for _ in $(seq 1200); do grep -qs "kmsgw ready" "$d/$1.log" && break; sleep 0.1; done
  grep -qs "kmsgw ready" "$d/$1.log" || { echo "$1 did not start:"; tail -3 "$d/$1.log"; exit 1; } >&2
}
serve kmsgw "$jar"
[ -n "$base" ] && serve base "$base"
java -jar $bench floor --instance "$d/kmsgw/instance.json" > "$d/floor.log" 2>&1 &
fp=$!; pids+=($fp)
for _ in $(seq 600); do grep -q "floor ready" "$d/floor.log" && break; sleep 0.1; done
ep=$(grep -o '127.0.0.1:[0-9]*' "$d/floor.log" | head -1)
run() { # label pid instance [endpoint] [api] [rate]
  if [ -n "${6:-}" ]; then
    java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -jar $bench load --instance "$3" --api "${5:-Encrypt}" --connections 64 \
         --duration 20s --warmup 8s --rate "$6" --io-threads 2 --server-pid "$2" --pool 2048 ${4:+--endpoint $4} \
         --json "$d/r.json" > /dev/null 2>&1
  else
    java -jar $bench load --instance "$3" --api "${5:-Encrypt}" --connections 64 --duration 10s --warmup 4s \
         --server-pid "$2" --pool 2048 ${4:+--endpoint $4} --json "$d/r.json" > /dev/null 2>&1
  fi
  python3 -c "
import json; r = json.load(open('$d/r.json'))
print('$1', round(r['throughput']), 'req/s', round(r['serverCpuMicrosPerRequest'], 1), 'us/req p99', round(r['p99Micros'] / 1000, 1),
      'ms p99.9', round(r['p999Micros'] / 1000, 1), 'ms')" | tee -a "$d/lines"
}
gateways="kmsgw"; [ -n "$base" ] && gateways="base kmsgw"
round() { # suffix [rate]
  for g in $gateways; do
    p=pid_$g
    for api in $apis; do run "$g-$api$1" "${!p}" "$d/$g/instance.json" "" "$api" "${2:-}"; done
  done
  run "floor$1" $fp "$d/kmsgw/instance.json" "$ep" Encrypt "${2:-}"
}
round "" > /dev/null # warm-up
: > "$d/lines"
for _ in $(seq "$n"); do
  round ""
  [ -n "$rate" ] && round "@$rate" "$rate"
done
python3 - "$d/lines" <<'EOF'
import collections, statistics, sys
runs, paired, pending = collections.defaultdict(list), collections.defaultdict(list), {}
for line in open(sys.argv[1]):
    f = line.split()
    runs[f[0]].append((int(f[1]), float(f[3]), float(f[6]), float(f[9])))
    if "@" in f[0]:
        continue
    if f[0] == "floor":  # each closed-loop gateway run over the floor's run of the same round
        for label, thr in pending.items():
            paired[label].append(thr / int(f[1]))
        pending = {}
    else:
        pending[f[0]] = int(f[1])
print("medians:")
for label, rs in runs.items():
    line = (f"  {label}: {statistics.median(r[0] for r in rs):.0f} req/s, {statistics.median(r[1] for r in rs):.1f} us/req, "
            f"p99 {statistics.median(r[2] for r in rs):.1f} ms, p99.9 {statistics.median(r[3] for r in rs):.1f} ms")
    if paired.get(label):
        line += (f"; fraction of the floor, round by round {', '.join(f'{x:.3f}' for x in paired[label])}: "
                 f"median {statistics.median(paired[label]):.3f}")
    print(line)
EOF
