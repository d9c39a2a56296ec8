package server_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/internal/nodetest"
)

// sdkDir is the SDK's npm package.
const sdkDir = "../static/sdk"

// needTypeScript returns tsc from the SDK's devDependencies (npm ci in
// static/sdk, as .ci/run does), skipping without it, failing when CI=true.
func needTypeScript(t *testing.T) string {
	t.Helper()
	tsc, _ := filepath.Abs(filepath.Join(sdkDir, "node_modules", ".bin", "tsc"))
	if _, err := os.Stat(tsc); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no TypeScript, and CI=true: run npm ci --prefix static/sdk (.ci/run does)")
		}
		t.Skip("no TypeScript: run npm ci --prefix static/sdk to check goldmine.d.ts")
	}
	return tsc
}

// TestSDKTypes type-checks an example against goldmine.d.ts with
// tsc --noEmit: it uses the SDK's real API, and its @ts-expect-error lines
// (an event that never fires, a level that does not exist) must fail.
func TestSDKTypes(t *testing.T) {
	nodetest.Find(t)
	tsc := needTypeScript(t)
	out, err := exec.Command(tsc, "-p", filepath.Join(sdkDir, "test", "types", "tsconfig.json")).CombinedOutput()
	if err != nil {
		t.Fatalf("tsc --noEmit: %v\n%s", err, out)
	}
}

// TestSDKPackageVersion: the npm package's version is the SDK's VERSION.
func TestSDKPackageVersion(t *testing.T) {
	var pkg struct {
		Name, Version, Main, Types string
		Files                      []string
	}
	b, err := os.ReadFile(filepath.Join(sdkDir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(sdkDir, "goldmine.js"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`var VERSION = "([^"]+)"`).FindSubmatch(js)
	if m == nil || string(m[1]) != pkg.Version {
		t.Fatalf("package.json version %q, goldmine.js VERSION %q", pkg.Version, m)
	}
	if pkg.Main != "goldmine.js" || pkg.Types != "goldmine.d.ts" || strings.Join(pkg.Files, ",") != "goldmine.js,goldmine.d.ts" {
		t.Fatalf("package.json: %+v", pkg)
	}
}

// TestSDKPackage packs the SDK with npm pack, installs the tarball in an
// empty project, and has a Node script use it against a real server.
func TestSDKPackage(t *testing.T) {
	node, args := nodetest.Find(t)
	npm, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("npm not found, and CI=true")
		}
		t.Skip("npm not found")
	}
	h := newHarness(t, fast)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	packs := t.TempDir()
	abs, _ := filepath.Abs(sdkDir)
	out, err := exec.CommandContext(ctx, npm, "pack", "--pack-destination", packs, abs).CombinedOutput()
	if err != nil {
		t.Fatalf("npm pack: %v\n%s", err, out)
	}
	tarballs, _ := filepath.Glob(filepath.Join(packs, "goldmine-sdk-*.tgz"))
	if len(tarballs) != 1 {
		t.Fatalf("npm pack made %v\n%s", tarballs, out)
	}
	proj := t.TempDir()
	if err := os.WriteFile(filepath.Join(proj, "package.json"), []byte(`{"name":"uses-goldmine","version":"0.0.0","private":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// The SDK has no dependencies: installing the tarball needs no registry.
	install := exec.CommandContext(ctx, npm, "install", "--offline", "--no-audit", "--no-fund", tarballs[0])
	install.Dir = proj
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm install %s: %v\n%s", tarballs[0], err, out)
	}
	script := `
const Goldmine = require("goldmine-sdk");
(async () => {
  const a = new Goldmine.Client({ baseURL: process.env.GOLDMINE_URL });
  const b = new Goldmine.Client({ baseURL: process.env.GOLDMINE_URL });
  await a.createPlayer("Packed");
  await b.createPlayer("Other");
  const snap = await a.createRoom({ preset: "classic", turn_seconds: 0 });
  const ra = a.join(snap.id);
  await new Promise((ok) => ra.on("welcome", ok));
  const rb = b.join(snap.id);
  // The room fills up and starts by itself; start() resolves all the same.
  await new Promise((ok) => rb.on("welcome", ok));
  const s = await rb.start();
  if (s.status !== "playing") throw new Error("not playing: " + s.status);
  const me = ra.you.seat === s.turn ? ra : rb;
  const dug = await me.dig(0, 0);
  if (dug.type !== "dug") throw new Error("dig: " + JSON.stringify(dug));
  ra.close(); rb.close();
  console.log("ok " + Goldmine.VERSION);
})().catch((e) => { console.error(e); process.exit(1); });
`
	if err := os.WriteFile(filepath.Join(proj, "use.js"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	var nodeArgs []string
	if len(args) > 0 && args[0] == "--experimental-websocket" {
		nodeArgs = append(nodeArgs, args[0])
	}
	run := exec.CommandContext(ctx, node, append(nodeArgs, "use.js")...)
	run.Dir = proj
	run.Env = append(os.Environ(), "GOLDMINE_URL="+h.ts.URL, "NODE_NO_WARNINGS=1")
	out, err = run.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok ") {
		t.Fatalf("node use.js: %v\n%s", err, out)
	}
}
