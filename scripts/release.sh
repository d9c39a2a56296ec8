#!/usr/bin/env bash
# Builds the release binaries and their SHA256SUMS into dist/ (or $OUT).
#
#   scripts/release.sh                 # every target, version from versioncmd.go
#   VERSION=0.2.0 scripts/release.sh   # a version of your choosing
#   TARGETS="linux/amd64" scripts/release.sh
#
# The build is reproducible: the same source gives the same bytes on any
# machine with the same Go release. That is why -trimpath drops the build
# folder from the binary, the date stamped is the commit's (not now), the
# toolchain's own VCS stamp is off (a stray file would mark it "modified"),
# and the build ID is emptied. CGO_ENABLED=0 makes each binary static, with
# no C toolchain needed to cross-compile (SQLite is modernc's pure Go).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=${VERSION:-$(sed -n 's/^const sourceVersion = "\(.*\)"$/\1/p' versioncmd.go)}
COMMIT=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
if [ -z "${DATE:-}" ]; then
  if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
    DATE=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
  else
    DATE=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo unknown)
  fi
fi
OUT=${OUT:-dist}
TARGETS=${TARGETS:-linux/amd64 linux/arm64 darwin/arm64 darwin/amd64 windows/amd64}

case "$VERSION" in
  [0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "release.sh: VERSION=$VERSION is not a semantic version like 1.2.3" >&2; exit 2 ;;
esac

mkdir -p "$OUT"
ldflags="-s -w -buildid= -X main.buildVersion=$VERSION -X main.buildCommit=$COMMIT -X main.buildDate=$DATE"
files=()
for target in $TARGETS; do
  os=${target%/*}
  arch=${target#*/}
  name="goldmine-$VERSION-$os-$arch"
  [ "$os" = windows ] && name="$name.exe"
  echo "--- $name"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch GOFLAGS= go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$OUT/$name" .
  files+=("$name")
done
(cd "$OUT" && sha256sum "${files[@]}" > SHA256SUMS && cat SHA256SUMS)
