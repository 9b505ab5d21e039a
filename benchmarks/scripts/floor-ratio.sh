#!/bin/bash
# floor-ratio.sh GATEWAY_JAR [N]: the gateway and the floor server side by side on one instance; one
# warm-up run each, then N alternating 32-byte Encrypt runs against each (same harness settings as
# load-runs.sh). kmsgw's median divided by the floor's is the "fraction of the floor" figure.
# APIS="Encrypt OpenApiEncrypt" runs each of those against kmsgw in every round (OpenApiEncrypt: the KMS OpenAPI's
# Encrypt, HMAC-signed, beside the instance protocol's RSA-signed one); the floor always serves Encrypt.
set -euo pipefail
jar=$1; n=${2:-3}; apis=${APIS:-Encrypt}
bench=benchmarks/target/kmsgw-bench.jar
d=$(mktemp -d /tmp/kmsgw-floor.XXXXXX)
java -jar "$jar" serve --data-dir "$d/data" --port 0 --admin-port 0 > "$d/serve.log" 2>&1 &
kp=$!
for _ in $(seq 1200); do grep -q "kmsgw ready" "$d/serve.log" && break; sleep 0.1; done
java -jar $bench floor --instance "$d/data/instance.json" > "$d/floor.log" 2>&1 &
fp=$!
for _ in $(seq 600); do grep -q "floor ready" "$d/floor.log" && break; sleep 0.1; done
ep=$(grep -o '127.0.0.1:[0-9]*' "$d/floor.log" | head -1)
run() { # label pid [endpoint] [api]
  java -jar $bench load --instance "$d/data/instance.json" --api "${4:-Encrypt}" --connections 64 --duration 10s --warmup 4s \
       --server-pid "$2" --pool 2048 ${3:+--endpoint $3} --json "$d/r.json" > /dev/null 2>&1
  python3 -c "
import json; r = json.load(open('$d/r.json'))
print('$1', round(r['throughput']), 'req/s', round(r['serverCpuMicrosPerRequest'], 1), 'us/req p99', round(r['p99Micros'] / 1000, 1), 'ms')"
}
for api in $apis; do run warm-up $kp "" "$api" > /dev/null; done
run warm-up $fp "$ep" > /dev/null
for _ in $(seq "$n"); do
  for api in $apis; do run "kmsgw-$api" $kp "" "$api"; done
  run floor $fp "$ep"
done
kill -TERM $kp $fp; wait || true
rm -rf "$d"
