#!/usr/bin/env bash
# Builds the kmsgw container image with buildah, no Docker engine or registry needed: a jlink'ed
# Java runtime, the shared libraries it and the jar's native parts (netty epoll, BoringSSL,
# Conscrypt) load, and the jar, on an empty (scratch) base. It runs as uid 10001 with the data dir
# on the /data volume, config by KMSGW_* environment variables, ports 8443 and 8444, and a health
# check. It is the image the Containerfile describes, built from this machine's JDK instead of a
# base image pulled from a registry.
#
#   deploy/build-image.sh [IMAGE]        (default localhost/kmsgw:dev; needs root or rootless buildah)
set -euo pipefail
export BUILDAH_FORMAT=docker   # keeps the HEALTHCHECK (the OCI format has none)
cd "$(dirname "$0")/.."
image=${1:-localhost/kmsgw:dev}
jar=gateway/target/kmsgw.jar

if ! command -v buildah >/dev/null 2>&1; then
  echo "build-image: installing buildah (Debian)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah >/dev/null
fi
[[ -f $jar ]] || mvn -B -ntp -q -DskipTests package

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{app,data,tmp,etc}

# 1. A Java runtime holding only the modules the jar uses, plus the providers it loads by name.
modules=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 "$jar")
modules="$modules,jdk.crypto.ec,jdk.unsupported,jdk.management,java.naming,jdk.zipfs"
jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 --output "$root/opt/java"
cp "$jar" "$root/app/kmsgw.jar"

# 2. The shared libraries the runtime and the jar's native libraries need (glibc, libz, libgcc, ...).
unzip -q -o "$jar" 'META-INF/native/*' 'linux/amd64/*' -d "$work/natives" || true
mapfile -t elves < <(find "$root/opt/java" "$work/natives" -type f \( -name '*.so' -o -path '*/bin/*' \) | grep -E 'x86_64|x86-64|amd64|/opt/java/' )
for f in "${elves[@]}"; do
  ldd "$f" 2>/dev/null | awk '/=> \// {print $3} /^[[:space:]]*\/[^ ]*ld-linux/ {print $1}'
done | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

# 3. A non-root user, a writable /tmp (netty unpacks its native libraries there) and the data volume.
echo 'root:x:0:0:root:/:/sbin/nologin' > "$root/etc/passwd"
echo 'kmsgw:x:10001:10001:kmsgw:/data:/sbin/nologin' >> "$root/etc/passwd"
printf 'root:x:0:\nkmsgw:x:10001:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"
chown 10001:10001 "$root/data"

# 4. The image.
ctr=$(buildah from scratch)
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
buildah copy --quiet "$ctr" "$root" / >/dev/null
java_cmd='"/opt/java/bin/java", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=75", "-Djava.io.tmpdir=/tmp"'
buildah config \
  --user 10001:10001 \
  --workingdir /data \
  --port 8443 --port 8444 \
  --volume /data \
  --env KMSGW_DATA_DIR=/data \
  --env KMSGW_BIND=0.0.0.0 \
  --env KMSGW_PORT=8443 \
  --env KMSGW_ADMIN_PORT=8444 \
  --entrypoint "[$java_cmd, \"-jar\", \"/app/kmsgw.jar\"]" \
  --cmd '["serve"]' \
  --healthcheck "CMD /opt/java/bin/java -XX:TieredStopAtLevel=1 -Djava.io.tmpdir=/tmp -jar /app/kmsgw.jar health --data-dir /data" \
  --healthcheck-interval 30s --healthcheck-timeout 10s --healthcheck-start-period 60s --healthcheck-retries 3 \
  --label org.opencontainers.image.title=kmsgw \
  --label org.opencontainers.image.description="KMS instance gateway (dkms-gcs-0.2)" \
  "$ctr"
buildah commit --quiet --format docker --rm "$ctr" "$image" >/dev/null
trap 'rm -rf "$work"' EXIT
echo "build-image: built $image ($(buildah images --format '{{.Size}}' "$image" | head -1))"
