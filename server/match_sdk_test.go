package server_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/internal/nodetest"
)

// TestSDKQuickMatch runs the SDK's and the example mini-program's
// quick-match tests (static/sdk/test/match.test.mjs,
// examples/miniprogram/test/match.test.mjs) on Node against a real server with quick
// match, whose bots come after 3 s (this test only: the default is 20 s).
func TestSDKQuickMatch(t *testing.T) {
	node, args := nodetest.Find(t)
	h := matchHarness(t, 3*time.Second)
	for _, f := range []string{"../static/sdk/test/match.test.mjs", "../examples/miniprogram/test/match.test.mjs"} {
		abs, _ := filepath.Abs(f)
		args = append(args, abs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = append(os.Environ(), "GOLDMINE_URL="+h.ts.URL, "NODE_NO_WARNINGS=1")
	out, err := cmd.CombinedOutput()
	t.Logf("node:\n%s", out)
	if err != nil {
		t.Fatalf("the SDK's quick-match tests failed: %v", err)
	}
}
