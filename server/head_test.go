package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/goldmine-game/goldmine/static"
)

// TestHead: HEAD, as uptime monitors and `curl -I` send it, is answered
// like GET without a body: the same status, type and length. Methods the
// paths do not take are still refused with 405.
func TestHead(t *testing.T) {
	h := newHarness(t, func(o *harnessOpts) { o.assets = true })
	assets, err := static.New("/static/")
	if err != nil {
		t.Fatal(err)
	}
	css := assets.URL("app/app.css")
	for _, tt := range []struct {
		name, method, path string
		status             int
		typ                string // the Content-Type begins so
	}{
		{"front page", "HEAD", "/", http.StatusOK, "text/html"},
		{"a room's page", "HEAD", "/r/K7M2QX", http.StatusOK, "text/html"},
		{"leaderboard page", "HEAD", "/leaderboard", http.StatusOK, "text/html"},
		{"profile page", "HEAD", "/p/abc", http.StatusOK, "text/html"},
		{"healthz", "HEAD", "/healthz", http.StatusOK, "application/json"},
		{"favicon", "HEAD", "/favicon.ico", http.StatusOK, "image/svg+xml"},
		{"SDK", "HEAD", "/sdk/goldmine.js", http.StatusOK, "text/javascript"},
		{"static file", "HEAD", css, http.StatusOK, "text/css"},
		{"unknown path", "HEAD", "/nothing/here", http.StatusNotFound, ""},
		{"POST / is still refused", "POST", "/", http.StatusMethodNotAllowed, "application/json"},
		{"DELETE /healthz is still refused", "DELETE", "/healthz", http.StatusMethodNotAllowed, "application/json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, h.ts.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if got, want := resp.StatusCode, tt.status; got != want {
				t.Fatalf("%s %s: status=%d, want %d", tt.method, tt.path, got, want)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.typ) {
				t.Fatalf("%s %s: Content-Type %q, want %s…", tt.method, tt.path, resp.Header.Get("Content-Type"), tt.typ)
			}
			if tt.method != "HEAD" {
				return
			}
			if len(body) != 0 {
				t.Fatalf("HEAD %s: a body of %d bytes", tt.path, len(body))
			}
			if tt.status != http.StatusOK {
				return
			}
			get, err := http.Get(h.ts.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			full, _ := io.ReadAll(get.Body)
			get.Body.Close()
			if get.StatusCode != http.StatusOK || resp.ContentLength != int64(len(full)) {
				t.Fatalf("HEAD %s: Content-Length %d; GET: %d with %d bytes", tt.path, resp.ContentLength, get.StatusCode, len(full))
			}
			if got, want := resp.Header.Get("Cache-Control"), get.Header.Get("Cache-Control"); got != want {
				t.Fatalf("HEAD %s: Cache-Control %q, GET %q", tt.path, got, want)
			}
		})
	}
}
