package browsertest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/goldmine-game/goldmine/internal/browsertest"
)

// TestWatchCSPSeesAViolation: a page whose CSP refuses its inline style
// attribute and inline script is reported, so that a test finding none
// means something.
func TestWatchCSPSeesAViolation(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'")
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><p style="color: red">red</p><script>document.title = "ran";</script>`))
	}))
	defer ts.Close()
	ctx := browsertest.New(t, 30*time.Second)
	violations := browsertest.WatchCSP(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL), browsertest.Until(`document.readyState === "complete"`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(violations()) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := strings.Join(violations(), "\n")
	if !strings.Contains(got, "style-src") || !strings.Contains(got, "script-src") {
		t.Fatalf("violations %q, want the inline style and script", got)
	}
}
