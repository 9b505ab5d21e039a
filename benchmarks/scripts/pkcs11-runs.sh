#!/bin/bash
# pkcs11-runs.sh [THREADS]: the PKCS#11 backend against its module's raw rate, in the same run, on Debian's SoftHSM2.
# 1. a fresh SoftHSM2 token (its own SOFTHSM2_CONF in a temp dir);
# 2. JMH Pkcs11Benchmark with THREADS threads (default: the cores, as many as the gateway's crypto workers): AES-GCM 32 B,
#    RSA-2048 PKCS#1 sign, P-256 sign through kmsgw's binding, one session per thread;
# 3. `serve --hsm pkcs11` on the same token, and the load harness (64 connections, 10 s after 4 s warm-up) for Encrypt,
#    SignRSA and SignEC; prints each API's gateway req/s beside the raw rate and their ratio.
# Run from the repository root after `mvn -B -ntp -q -DskipTests package`. Needs softhsm2 (apt).
set -euo pipefail
threads=${1:-$(nproc)}
jar=gateway/target/kmsgw.jar
bench=benchmarks/target/kmsgw-bench.jar
d=$(mktemp -d /tmp/kmsgw-pkcs11.XXXXXX)
mkdir -p "$d/tokens"
echo "directories.tokendir = $d/tokens" > "$d/softhsm2.conf"
export SOFTHSM2_CONF=$d/softhsm2.conf
lib=${KMSGW_PKCS11_LIBRARY:-/usr/lib/softhsm/libsofthsm2.so}
openssl rand -hex 8 > "$d/pin"
softhsm2-util --init-token --free --label bench --so-pin "$(openssl rand -hex 8)" --pin "$(cat "$d/pin")" > /dev/null

java -Dpkcs11.library="$lib" -Dpkcs11.token=bench -Dpkcs11.pinFile="$d/pin" -jar $bench Pkcs11Benchmark -t "$threads" \
     -rf json -rff "$d/jmh.json" > "$d/jmh.out" 2>&1 || { cat "$d/jmh.out"; exit 1; }

java -jar "$jar" serve --data-dir "$d/data" --port 0 --admin-port 0 --hsm pkcs11 --pkcs11-library "$lib" \
     --pkcs11-token-label bench --pkcs11-pin-file "$d/pin" > "$d/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1200); do grep -q "kmsgw ready" "$d/serve.log" && break; sleep 0.1; done
for api in Encrypt SignRSA SignEC; do
  java -jar $bench load --instance "$d/data/instance.json" --api "$api" --connections 64 --duration 10s --warmup 4s \
       --server-pid $pid --pool 2048 --json "$d/$api.json" > "$d/$api.out" 2>&1 || { cat "$d/$api.out"; exit 1; }
done
kill -TERM $pid; wait $pid || true
python3 - "$d" "$threads" <<'PY'
import json, sys
d, threads = sys.argv[1], sys.argv[2]
raw = {r['benchmark'].rsplit('.', 1)[1]: r['primaryMetric']['score'] for r in json.load(open(d + '/jmh.json'))}
for api, bench in (('Encrypt', 'aesGcm32'), ('SignRSA', 'rsa2048SignPkcs1'), ('SignEC', 'p256Sign')):
    r = json.load(open(f'{d}/{api}.json'))
    module_us = int(threads) * 1e6 / raw[bench]  # CPU time of one operation in the module (this machine runs it)
    server_us = r['serverCpuMicrosPerRequest']
    print(f"{api:8} gateway {r['throughput']:8.0f} req/s (p99 {r['p99Micros'] / 1000:.1f} ms, errors {r['errors']}, server CPU "
          f"{server_us:.0f} us/req of which the module ~{module_us:.0f}) | raw {bench} {raw[bench]:8.0f} ops/s at {threads} threads "
          f"| ratio {r['throughput'] / raw[bench]:.2f}")
PY
rm -rf "$d"
