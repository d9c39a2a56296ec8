package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/goldmine-game/goldmine/internal/pgtest"
	"github.com/goldmine-game/goldmine/store"
)

// linkRe finds the login or setup link `goldmine admin login-link` prints.
var linkRe = regexp.MustCompile(`https://play\.example\.com(/admin/(?:link|setup)\?token=[0-9a-f]{64})`)

// TestAdminUsage: the subcommand's mistakes are told, with exit code 2.
func TestAdminUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"admin"}, 2, "set-password"},
		{[]string{"admin", "--help"}, 0, "login-link"},
		{[]string{"admin", "nope"}, 2, `unknown command "nope"`},
		{[]string{"admin", "sessions", "revoke"}, 2, "needs a session ID"},
		{[]string{"admin", "sessions", "--nope"}, 2, "not defined"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tt.args, func(string) string { return "" }, &stdout, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: %d %q, want %d and %q", tt.args, code, stderr.String(), tt.code, tt.want)
		}
	}
}

// TestPublicURL: the links the server logs and prints are whole URLs.
func TestPublicURL(t *testing.T) {
	for _, tt := range []struct {
		cfg  config
		want string
	}{
		{config{Addr: ":8080"}, "http://localhost:8080"},
		{config{Addr: "0.0.0.0:80"}, "http://localhost"},
		{config{Addr: "[::]:8443", TLSCert: "c.pem"}, "https://localhost:8443"},
		{config{Addr: "192.0.2.7:8080"}, "http://192.0.2.7:8080"},
		{config{Addr: ":443", ACMEDomain: "play.example.com, www.example.com"}, "https://play.example.com"},
		{config{Addr: ":8080", AdvertiseURL: "https://node1.example.com/"}, "https://node1.example.com"},
	} {
		if got := publicURL(tt.cfg); got != tt.want {
			t.Errorf("publicURL(%+v) = %q, want %q", tt.cfg, got, tt.want)
		}
	}
}

// TestAdminCommandPostgres: on PostgreSQL, `goldmine admin` opens the
// database beside a server that holds its node lock, and its changes are
// the server's to read.
func TestAdminCommandPostgres(t *testing.T) {
	dsn := pgtest.NewDB(t)
	ctx := context.Background()
	srv, err := store.Open(ctx, store.Options{Path: dsn, Node: "node"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	none := func(string) string { return "" }
	var stdout, stderr bytes.Buffer
	if code := runAdmin(ctx, []string{"set-password", "--db", dsn}, none, strings.NewReader("a long enough one\n"), &stdout, &stderr); code != 0 {
		t.Fatalf("set-password: %d %s", code, stderr.String())
	}
	hash, err := srv.AdminPassword(ctx)
	if err != nil || bcrypt.CompareHashAndPassword(hash, []byte("a long enough one")) != nil {
		t.Fatalf("the server's store does not have the password: %v", err)
	}
	stdout.Reset()
	if code := runAdmin(ctx, []string{"login-link", "--db", dsn, "--advertise-url", "https://play.example.com"}, none, nil, &stdout, &stderr); code != 0 || !linkRe.MatchString(stdout.String()) {
		t.Fatalf("login-link: %d %s %s", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	if code := runAdmin(ctx, []string{"sessions", "--db", dsn}, none, nil, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "no admin sessions") {
		t.Fatalf("sessions: %d %s %s", code, stdout.String(), stderr.String())
	}
}

// FuzzPublicURL: any listen address gives an http(s) URL with a host and
// no path, and never a panic.
func FuzzPublicURL(f *testing.F) {
	for _, s := range []string{":8080", "0.0.0.0:80", "[::]:443", "192.0.2.7:8080", "nonsense", "", "[::1", "a:b:c"} {
		f.Add(s, "", false)
		f.Add(s, "play.example.com", true)
	}
	f.Fuzz(func(t *testing.T, addr, acme string, tls bool) {
		cfg := config{Addr: addr, ACMEDomain: acme}
		if tls {
			cfg.TLSCert = "c.pem"
		}
		got := publicURL(cfg)
		if !strings.HasPrefix(got, "http://") && !strings.HasPrefix(got, "https://") {
			t.Fatalf("publicURL(%q, %q) = %q", addr, acme, got)
		}
	})
}
