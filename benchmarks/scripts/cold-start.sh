#!/bin/bash
# cold-start.sh GATEWAY_JAR [N] [NAME=SERVE_ARGS ...]: what the first seconds after a restart feel like (issue 27).
#
# Each NAME=SERVE_ARGS (default: one, "kmsgw", with none; e.g. `"off=--warmup-seconds 0" on=`) gets its own data dir, made by
# one start that is then stopped. Then N rounds, the configurations alternating within each: start the gateway on its
# data dir, wait for its ready line (wall seconds and the process's CPU seconds are printed), and at once run the open-loop
# harness against it at RATE req/s (default 12000) for 20 s with no warm-up of its own, the way traffic arrives after a
# rolling restart; then stop it. Prints per start: time to ready, p50/p99/p99.9/max of the 20 s, the worst second's p99,
# and how many seconds had p99 over 5 ms. RATE should be about half of the warm gateway's closed-loop saturation here.
# The harness is a fresh JVM too, compiling its own code in those seconds on the same cores; CONTROL=1 adds, per round, the
# first configuration started and then loaded closed-loop for 30 s before the same measurement ("control"): what a fresh
# harness sees from a gateway that is warm. PREWARM=1 takes the harness's own start out of the figures: it first runs the
# same load against a floor server on the same instance (--prewarm-endpoint) for 15 s and signs its pool; then the gateway
# is started on an idle machine, and the harness sends its first request as soon as the ready line is out (--start-when).
# Run from the repository root after `mvn -B -ntp -q -DskipTests package`. About a minute per start.
set -euo pipefail
jar=$1; n=${2:-3}; shift $(($# < 2 ? $# : 2))
configs=("$@"); [ ${#configs[@]} -eq 0 ] && configs=("kmsgw=")
rate=${RATE:-12000}
harness_opts=${HARNESS_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch}
bench=benchmarks/target/kmsgw-bench.jar
d=$(mktemp -d /tmp/kmsgw-cold.XXXXXX)
gw=""; floors=()
trap '[ -n "$gw" ] && kill "$gw" 2>/dev/null; kill "${floors[@]}" 2>/dev/null; wait 2>/dev/null || true; [ "${KEEP:-}" = 1 ] && echo "kept $d" || rm -rf "$d"' EXIT
start() { # name args: the pid in $gw, "wall (cpu)" in $ready
  local t0 t1
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  java -jar "$jar" serve --data-dir "$d/$1" --port 0 --admin-port 0 $2 > "$d/$1.log" 2>&1 &
  gw=$!
  for _ in $(seq 12000); do grep -qs "kmsgw ready" "$d/$1.log" && break; sleep 0.01; done
  grep -qs "kmsgw ready" "$d/$1.log" || { cat "$d/$1.log"; exit 1; }
  t1=$(date +%s%N)
  ready=$(awk -v w=$(( (t1 - t0) / 1000000 )) '{printf "%.1f s to ready (%.1f s CPU)", w / 1000, ($14 + $15) / 100}' "/proc/$gw/stat")
}
stop() { kill -TERM "$gw"; wait "$gw" || true; gw=""; }
declare -A args
for c in "${configs[@]}"; do
  name=${c%%=*}; args[$name]=${c#*=}
  start "$name" "${args[$name]}"; stop
done
[ "${CONTROL:-}" = 1 ] && configs+=("control=${configs[0]#*=}") && args[control]=${configs[0]#*=} && start control "${args[control]}" && stop
# PREWARM=1: a floor server per configuration (on its instance) that the harness warms itself against first
declare -A floor_ep
if [ "${PREWARM:-}" = 1 ]; then
  for c in "${configs[@]}"; do
    name=${c%%=*}
    java -jar $bench floor --instance "$d/$name/instance.json" > "$d/floor-$name.log" 2>&1 &
    floors+=($!)
    for _ in $(seq 600); do grep -qs "floor ready" "$d/floor-$name.log" && break; sleep 0.1; done
    floor_ep[$name]=$(grep -o '127.0.0.1:[0-9]*' "$d/floor-$name.log" | head -1)
  done
fi
measure() { # name [extra harness args]: the open-loop run against the gateway, results in $d/run.json
  local name=$1; shift
  java $harness_opts -jar $bench load --instance "$d/$name/instance.json" --api Encrypt --connections 64 --duration 20s \
       --warmup 0s --rate "$rate" --io-threads 2 --pool 2048 --json "$d/run.json" "$@" > "$d/load.out" 2>&1
}
warm_control() { # the control gateway, loaded closed-loop for 30 s
  java $harness_opts -jar $bench load --instance "$d/control/instance.json" --api Encrypt --connections 64 --duration 30s \
       --warmup 0s --pool 2048 > /dev/null 2>&1
}
for i in $(seq "$n"); do
  for c in "${configs[@]}"; do
    name=${c%%=*}
    if [ "${PREWARM:-}" = 1 ]; then
      # the harness warms itself against the floor, signs its pool and waits; then the gateway starts on an idle machine,
      # and its ready line releases the harness
      rm -f "$d/released"
      measure "$name" --prewarm-endpoint "${floor_ep[$name]}" --prewarm-seconds 15 --start-when "$d/released" &
      hp=$!
      sleep 20
      start "$name" "${args[$name]}"
      [ "$name" = control ] && warm_control
      touch "$d/released"
      wait $hp || { cat "$d/load.out"; exit 1; }
    else
      start "$name" "${args[$name]}"
      [ "$name" = control ] && warm_control
      measure "$name" --server-pid "$gw" || { cat "$d/load.out"; exit 1; }
    fi
    stop
    python3 -c "
import json; r = json.load(open('$d/run.json')); s = r.get('seconds', [])
worst = max((x['p99Micros'] for x in s), default=0) / 1000
over = sum(1 for x in s if x['p99Micros'] > 5000)
print('$name#$i: $ready; %d req/s, p50 %.1f p99 %.1f p99.9 %.1f max %.1f ms; worst second p99 %.1f ms, %d of %d seconds over 5 ms'
      % (r['throughput'], r['p50Micros'] / 1000, r['p99Micros'] / 1000, r['p999Micros'] / 1000, r['maxMicros'] / 1000,
         worst, over, len(s)))"
  done
done
