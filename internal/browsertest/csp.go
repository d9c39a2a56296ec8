package browsertest

import (
	"context"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// cspListener reports every securitypolicyviolation event of every
// document the tab loads, before the page's own scripts run.
const cspListener = `document.addEventListener("securitypolicyviolation", function (e) {
  window.goldmineCSPViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
}, true);`

// WatchCSP records the Content-Security-Policy violations of the tab of
// ctx, from its next navigation on, and returns a function that lists
// them so far. A page that breaks its own CSP (an inline script or style
// attribute the policy refuses) shows up here even when it still looks
// right.
func WatchCSP(t testing.TB, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var got []string
	err := chromedp.Do(ctx,
		chromedp.ExposeFunc("goldmineCSPViolation", func(_ context.Context, v string) (chromedp.Void, error) {
			mu.Lock()
			got = append(got, v)
			mu.Unlock()
			return chromedp.Void{}, nil
		}),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListener})
			return err
		}),
	)
	if err != nil {
		t.Fatalf("watch CSP violations: %v", err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}
