package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestBuildsAsItsOwnModule builds this example the way a host's program is
// built: in a module of its own that requires Goldmine by its import path,
// with a replace pointing at this checkout (where a host would have a
// version). It proves the module path is one another module can import,
// and that the example uses nothing but the public packages.
func TestBuildsAsItsOwnModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a second module")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// go get fetches a module by its path, so the first element must be a
	// host name: a bare "goldmine" only ever resolved inside this checkout.
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(string(gomod), "\n", 2)[0], "module "))
	if first := strings.Split(path, "/")[0]; !strings.Contains(first, ".") {
		t.Fatalf("module path %q: go get cannot fetch a path whose first element %q is not a host name", path, first)
	}
	if path != "github.com/goldmine-game/goldmine" {
		t.Fatalf("module path %q, want github.com/goldmine-game/goldmine (the one docs/embedding.md names)", path)
	}
	dir := t.TempDir()
	for _, f := range []string{"main.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The root's go.sum covers every module the host needs; its replace of
	// gin (a trimmed copy) is the root's own and does not carry over, so a
	// host that wants the smaller binary says it too.
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	mod := "module example.com/host\n\ngo 1.26.0\n\n" +
		"require github.com/goldmine-game/goldmine v0.0.0\n\n" +
		"replace github.com/goldmine-game/goldmine => " + root + "\n\n" +
		"replace github.com/gin-gonic/gin => " + filepath.Join(root, "third_party", "gin") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	tidy := exec.Command(goBin, "mod", "tidy")
	tidy.Dir = dir
	// Only the module cache: the test must not need the network.
	tidy.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy in the host module: %v\n%s", err, out)
	}
	build := exec.Command(goBin, "build", "-o", filepath.Join(dir, "host"), ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOPROXY=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in the host module: %v\n%s", err, out)
	}
}
