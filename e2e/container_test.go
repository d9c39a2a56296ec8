package e2e

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestContainerImage builds the image with scripts/container.sh and
// podman, checks its configuration, runs it if the sandbox lets podman run
// containers, and otherwise takes the image apart from `podman save` and
// runs the binary in it.
func TestContainerImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a container image; skipped with -short")
	}
	if _, err := exec.LookPath("podman"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no podman, and CI=true: install Debian's podman package (.ci/run does)")
		}
		t.Skip("needs podman (Debian's podman package)")
	}
	version := sourceVersion(t)
	image := fmt.Sprintf("localhost/goldmine:test-%d", os.Getpid())
	build := exec.Command("bash", "scripts/container.sh")
	build.Dir = root
	build.Env = append(os.Environ(), "IMAGE="+image)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("container.sh: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", image).Run() })

	out, err := exec.Command("podman", "image", "inspect", image).Output()
	if err != nil {
		t.Fatalf("podman image inspect: %v", err)
	}
	var inspect []struct {
		Config struct {
			User         string
			ExposedPorts map[string]any
			Volumes      map[string]any
			Entrypoint   []string
			Env          []string
		}
		HealthCheck struct{ Test []string }
	}
	if err := json.Unmarshal(out, &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("podman image inspect: %v: %s", err, out)
	}
	cfg := inspect[0].Config
	if got, want := cfg.User, "65532:65532"; got != want {
		t.Errorf("user=%q, want %q (not root)", got, want)
	}
	if _, ok := cfg.Volumes["/data"]; !ok {
		t.Errorf("volumes=%v, want /data", cfg.Volumes)
	}
	if _, ok := cfg.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("exposed ports=%v, want 8080/tcp", cfg.ExposedPorts)
	}
	if got, want := strings.Join(inspect[0].HealthCheck.Test, " "), "CMD /usr/local/bin/goldmine healthcheck"; got != want {
		t.Errorf("healthcheck=%q, want %q", got, want)
	}
	if !strings.Contains(strings.Join(cfg.Env, " "), "GOLDMINE_DB=/data/goldmine.db") {
		t.Errorf("env=%v, want the database in /data", cfg.Env)
	}

	if out, err := exec.Command("podman", "run", "--rm", image, "version").CombinedOutput(); err == nil {
		if !strings.Contains(string(out), "goldmine "+version) {
			t.Errorf("podman run version: %s", out)
		}
	} else {
		t.Logf("podman run is refused here (%v: %s); checking the saved image instead", err, bytes.TrimSpace(out))
	}

	unpacked := t.TempDir()
	archive := filepath.Join(t.TempDir(), "image.tar")
	if out, err := exec.Command("podman", "save", "--format", "docker-archive", "-o", archive, image).CombinedOutput(); err != nil {
		t.Fatalf("podman save: %v\n%s", err, out)
	}
	owners := extractImage(t, archive, unpacked)
	for name, want := range map[string]string{
		"usr/local/bin/goldmine": "0:0",
		"data":                   "65532:65532",
		"etc/passwd":             "0:0",
	} {
		if got := owners[name]; got != want {
			t.Errorf("%s: owner %q, want %q (all files: %v)", name, got, want, owners)
		}
	}
	if passwd, _ := os.ReadFile(filepath.Join(unpacked, "etc/passwd")); !strings.Contains(string(passwd), "goldmine:x:65532:65532:") {
		t.Errorf("/etc/passwd = %q, want the goldmine user", passwd)
	}
	imageBin := filepath.Join(unpacked, "usr/local/bin/goldmine")
	if out, err := exec.Command(imageBin, "version").CombinedOutput(); err != nil || !strings.Contains(string(out), "goldmine "+version) {
		t.Fatalf("the image's goldmine version: %v: %s", err, out)
	}
	// The image's binary is the HEALTHCHECK: it must see a server up.
	p := startProc(t, bin, "--db", filepath.Join(t.TempDir(), "g.db"))
	hc := exec.Command(imageBin, "healthcheck")
	hc.Env = []string{"GOLDMINE_ADDR=" + strings.TrimPrefix(p.url, "http://")}
	if out, err := hc.CombinedOutput(); err != nil {
		t.Fatalf("the image's goldmine healthcheck: %v: %s", err, out)
	}
}

// sourceVersion reads the tree's version from versioncmd.go, as
// scripts/container.sh does to tag the image.
func sourceVersion(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root, "versioncmd.go"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^const sourceVersion = "(.*)"$`).FindSubmatch(src)
	if m == nil {
		t.Fatal("no sourceVersion in versioncmd.go")
	}
	return string(m[1])
}

// extractImage unpacks the layers of a docker-archive into root, in order,
// and returns each file's owner as "uid:gid".
func extractImage(t *testing.T, archive, root string) map[string]string {
	t.Helper()
	files := map[string][]byte{}
	readTar(t, mustOpenFile(t, archive), func(h *tar.Header, r io.Reader) {
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = b
	})
	var manifest []struct{ Layers []string }
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil || len(manifest) != 1 {
		t.Fatalf("manifest.json: %v: %s", err, files["manifest.json"])
	}
	owners := map[string]string{}
	for _, layer := range manifest[0].Layers {
		readTar(t, bytes.NewReader(files[layer]), func(h *tar.Header, r io.Reader) {
			name := strings.TrimSuffix(path.Clean(h.Name), "/")
			if strings.Contains(name, "..") {
				t.Fatalf("layer entry %q", h.Name)
			}
			owners[name] = fmt.Sprintf("%d:%d", h.Uid, h.Gid)
			target := filepath.Join(root, name)
			switch h.Typeflag {
			case tar.TypeDir:
				if err := os.MkdirAll(target, 0o755); err != nil {
					t.Fatal(err)
				}
			case tar.TypeReg:
				os.MkdirAll(filepath.Dir(target), 0o755)
				b, err := io.ReadAll(r)
				if err == nil {
					err = os.WriteFile(target, b, h.FileInfo().Mode().Perm())
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	return owners
}

func readTar(t *testing.T, r io.Reader, each func(*tar.Header, io.Reader)) {
	t.Helper()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("read tar: %v", err)
		}
		each(h, tr)
	}
}

func mustOpenFile(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
