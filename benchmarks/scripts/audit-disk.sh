#!/bin/bash
# audit-disk.sh GATEWAY_JAR SECONDS [serve flags...]: one fresh `serve` with the given flags, the load harness on Encrypt for
# SECONDS (64 connections, 2 s warm-up), the audit's bytes on disk sampled every 0.5 s meanwhile: its files plus the store
# (kmsgw.db and its WAL, minus the store's size before the load, so keys and access rows are not counted). Prints requests,
# req/s, the peak and final bytes, and bytes per request (final / requests, meaningful with the bound off: --audit-max-bytes 0).
# Run from the repository root after `mvn -B -ntp -q -DskipTests package`.
set -euo pipefail
jar=$(readlink -f "$1"); secs=$2; shift 2
bench=benchmarks/target/kmsgw-bench.jar
d=$(mktemp -d /tmp/kmsgw-audit.XXXXXX)
# from the run's own dir, so that no config/gateway.yaml is picked up (an older build refuses settings it does not know)
(cd "$d" && exec java -jar "$jar" serve --data-dir "$d/data" --port 0 --admin-port 0 "$@" > "$d/serve.out" 2> "$d/serve.log") &
pid=$!
for _ in $(seq 1200); do grep -q "kmsgw ready" "$d/serve.out" && break; sleep 0.1; done
size() { du -sb "$d/data/audit" "$d/data/kmsgw.db" "$d/data/kmsgw.db-wal" 2>/dev/null | awk '{s+=$1} END {print s+0}'; }
base=$(du -sb "$d/data/kmsgw.db" "$d/data/kmsgw.db-wal" 2>/dev/null | awk '{s+=$1} END {print s+0}')
peak=0
java -jar $bench load --instance "$d/data/instance.json" --api Encrypt --connections 64 --duration "${secs}s" --warmup 2s \
     --server-pid $pid --pool 2048 --json "$d/r.json" > "$d/load.out" 2>&1 &
lpid=$!
while kill -0 $lpid 2>/dev/null; do
  s=$(( $(size) - base )); [ "$s" -gt "$peak" ] && peak=$s; sleep 0.5
done
wait $lpid
sleep 3 # the audit writes what is queued
final=$(( $(size) - base ))
java -jar "$jar" admin --data-dir "$d/data" describe-instance > "$d/describe.json"
python3 -c "
import json; r = json.load(open('$d/r.json'))
n = json.load(open('$d/describe.json'))['RequestsTotal'] # every audited request, warm-up included
print('flags: ${*:-(defaults)}')
print('requests', n, 'req/s', round(r['throughput']), 'p99', round(r['p99Micros'] / 1000, 1), 'ms errors', r['errors'])
print('audit bytes: peak', $peak, 'final', $final, 'per request', round($final / max(n, 1)))"
kill -TERM $pid; wait $pid || true
rm -rf "$d"
