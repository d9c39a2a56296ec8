#!/usr/bin/env bash
# Builds the Goldmine image FROM scratch, with no registry: the linux
# binary is built here by scripts/release.sh and laid out with the few
# files the image needs in dist/container/, then podman (or $CONTAINER,
# e.g. docker) builds Containerfile.
#
#   scripts/container.sh                 # tags goldmine:VERSION and goldmine:latest
#   ARCH=arm64 scripts/container.sh      # an image for linux/arm64
#   IMAGE=goldmine:test scripts/container.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONTAINER=${CONTAINER:-podman}
ARCH=${ARCH:-$(go env GOARCH)}
VERSION=${VERSION:-$(sed -n 's/^const sourceVersion = "\(.*\)"$/\1/p' versioncmd.go)}
IMAGE=${IMAGE:-goldmine:$VERSION}
ctx=dist/container

rm -rf "$ctx"
mkdir -p "$ctx/data"
OUT="$ctx/build" TARGETS="linux/$ARCH" VERSION="$VERSION" scripts/release.sh >/dev/null
mv "$ctx/build/goldmine-$VERSION-linux-$ARCH" "$ctx/goldmine"
rm -rf "$ctx/build"
printf 'root:x:0:0:root:/:/sbin/nologin\ngoldmine:x:65532:65532:goldmine:/data:/sbin/nologin\n' > "$ctx/passwd"
printf 'root:x:0:\ngoldmine:x:65532:\n' > "$ctx/group"
# Let's Encrypt (--acme-domain) needs CA certificates to reach its API.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
else
  echo "container.sh: no /etc/ssl/certs/ca-certificates.crt here (Debian: apt-get install ca-certificates); --acme-domain will not work in the image" >&2
  : > "$ctx/ca-certificates.crt"
fi
# A fixed time on every file keeps the layers the same from build to build.
find "$ctx" -exec touch -h -d @0 {} +

format=()
[ "$CONTAINER" = podman ] && format=(--format docker)
"$CONTAINER" build "${format[@]}" --platform "linux/$ARCH" -f Containerfile -t "$IMAGE" .
[ "$IMAGE" = "goldmine:$VERSION" ] && "$CONTAINER" tag "$IMAGE" goldmine:latest
echo "built $IMAGE"
