package e2e

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleaseReproducible builds the linux/amd64 release twice, from this
// tree and from a copy of it in another folder (as another machine would
// check it out), and wants the same bytes. The second build shares the
// build cache, but its packages live at another path: -trimpath must keep
// that path out of the binary.
func TestReleaseReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the release twice; skipped with -short")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("needs bash")
	}
	copyDir := filepath.Join(t.TempDir(), "elsewhere", "goldmine")
	copyTree(t, root, copyDir)
	build := func(dir string) []byte {
		out := t.TempDir()
		cmd := exec.Command("bash", "scripts/release.sh")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "OUT="+out, "TARGETS=linux/amd64",
			"VERSION=9.8.7", "COMMIT=0123456789abcdef", "DATE=2026-12-01T00:00:00Z")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("release.sh in %s: %v\n%s", dir, err, b)
		}
		sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(sums), "  goldmine-9.8.7-linux-amd64\n") {
			t.Fatalf("SHA256SUMS = %q", sums)
		}
		bin := filepath.Join(out, "goldmine-9.8.7-linux-amd64")
		// The release target of issue 21: a server that fits a small VPS's
		// disk and a quick download. What grows it is in
		// `go tool nm -size -sort size` of an unstripped build.
		info, err := os.Stat(bin)
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() > 25<<20 {
			t.Fatalf("release binary: %d bytes; want at most 25 MiB", info.Size())
		}
		v, err := exec.Command(bin, "version", "--json").Output()
		if err != nil {
			t.Fatalf("version: %v", err)
		}
		if want := `{"version":"9.8.7","commit":"0123456789abcdef","date":"2026-12-01T00:00:00Z"`; !strings.HasPrefix(string(v), want) {
			t.Fatalf("version --json = %s, want it to start with %s", v, want)
		}
		return sums
	}
	a, b := build(root), build(copyDir)
	if !bytes.Equal(a, b) {
		t.Fatalf("two builds differ:\n%s\n%s", a, b)
	}
}

// copyTree copies the regular files of src to dst, without .git and dist.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() && (d.Name() == ".git" || rel == "dist") {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() && !d.IsDir() {
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copy the tree: %v", err)
	}
}
