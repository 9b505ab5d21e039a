#!/usr/bin/env bash
# Runs the kmsgw image (deploy/build-image.sh) in podman on the host network and checks it from
# outside: ready line, non-root user, health check, the official Java SDK (Encrypt/Decrypt,
# GenerateDataKey, GenerateRandom), the admin CLI inside the container, data kept on the volume
# across a restart, and SIGTERM → exit 0. Runtime runc with explicit nofile/nproc limits.
#
#   deploy/test-image.sh            (builds the image first; SKIP_BUILD=1 uses an existing one)
set -euo pipefail
cd "$(dirname "$0")/.."
image=${IMAGE:-localhost/kmsgw:dev}
port=${KMSGW_TEST_PORT:-18443}
admin_port=${KMSGW_TEST_ADMIN_PORT:-18444}
# explicit limits, never above what this machine allows (20000 open files here)
nofile=$(( $(ulimit -Hn) < 65536 ? $(ulimit -Hn) : 65536 ))

if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1; then
  echo "test-image: installing podman, buildah and runc (Debian)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah runc >/dev/null
fi
work=$(mktemp -d)
# the jar, and the classpath of the SDK client that drives the container from outside
mvn -B -ntp -q -DskipTests package dependency:build-classpath -pl gateway -am \
    -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test >/dev/null
[[ ${SKIP_BUILD:-0} == 1 ]] || deploy/build-image.sh "$image"

name=kmsgw-test-$$
cleanup() { podman rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
# (podman logs "unable to get systemd connection to remove healthchecks" on machines without systemd; harmless)
data=$work/data
mkdir -p "$data"
chown 10001:10001 "$data"

run() {
  podman run -d --name "$name" --runtime runc --network host \
    --ulimit nofile="$nofile:$nofile" --ulimit nproc=4096:4096 \
    -e KMSGW_BIND=127.0.0.1 -e KMSGW_PORT="$port" -e KMSGW_ADMIN_PORT="$admin_port" \
    -v "$data:/data" "$image" >/dev/null
  for _ in $(seq 1 240); do   # the start includes its warm-up (up to 30 s)
    podman logs "$name" 2>/dev/null | grep -q '^kmsgw ready:' && return 0
    [[ $(podman inspect -f '{{.State.Running}}' "$name") == true ]] || { podman logs "$name"; echo "test-image: container exited"; exit 1; }
    sleep 0.5
  done
  podman logs "$name"; echo "test-image: no ready line"; exit 1
}

started=$(date +%s%N)
run
echo "test-image: ready in $(( ($(date +%s%N) - started) / 1000000 )) ms: $(podman logs "$name" 2>/dev/null | grep '^kmsgw ready:')"
user=$(podman top "$name" huser user | tail -1)
[[ $user == *10001* || $user == *kmsgw* ]] || { echo "test-image: runs as '$user', expected uid 10001"; exit 1; }
[[ $(stat -c %u "$data/admin.token") == 10001 && $(stat -c %a "$data/admin.token") == 600 ]] \
  || { echo "test-image: admin.token is not 0600 owned by 10001"; exit 1; }
podman healthcheck run "$name" >/dev/null || { echo "test-image: health check failed"; exit 1; }
echo "test-image: user $user, health check passes"

# the official SDK from outside the container, with the files the container wrote to the volume
sed "s#\"/data/#\"$data/#g" "$data/instance.json" > "$work/host-instance.json"
java -cp "gateway/target/test-classes:gateway/target/classes:$(cat "$work/cp.txt")" io.kmsgw.gateway.it.SdkSmoke "$work/host-instance.json"

# the admin CLI inside the container
podman exec "$name" /opt/java/bin/java -jar /app/kmsgw.jar admin create-key --key-spec Aliyun_AES_256 --data-dir /data >/dev/null
keys=$(podman exec "$name" /opt/java/bin/java -jar /app/kmsgw.jar admin list-keys --data-dir /data | grep -c '"KeyId"')
[[ $keys -eq 2 ]] || { echo "test-image: expected 2 keys, listed $keys"; exit 1; }

# SIGTERM drains and exits 0; a new container on the same volume keeps the instance and its keys
podman stop -t 30 "$name" >/dev/null
code=$(podman inspect -f '{{.State.ExitCode}}' "$name")
[[ $code == 0 ]] || { podman logs "$name" | tail -20; echo "test-image: exit $code after SIGTERM (expected 0)"; exit 1; }
id=$(grep -o 'kst-[a-z0-9]*' "$data/instance.json" | head -1)
podman rm "$name" >/dev/null
run
grep -q "$id" <(podman logs "$name" 2>/dev/null) || { echo "test-image: the restarted container is not instance $id"; exit 1; }
keys=$(podman exec "$name" /opt/java/bin/java -jar /app/kmsgw.jar admin list-keys --data-dir /data | grep -c '"KeyId"')
[[ $keys -eq 2 ]] || { echo "test-image: after restart, expected 2 keys, listed $keys"; exit 1; }
java -cp "gateway/target/test-classes:gateway/target/classes:$(cat "$work/cp.txt")" io.kmsgw.gateway.it.SdkSmoke "$work/host-instance.json"
podman stop -t 30 "$name" >/dev/null
echo "test-image: passed (SDK from outside, admin CLI inside, volume kept across restart, SIGTERM exit 0)"
