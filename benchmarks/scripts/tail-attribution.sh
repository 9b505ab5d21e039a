#!/bin/bash
# tail-attribution.sh GATEWAY_JAR [N] [NAME=JVM_FLAGS [-- SERVE_ARGS] ...]: where the latency tail comes from, second by
# second (issue 27).
#
# One gateway per NAME=JVM_FLAGS (default: one, "kmsgw", with no flags; e.g. `g1= zgc=-XX:+UseZGC` compares two GCs in
# the same run, `kmsgw= "io2=-- --io-threads 2"` two event-loop counts), each on its own instance, and the floor server
# (the control: TLS, the same RSA verification, one AES-GCM, nothing else, run with the first gateway's JVM flags). Every JVM logs its GC pauses and safepoints; a sampler per gateway
# scrapes its /metrics and reads every thread's CPU (server and harness) and the machine's steal once a second.
# Then:
#   - closed loop against each (saturation, and each gateway's fraction of the floor), as load-runs.sh and floor-ratio.sh
#     run it: 64 connections, one client event loop, 10 s after 4 s;
#   - N rounds at half of the first gateway's saturation: each gateway, the floor at the same rate, and the floor at half
#     of its own saturation ("floor-own": can anything doing this work meet the target at half load on this machine?);
#   - two rounds at 80 %, the same way.
# Open-loop runs: 20 s measured after 8 s of warm-up, 64 connections, two client event loops (one falls behind its own
# schedule above ~13,000 req/s). Prints each run's client p50/p99/p99.9, the server histogram's for the same seconds, and
# the worst seconds beside every suspect's figures (tail_attribution.py).
# Environment: HARNESS_OPTS (the harness's JVM flags), KEEP=1 keeps the work dir (logs, samples, runs), COLD_RATE=R adds
# a first run at R req/s on the first gateway fresh from its start, HIGH_ROUNDS=N the number of 80 % rounds (default 2),
# RECALIBRATE=1 measures both saturations again (closed loop, first gateway and floor) before every round after the first:
# this host's speed swings by a third within minutes, and a rate derived from a fast spell is not "half" in a slow one.
# Run from the repository root after `mvn -B -ntp -q -DskipTests package`. About 12 minutes for N=5 and one gateway.
set -euo pipefail
jar=$1; n=${2:-5}; shift $(($# < 2 ? $# : 2))
configs=("$@"); [ ${#configs[@]} -eq 0 ] && configs=("kmsgw=")
harness_opts=${HARNESS_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch}
bench=benchmarks/target/kmsgw-bench.jar
here=$(dirname "$0")
d=$(mktemp -d /tmp/kmsgw-tail.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; [ "${KEEP:-}" = 1 ] && echo "kept $d" || rm -rf "$d"' EXIT
xlog() { echo "-Xlog:gc,gc+phases=info,safepoint:file=$d/$1-gc.log:utctime,tags"; }

names=(); declare -A pid inst ep jvm
for c in "${configs[@]}"; do
  name=${c%%=*}; opts=" ${c#*=} "; names+=("$name")
  jvm[$name]=${opts%% -- *}; args=""; [[ $opts == *" -- "* ]] && args=${opts#* -- }
  # shellcheck disable=SC2046,SC2086
  java ${jvm[$name]} $(xlog "$name") -jar "$jar" serve --data-dir "$d/$name" --port 0 --admin-port 0 $args > "$d/$name.log" 2>&1 &
  pid[$name]=$!; pids+=($!)
  for _ in $(seq 1200); do grep -qs "kmsgw ready" "$d/$name.log" && break; sleep 0.1; done
  inst[$name]=$d/$name/instance.json; ep[$name]=""
  read -r admin ca token < <(python3 -c "
import json; i = json.load(open('${inst[$name]}')); print(i['AdminEndpoint'], i['CaFile'], i['AdminTokenFile'])")
  python3 "$here/tail_attribution.py" sample "$d/$name-samples.jsonl" "$admin" "$ca" "$token" "${pid[$name]}" "$d/harness.pid" &
  pids+=($!)
done
first=${names[0]}; first_opts=${jvm[$first]}
# shellcheck disable=SC2046,SC2086
java $first_opts $(xlog floor) -jar $bench floor --instance "${inst[$first]}" > "$d/floor.log" 2>&1 &
pid[floor]=$!; pids+=($!); inst[floor]=${inst[$first]}
for _ in $(seq 100); do grep -qs "floor ready" "$d/floor.log" && break; sleep 0.1; done
ep[floor]=$(grep -o '127.0.0.1:[0-9]*' "$d/floor.log" | head -1)

runs=(); nrun=0
load() { # label target rate-or-0 duration warmup
  local t=$2 out=$d/run-$((nrun++)).json
  # shellcheck disable=SC2046,SC2086
  java $harness_opts -jar $bench load --instance "${inst[$t]}" --api Encrypt --connections 64 --duration "$4" --warmup "$5" \
       --server-pid "${pid[$t]}" --pool 2048 --io-threads "$([ "$3" != 0 ] && echo 2 || echo 1)" ${ep[$t]:+--endpoint ${ep[$t]}} \
       $([ "$3" != 0 ] && echo "--rate $3") --json "$out" > "$d/load.out" 2>&1 &
  echo $! > "$d/harness.pid"
  wait $! || { cat "$d/load.out"; exit 1; }
  : > "$d/harness.pid"
  runs+=("$1=$out")
  python3 -c "
import json; r = json.load(open('$out'))
print('$1:', r['mode'] + ',', r['throughput'], 'req/s, p50', r['p50Micros'] / 1000, 'p99', r['p99Micros'] / 1000, 'p99.9',
      r['p999Micros'] / 1000, 'ms,', r.get('serverCpuMicrosPerRequest', '-'), 'us CPU/req')"
}
throughput() { python3 -c "import json; print(json.load(open('${runs[-1]#*=}'))['throughput'])"; }
# COLD_RATE=R: first, one open-loop run at R req/s against the first gateway fresh from its start (JIT, first GCs)
[ -n "${COLD_RATE:-}" ] && load "$first#cold ${COLD_LABEL:-50%}" "$first" "$COLD_RATE" 20s 8
cold=${#runs[@]}
for t in "${names[@]}" floor; do load "warm-up $t" "$t" 0 10s 4 > /dev/null; done
cold_runs=("${runs[@]:0:$cold}")
runs=()
declare -A sat
for t in "${names[@]}" floor; do load "$t closed" "$t" 0 10s 4; sat[$t]=$(throughput); done
for t in "${names[@]}"; do echo "$t: $(python3 -c "print(round(${sat[$t]} / ${sat[floor]}, 3))") of the floor"; done
closed=${#runs[@]}
half=$((sat[$first] / 2)); high=$((sat[$first] * 8 / 10))
# the floor twice: at the gateway's rate (same work asked of the machine), and at the same fraction of its own saturation
# ("floor-own": whether the target can be met at half of saturation on this machine at all)
inst[floor-own]=${inst[floor]}; pid[floor-own]=${pid[floor]}; ep[floor-own]=${ep[floor]}
own_half=$((sat[floor] / 2)); own_high=$((sat[floor] * 8 / 10))
calibrate() { # the two saturations measured again, now (kept out of the report's runs)
  load "$first closed, before $1" "$first" 0 10s 4; sat[$first]=$(throughput); unset 'runs[-1]'
  load "floor closed, before $1" floor 0 10s 4; sat[floor]=$(throughput); unset 'runs[-1]'
  half=$((sat[$first] / 2)); high=$((sat[$first] * 8 / 10)); own_half=$((sat[floor] / 2)); own_high=$((sat[floor] * 8 / 10))
}
for i in $(seq "$n"); do
  [ "${RECALIBRATE:-}" = 1 ] && [ "$i" -gt 1 ] && calibrate "round $i"
  for t in "${names[@]}" floor; do load "$t#$i 50%" "$t" $half 20s 8; done
  load "floor-own#$i 50%" floor-own $own_half 20s 8
done
for i in $(seq "${HIGH_ROUNDS:-2}"); do
  [ "${RECALIBRATE:-}" = 1 ] && calibrate "80 % round $i"
  for t in "${names[@]}" floor; do load "$t#$i 80%" "$t" $high 20s 8; done
  load "floor-own#$i 80%" floor-own $own_high 20s 8
done
sleep 1.5
specs=()
for t in "${names[@]}"; do specs+=("$t:$d/$t-samples.jsonl:$d/$t-gc.log"); done
python3 "$here/tail_attribution.py" report "${specs[@]}" "floor::$d/floor-gc.log" "floor-own::$d/floor-gc.log" -- "${cold_runs[@]}" "${runs[@]:$closed}"
for t in "${names[@]}"; do echo "$t: RSS $(awk '/VmRSS/{print int($2/1024)}' "/proc/${pid[$t]}/status") MB"; done
