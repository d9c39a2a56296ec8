package main

import (
	"go/parser"
	"go/token"
	"path/filepath"
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
				if path, _ := strconv.Unquote(imp.Path.Value); path == "goldmine/store" {
					t.Errorf("%s imports goldmine/store: use the domain types and an interface", name)
				}
			}
		}
	}
}
