package server_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/internal/nodetest"
)

// TestSDK runs the JS SDK's tests (static/sdk/test) and the example
// mini-program's (examples/miniprogram/test), on Node's own test runner,
// against a real server, with three controls for them: /drop cuts a
// player's sockets, /close closes a room as an admin does, /advance moves
// the rooms' clock. It skips where Node
// is missing, and fails then when CI=true.
func TestSDK(t *testing.T) {
	node, args := nodetest.Find(t)
	h := newHarness(t, fast)
	ctl := http.NewServeMux()
	ctl.HandleFunc("POST /drop", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		if n := h.rooms.Disconnect(r.URL.Query().Get("player"), code, "dropped by the test"); n == 0 {
			http.Error(w, "no connection of that player", http.StatusNotFound)
		}
	})
	ctl.HandleFunc("POST /close", func(w http.ResponseWriter, r *http.Request) {
		if err := h.rooms.CloseRoom(r.URL.Query().Get("room")); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
		}
	})
	ctl.HandleFunc("POST /advance", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("d"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.clock.Advance(d)
	})
	control := httptest.NewServer(ctl)
	defer control.Close()

	if p := os.Getenv("GOLDMINE_SDK_TESTS"); p != "" {
		args = append(args, "--test-name-pattern="+p) // to run some of them
	}
	for _, f := range []string{"../static/sdk/test/sdk.test.mjs", "../examples/miniprogram/test/miniprogram.test.mjs"} {
		abs, _ := filepath.Abs(f)
		args = append(args, abs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = append(os.Environ(), "GOLDMINE_URL="+h.ts.URL, "GOLDMINE_CONTROL="+control.URL, "NODE_NO_WARNINGS=1")
	out, err := cmd.CombinedOutput()
	t.Logf("node %v:\n%s", args, out)
	if err != nil {
		t.Fatalf("the SDK tests failed: %v", err)
	}
}

// TestMiniProgramCarriesTheSDK keeps the example's copy of the SDK (a
// mini-program can only require files inside its own folder) the same as
// the one the server serves.
func TestMiniProgramCarriesTheSDK(t *testing.T) {
	served, err := os.ReadFile("../static/sdk/goldmine.js")
	if err != nil {
		t.Fatal(err)
	}
	copied, err := os.ReadFile("../examples/miniprogram/utils/goldmine.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(served, copied) {
		t.Fatal("examples/miniprogram/utils/goldmine.js differs from static/sdk/goldmine.js: cp static/sdk/goldmine.js examples/miniprogram/utils/")
	}
}
