#!/bin/bash
# load-runs.sh GATEWAY_JAR API [N]: one fresh `serve` on a new data dir, one warm-up run, then N measured
# runs of the load harness (64 connections, 10 s after 4 s warm-up, 2048 pre-signed requests); prints
# req/s, server CPU µs per request and p99 per run, and the server's RSS at the end.
# Run from the repository root after `mvn -B -ntp -q -DskipTests package`. Alternate builds to compare them.
set -euo pipefail
jar=$1; api=$2; n=${3:-3}
bench=benchmarks/target/kmsgw-bench.jar
d=$(mktemp -d /tmp/kmsgw-load.XXXXXX)
java -jar "$jar" serve --data-dir "$d/data" --port 0 --admin-port 0 > "$d/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1200); do grep -q "kmsgw ready" "$d/serve.log" && break; sleep 0.1; done
for i in $(seq 0 "$n"); do
  java -jar $bench load --instance "$d/data/instance.json" --api "$api" --connections 64 --duration 10s --warmup 4s \
       --server-pid $pid --pool 2048 --json "$d/r.json" > "$d/load.out" 2>&1
  [ "$i" -gt 0 ] && python3 -c "
import json; r = json.load(open('$d/r.json'))
print('$(basename "$jar") $api', round(r['throughput']), 'req/s', round(r['serverCpuMicrosPerRequest'], 1), 'us/req p99',
      round(r['p99Micros'] / 1000, 1), 'ms errors', r['errors'])"
done
echo "$(basename "$jar") RSS $(awk '/VmRSS/{print int($2/1024)}' /proc/$pid/status) MB"
kill -TERM $pid; wait $pid || true
rm -rf "$d"
