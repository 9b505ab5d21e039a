#!/bin/bash
# profile.sh GATEWAY_JAR API OUT: CPU profile of a gateway under load with async-profiler (Java, native
# and kernel frames, every thread). Fresh `serve`, two warm-up runs, then 10 s of profiling in the middle
# of a third run; writes OUT.collapsed (folded stacks: flamegraph tools and grep read it).
# async-profiler comes from Maven Central: mvn dependency:get -Dartifact=tools.profiler:async-profiler:3.0
# LOAD_ARGS adds harness options, e.g. LOAD_ARGS="--rate 14000 --io-threads 2" for an open-loop profile.
# FLOOR=1 profiles the floor server (FloorServer) on the same instance and load instead of the gateway: the
# difference between the two profiles is what kmsgw's features cost per request.
set -euo pipefail
jar=$1; api=$2; out=$3
bench=benchmarks/target/kmsgw-bench.jar
ap=$(mktemp -d /tmp/kmsgw-prof.XXXXXX)
unzip -q -o ~/.m2/repository/tools/profiler/async-profiler/3.0/async-profiler-3.0.jar 'linux-x64/*' -d "$ap"
lib=$ap/linux-x64/libasyncProfiler.so
cat > "$ap/Attach.java" <<'JAVA'
public class Attach {
    public static void main(String[] a) throws Exception {
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(a[0]);
        vm.loadAgentPath(a[1], a[2]);
        vm.detach();
    }
}
JAVA
java -jar "$jar" serve --data-dir "$ap/data" --port 0 --admin-port 0 > "$ap/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1200); do grep -q "kmsgw ready" "$ap/serve.log" && break; sleep 0.1; done
endpoint=()
if [ "${FLOOR:-0}" = 1 ]; then
  kill -TERM $pid; wait $pid || true
  java -jar $bench floor --instance "$ap/data/instance.json" > "$ap/floor.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do grep -q "floor ready" "$ap/floor.log" && break; sleep 0.1; done
  endpoint=(--endpoint "$(grep -o '127.0.0.1:[0-9]*' "$ap/floor.log" | head -1)")
fi
load() { java -jar $bench load --instance "$ap/data/instance.json" --api "$api" --connections 64 --duration "$1" --warmup 4s \
              --server-pid $pid --pool 2048 --json "$ap/r.json" "${endpoint[@]}" ${LOAD_ARGS:-} > /dev/null 2>&1; }
load 10s; load 10s
load 12s & lp=$!
sleep 5
java "$ap/Attach.java" $pid "$lib" start,event=cpu,interval=1ms
sleep 10
java "$ap/Attach.java" $pid "$lib" "stop,file=$(realpath -m "$out").collapsed,collapsed"
wait $lp
kill -TERM $pid; wait $pid || true
rm -rf "$ap"
