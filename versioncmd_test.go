package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestVersionJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"version", "--json"}, func(string) string { return "" }, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	var b buildInfo
	if err := json.Unmarshal(stdout.Bytes(), &b); err != nil {
		t.Fatalf("version --json: %v: %q", err, stdout.String())
	}
	if got, want := b.Go, runtime.Version(); got != want {
		t.Fatalf("go=%q, want %q", got, want)
	}
	// A test binary has no -ldflags stamps, and its module version is
	// "(devel)": it must say it is a development build, never "(devel)".
	if got, want := b.Version, sourceVersion+"-dev"; got != want {
		t.Fatalf("version=%q, want %q", got, want)
	}
	if b.Commit == "" || b.Date == "" || strings.Contains(stdout.String(), "(devel)") {
		t.Fatalf("version --json = %s: empty fields or (devel)", stdout.String())
	}
}

func TestVersionText(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"version"}, func(string) string { return "" }, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	for _, want := range []string{"goldmine " + sourceVersion, "commit ", "built ", "go       " + runtime.Version()} {
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("version = %q, want it to contain %q", stdout.String(), want)
		}
	}
	if code := run(context.Background(), []string{"version", "extra"}, func(string) string { return "" }, &stdout, &stderr); code != 2 {
		t.Fatalf("version extra: exit code %d, want 2", code)
	}
}

func TestIsRelease(t *testing.T) {
	for v, want := range map[string]bool{
		"":                                     false,
		"(devel)":                              false,
		"v0.1.0":                               true,
		"v1.2.3-rc.1":                          true,
		"v0.0.0-20261126120000-abcdefabcdef":   false,
		"v0.1.1-0.20261126120000-abcdefabcdef": false,
		"v0.1.0+dirty":                         false,
	} {
		if got := isRelease(v); got != want {
			t.Errorf("isRelease(%q)=%v, want %v", v, got, want)
		}
	}
}

// TestSDKVersionIsTheServers: the server's version (sourceVersion) is the
// one source of the SDK's: its VERSION, the npm package's version (and
// its lock file's), the mini-program's copy and the file name docs/sdk.md
// installs. A release that bumps sourceVersion fails here until the SDK
// says the same.
func TestSDKVersionIsTheServers(t *testing.T) {
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, p := range []string{"static/sdk/goldmine.js", "examples/miniprogram/utils/goldmine.js"} {
		m := regexp.MustCompile(`var VERSION = "([^"]*)"`).FindStringSubmatch(read(p))
		if m == nil || m[1] != sourceVersion {
			t.Errorf("%s: VERSION %v, want the server's %s (versioncmd.go)", p, m, sourceVersion)
		}
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal([]byte(read("static/sdk/package.json")), &pkg); err != nil || pkg.Version != sourceVersion {
		t.Errorf("static/sdk/package.json: version %q (%v), want the server's %s", pkg.Version, err, sourceVersion)
	}
	var lock struct {
		Version  string
		Packages map[string]struct{ Version string }
	}
	if err := json.Unmarshal([]byte(read("static/sdk/package-lock.json")), &lock); err != nil || lock.Version != sourceVersion || lock.Packages[""].Version != sourceVersion {
		t.Errorf("static/sdk/package-lock.json: version %q and %q (%v), want the server's %s", lock.Version, lock.Packages[""].Version, err, sourceVersion)
	}
	if doc := read("docs/sdk.md"); !strings.Contains(doc, "goldmine-sdk-"+sourceVersion+".tgz") {
		t.Errorf("docs/sdk.md does not install goldmine-sdk-%s.tgz", sourceVersion)
	}
}
