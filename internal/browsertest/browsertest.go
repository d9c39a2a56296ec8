// Package browsertest starts a headless Chromium for tests, or says why it
// cannot. Tests that need a browser skip with that reason where none is
// installed, and fail instead when CI=true: CI installs Debian's chromium.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// candidates are the names Chromium goes by on the systems we meet.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Find returns the path of a Chromium, or "".
func Find() string {
	if p := os.Getenv("GOLDMINE_CHROMIUM"); p != "" {
		return p
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	return ""
}

// Require returns a Chromium's path, skipping the test with a reason when
// there is none, or failing it when CI=true.
func Require(t testing.TB) string {
	t.Helper()
	p := Find()
	if p != "" {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found, and CI=true: install Debian's chromium package (.ci/run does)")
	}
	t.Skip("no Chromium found (looked for chromium, chromium-browser, google-chrome); install Debian's chromium package to run this test")
	return ""
}

// New starts a headless browser and returns a context that drives a tab
// in it. The flags keep Chromium off the network: this machine refuses
// outside connections, and Chromium's background traffic would only fail.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := Require(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// The first action starts the browser, which lives as long as the
	// context of that action: so no timeout on it; the timeout goes on the
	// context the test gets.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	report := watch(ctx)
	t.Cleanup(func() {
		report(t)
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return tctx
}

// watch records what the page logs and throws, and returns a function
// that, after a failed test, logs it with where the page was and what it
// showed: the first thing one needs to see when a browser test fails.
func watch(ctx context.Context) func(testing.TB) {
	var mu sync.Mutex
	var lines []string
	listening := chromedp.Listen(ctx, func(ev any) {
		var line string
		switch ev := ev.(type) {
		case *cdpruntime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				args = append(args, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			line = "console." + string(ev.Type) + ": " + strings.Join(args, " ")
		case *cdpruntime.EventExceptionThrown:
			line = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				line += " " + ev.ExceptionDetails.Exception.Description
			}
		default:
			return
		}
		mu.Lock()
		lines = append(lines, line)
		mu.Unlock()
	})
	return func(t testing.TB) {
		if !t.Failed() {
			return
		}
		if listening != nil {
			t.Logf("the page's console was not recorded: %v", listening)
		}
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		where, _ := chromedp.Run(dctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText.slice(0, 2000)`))
		mu.Lock()
		defer mu.Unlock()
		t.Logf("the page at the failure: %s\nits console:\n%s", where, strings.Join(lines, "\n"))
	}
}

// Isolated returns a new tab in a browser context of its own (its own
// cookies and storage, like a separate person), in the browser of parent.
func Isolated(t testing.TB, parent context.Context) context.Context {
	t.Helper()
	// Not cancelled with parent, so that a failure can still be reported
	// after the timeout; it gets parent's deadline below.
	ctx, cancel := chromedp.NewContext(context.WithoutCancel(parent), chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("new browser context: %v", err)
	}
	report := watch(ctx)
	tctx, cancelTimeout := ctx, context.CancelFunc(func() {})
	if dl, ok := parent.Deadline(); ok {
		tctx, cancelTimeout = context.WithDeadline(ctx, dl)
	}
	t.Cleanup(func() {
		report(t)
		cancelTimeout()
		cancel()
	})
	return tctx
}

// Until waits, up to 15 s, for a JavaScript expression to be true in the
// page, checking every 50 ms: how a test waits on a page that updates
// itself over a socket.
func Until(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))
}
