package app

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSecurityHeaders checks the headers on the client page, the console
// and the API, with the default frame ancestors and with a host's own, and
// HSTS only over TLS.
func TestSecurityHeaders(t *testing.T) {
	paths := []string{"/game/", "/game/r/ABCDEF", "/game/admin/login", "/game/api/rooms", "/game/static/app/app.css", "/game/nowhere"}
	cases := []struct {
		name, ancestors, wantFA, wantXFO string
	}{
		{"Default", "", "frame-ancestors 'self'", "SAMEORIGIN"},
		{"EmbeddingHost", "'self' https://host.example", "frame-ancestors 'self' https://host.example", ""},
		{"None", "'none'", "frame-ancestors 'none'", "DENY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gm := newTest(t, Config{Prefix: "/game", FrameAncestors: tc.ancestors})
			for _, tlsOn := range []bool{false, true} {
				var ts *httptest.Server
				if tlsOn {
					ts = httptest.NewTLSServer(gm.Handler())
				} else {
					ts = httptest.NewServer(gm.Handler())
				}
				client := ts.Client()
				client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
				for _, p := range paths {
					resp, err := client.Get(ts.URL + p)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					h := resp.Header
					csp := h.Get("Content-Security-Policy")
					for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", tc.wantFA} {
						if !strings.Contains(csp, want) {
							t.Errorf("%s: CSP %q lacks %q", p, csp, want)
						}
					}
					if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
						t.Errorf("%s: CSP %q allows inline code", p, csp)
					}
					if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
						t.Errorf("%s: X-Content-Type-Options %q", p, got)
					}
					if got := h.Get("X-Frame-Options"); got != tc.wantXFO {
						t.Errorf("%s: X-Frame-Options %q, want %q", p, got, tc.wantXFO)
					}
					if got := h.Get("Referrer-Policy"); got != "same-origin" {
						t.Errorf("%s: Referrer-Policy %q", p, got)
					}
					if got := h.Get("Strict-Transport-Security"); (got != "") != tlsOn {
						t.Errorf("%s over TLS=%v: Strict-Transport-Security %q", p, tlsOn, got)
					}
				}
				ts.Close()
			}
		})
	}
	t.Run("BadAncestors", func(t *testing.T) {
		_, err := New(Config{DB: t.TempDir() + "/g.db", Log: quiet(), FrameAncestors: "'self'; script-src *"})
		if err == nil || !strings.Contains(err.Error(), "frame ancestors") {
			t.Fatalf("New with a CSP injection in FrameAncestors: %v", err)
		}
	})
}
