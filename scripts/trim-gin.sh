#!/usr/bin/env bash
# Regenerates third_party/gin: gin, as released, less the response formats
# and bindings Goldmine never uses (YAML, TOML, BSON, protobuf, msgpack) and
# RunQUIC (HTTP/3). go.mod points github.com/gin-gonic/gin at it.
#
# Why: html/template calls methods by name at run time, so the linker keeps
# every exported method of every type that reaches an interface, and
# gin.Context.YAML or gin.Engine.RunQUIC drag quic-go, the BSON driver,
# go-yaml, go-toml and ugorji's codec into the binary although nothing calls
# them (about 10 MB of the 34 MB stripped binary). gin's own nomsgpack tag
# removes only the codec.
#
# Usage, after changing gin's version in go.mod's require line:
#   scripts/trim-gin.sh && go mod tidy && go build ./...
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(go list -m -f '{{.Version}}' github.com/gin-gonic/gin)
src=$(GOFLAGS=-mod=mod go mod download -json "github.com/gin-gonic/gin@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
dst=third_party/gin
rm -rf "$dst"
mkdir -p "$dst"
(cd "$src" && find . -name '*.go' ! -name '*_test.go' ! -path './examples/*' ! -path './ginS/*' ! -path './testdata/*' -print0 |
	xargs -0 -I{} cp --parents {} "$OLDPWD/$dst/")
cp "$src/LICENSE" "$src/go.mod" "$src/go.sum" "$dst/"
chmod -R u+w "$dst"
cd "$dst"
rm -f render/bson.go render/toml.go render/yaml.go render/protobuf.go \
	binding/bson.go binding/toml.go binding/yaml.go binding/protobuf.go \
	binding/msgpack.go binding/binding.go render/msgpack.go
python3 - <<'PY'
import re
def edit(path, f):
    s = open(path).read()
    t = f(s)
    if t == s:
        raise SystemExit(f"trim-gin: {path}: nothing changed; gin moved on, update this script")
    open(path, "w").write(t)
def drop_funcs(names):
    def f(s):
        for n in names:
            m = re.search(r'\n(// [^\n]*\n)*func \([a-z]+ \*?[A-Za-z]+\) ' + n + r'\(.*?\n}\n', s, re.S)
            if not m:
                raise SystemExit(f"trim-gin: no func {n}")
            s = s[:m.start()] + "\n" + s[m.end():]
        return s
    return f
edit("gin.go", lambda s: drop_funcs(["RunQUIC"])(s).replace('\t"github.com/quic-go/quic-go/http3"\n', ''))
edit("context.go", lambda s: re.sub(r'\n\tcase binding.MIMEYAML, binding.MIMEYAML2:.*?c.BSON\(code, data\)\n', '\n',
     drop_funcs(["YAML", "TOML", "ProtoBuf", "BSON", "BindYAML", "BindTOML", "ShouldBindYAML", "ShouldBindTOML",
                 "ShouldBindBodyWithYAML", "ShouldBindBodyWithTOML"])(s), flags=re.S))
edit("render/render.go", lambda s: re.sub(r'\n\t_ Render\s+= \(\*(YAML|ProtoBuf|TOML)\)\(nil\)', '', s))
def nomsgpack(s):
    s = s.replace("//go:build nomsgpack\n", "")
    for n in ["YAML", "TOML", "ProtoBuf", "BSON"]:
        s = re.sub(r'\n\t' + n + r'\s+(BindingBody )?= [^\n]*', '', s)
    for case, n in [("MIMEPROTOBUF", "ProtoBuf"), ("MIMEYAML, MIMEYAML2", "YAML"), ("MIMETOML", "TOML"), ("MIMEBSON", "BSON")]:
        s = s.replace(f"\n\tcase {case}:\n\t\treturn {n}", "")
    return s
edit("binding/binding_nomsgpack.go", nomsgpack)
PY
gofmt -w .
cat > TRIMMED.md <<MD
# gin $version, trimmed

A copy of github.com/gin-gonic/gin $version (MIT, see LICENSE) made by
scripts/trim-gin.sh: the YAML, TOML, BSON, protobuf and msgpack renderers
and bindings and RunQUIC are removed, and nothing else is changed. Do not
edit these files: change the script and run it again.
MD
