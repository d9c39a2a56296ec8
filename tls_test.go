package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts it.
func selfSigned(t *testing.T) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "goldmine test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	kb, _ := x509.MarshalECPrivateKey(priv)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return cert, key, pool
}

// TestTLSWithOwnCertificate serves HTTPS and WSS with --tls-cert and
// --tls-key, through run() as a user would start it.
func TestTLSWithOwnCertificate(t *testing.T) {
	cert, key, pool := selfSigned(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncWriter
	done := make(chan int)
	args := []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "g.db"), "--tls-cert", cert, "--tls-key", key, "--log-format", "json"}
	go func() { done <- run(ctx, args, func(string) string { return "" }, &bytes.Buffer{}, &stderr) }()
	addr := waitServing(t, &stderr)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("HTTPS /healthz: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Fatalf("HTTPS without HSTS: %q", got)
	}
	d := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: pool}}
	ws, _, err := d.Dial("wss://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping","t":"wss"}`))
	_, msg, err := ws.ReadMessage()
	if err != nil || !strings.Contains(string(msg), `"t":"wss"`) {
		t.Fatalf("pong over WSS: %s %v", msg, err)
	}
	ws.Close()
	// Plain HTTP on the TLS port is refused.
	if r, err := http.Get("http://" + addr + "/healthz"); err == nil && r.StatusCode == 200 {
		t.Fatal("plain HTTP served on the TLS port")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
}

func waitServing(t *testing.T, stderr *syncWriter) string {
	t.Helper()
	for i := 0; i < 1000; i++ {
		for _, line := range strings.Split(stderr.String(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "goldmine: serving" {
				return rec.Addr
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("not serving:\n%s", stderr.String())
	return ""
}

func TestTLSConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", "a.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-key", "a.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", "a", "--tls-key", "b", "--acme-domain", "x.example"}, "not both"},
		{[]string{"--metrics-addr", ":8080"}, "must differ"},
	} {
		var stderr bytes.Buffer
		if code := run(context.Background(), tt.args, func(string) string { return "" }, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr.String(), tt.want)
		}
	}
	var stderr bytes.Buffer
	args := []string{"--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem", "--db", filepath.Join(t.TempDir(), "g.db")}
	if code := run(context.Background(), args, func(string) string { return "" }, &bytes.Buffer{}, &stderr); code != 1 || !strings.Contains(stderr.String(), "tls") {
		t.Errorf("missing certificate: exit %d, %q", code, stderr.String())
	}
}

func TestACME(t *testing.T) {
	var cfg config
	if err := cfg.parse("goldmine", []string{"--acme-domain", "play.example.com, www.play.example.com", "--db", "/var/lib/goldmine/goldmine.db"},
		func(string) string { return "" }, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":443" {
		t.Fatalf("--acme-domain without --addr serves on %q, want :443", cfg.Addr)
	}
	if got := acmeCacheDir(cfg.DB); got != "/var/lib/goldmine/acme-cache" {
		t.Fatalf("cache dir %q, want it next to the database", got)
	}
	setup, err := newTLS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A name we were not asked to serve is refused before any ACME call.
	if _, err := setup.config.GetCertificate(&tls.ClientHelloInfo{ServerName: "evil.example"}); err == nil {
		t.Fatal("a certificate was offered for a host not in --acme-domain")
	}
	// The HTTP listener redirects to HTTPS, and keeps ACME challenges.
	rec := httptest.NewRecorder()
	setup.challenge.ServeHTTP(rec, httptest.NewRequest("GET", "http://play.example.com/api/rooms?status=waiting", nil))
	if rec.Code != 301 || rec.Header().Get("Location") != "https://play.example.com/api/rooms?status=waiting" {
		t.Fatalf("redirect: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = httptest.NewRecorder()
	setup.challenge.ServeHTTP(rec, httptest.NewRequest("GET", "http://play.example.com/.well-known/acme-challenge/abc", nil))
	if rec.Code == 301 {
		t.Fatal("an ACME challenge was redirected instead of answered")
	}
	for _, tt := range []struct {
		addr, method, url, loc string
		code                   int
	}{
		{":8443", "GET", "http://play.example.com:80/x", "https://play.example.com:8443/x", 301},
		{":443", "HEAD", "http://play.example.com/", "https://play.example.com/", 301},
		{":443", "POST", "http://play.example.com/api/players", "", 400},
	} {
		rec := httptest.NewRecorder()
		redirectToHTTPS(tt.addr).ServeHTTP(rec, httptest.NewRequest(tt.method, tt.url, nil))
		if rec.Code != tt.code || rec.Header().Get("Location") != tt.loc {
			t.Errorf("%s %s to %s: %d %q, want %d %q", tt.method, tt.url, tt.addr, rec.Code, rec.Header().Get("Location"), tt.code, tt.loc)
		}
	}
}
