#!/bin/bash
# start-time.sh N JAR [JAR...]: time from `java -jar JAR serve` to its ready line on an existing data dir
# (made once by the first JAR), N rounds, the jars alternating within each round. Prints per start the
# wall seconds and the process's CPU seconds at that moment (user + system, all threads), so builds
# can be compared on both: the start is CPU-bound on a 2-core machine. The warm-up is off (KMSGW_WARMUP_SECONDS=0, which
# builds before it ignore) unless KMSGW_WARMUP_SECONDS says otherwise: it is measured by cold-start.sh.
set -euo pipefail
export KMSGW_WARMUP_SECONDS=${KMSGW_WARMUP_SECONDS:-0}
n=$1; shift
d=$(mktemp -d /tmp/kmsgw-start.XXXXXX)
start() { # jar -> "wall cpu"
  local t0 t1 pid
  t0=$(date +%s%N)
  java -jar "$1" serve --data-dir "$d/data" --port 0 --admin-port 0 > "$d/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 3000); do grep -q "kmsgw ready" "$d/serve.log" && break; sleep 0.01; done
  t1=$(date +%s%N)
  awk -v w=$(( (t1 - t0) / 1000000 )) '{printf "%.2f s ready, %.2f s CPU\n", w / 1000, ($14 + $15) / 100}' "/proc/$pid/stat"
  kill -TERM $pid; wait $pid || true
}
start "$1" > /dev/null # creates the data dir
for _ in $(seq "$n"); do
  for jar in "$@"; do echo "$(basename "$jar"): $(start "$jar")"; done
done
rm -rf "$d"
