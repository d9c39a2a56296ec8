package main

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestStoreImportedOnlyByWiring keeps the persistence package behind the
// domain: the server, the admin console, the cluster code, the domain and
// the room see the store through interfaces written in domain types, and
// only app's wiring file builds one.
func TestStoreImportedOnlyByWiring(t *testing.T) {
	allowed := map[string]bool{"app/app.go": true}
	for _, dir := range []string{"server", "admin", "cluster", "app", "domain", "room", "game", "match", "rating", "bots"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") || allowed[filepath.ToSlash(name)] {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				if path, _ := strconv.Unquote(imp.Path.Value); path == "github.com/goldmine-game/goldmine/store" {
					t.Errorf("%s imports goldmine/store: use the domain types and an interface", name)
				}
			}
		}
	}
}

// TestStoreNotADependency: beyond direct imports, nothing the server, the
// console, the cluster code or the domain depend on pulls the store in
// (a helper package that imports it would bring it back by the side door).
func TestStoreNotADependency(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	pkgs := []string{"./server", "./admin", "./cluster", "./domain", "./room", "./game", "./match", "./rating", "./bots", "./backups"}
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), append([]string{"list", "-deps", "-f", "{{.ImportPath}} {{.Deps}}"}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const store = "github.com/goldmine-game/goldmine/store"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, deps, _ := strings.Cut(line, " ")
		if !strings.HasPrefix(name, "github.com/goldmine-game/goldmine/") || name == store {
			continue
		}
		if slices.Contains(strings.Fields(strings.Trim(deps, "[]")), store) {
			t.Errorf("%s depends on %s", name, store)
		}
	}
}
