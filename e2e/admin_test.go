package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// adminBrowser is an admin's browser at a goldmine process.
type adminBrowser struct {
	t *testing.T
	c *http.Client
}

func newAdminBrowser(t *testing.T) *adminBrowser {
	jar, _ := cookiejar.New(nil)
	return &adminBrowser{t: t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *adminBrowser) do(method, u string, form url.Values) (int, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// goldmineAdmin runs the real binary's `goldmine admin ...` as a second
// process beside the server.
func goldmineAdmin(t *testing.T, bin, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"admin"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

var (
	setupLogRe = regexp.MustCompile(`"url":"(https://play\.example\.com(/admin/setup\?token=[0-9a-f]{64}))"`)
	linkRe     = regexp.MustCompile(`https://play\.example\.com(/admin/(?:link|setup)\?token=[0-9a-f]{64})`)
)

// TestAdminCommand drives `goldmine admin` against a running server on the
// same database, as an operator locked out by the login throttle would:
// the first start logs one full setup URL; set-password sets the password
// the server then takes; login-link gets in while the address is
// throttled; a session survives a restart; sessions lists and revokes.
func TestAdminCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "g.db")
	adv := "--advertise-url=https://play.example.com"
	p := startProc(t, bin, "--db", db, adv)
	m := setupLogRe.FindStringSubmatch(p.log())
	if m == nil {
		t.Fatalf("no full setup URL in the log:\n%s", p.log())
	}
	setupPath := m[2]

	// No password yet: login-link hands out a setup link instead.
	code, out, errOut := goldmineAdmin(t, bin, "", "login-link", "--db", db, adv)
	if code != 0 || !strings.Contains(out, "No admin password is set yet") || !linkRe.MatchString(out) {
		t.Fatalf("login-link before a password: %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := goldmineAdmin(t, bin, "short\n", "set-password", "--db", db); code != 1 || !strings.Contains(errOut, "8 to 72 bytes") {
		t.Fatalf("set-password with a short one: %d %s", code, errOut)
	}
	const pw = "operator's own password"
	if code, out, errOut := goldmineAdmin(t, bin, pw+"\n", "set-password", "--db", db); code != 0 || !strings.Contains(out, "password is set") {
		t.Fatalf("set-password: %d\n%s%s", code, out, errOut)
	}
	b := newAdminBrowser(t)
	if code, _ := b.do("POST", p.url+"/admin/login", url.Values{"password": {pw}}); code != http.StatusSeeOther {
		t.Fatalf("the running server does not take the password set by the command: %d", code)
	}
	if code, page := b.do("GET", p.url+setupPath, nil); code != http.StatusNotFound || !strings.Contains(page, "A password is already set") {
		t.Fatalf("the setup link after set-password: %d\n%s", code, page)
	}

	// Someone behind the same address fails five times: the throttle
	// holds even the right password, and a login link still gets in.
	locked := newAdminBrowser(t)
	for range 5 {
		locked.do("POST", p.url+"/admin/login", url.Values{"password": {"guess guess"}})
	}
	if code, _ := locked.do("POST", p.url+"/admin/login", url.Values{"password": {pw}}); code != http.StatusTooManyRequests {
		t.Fatalf("the throttle: %d, want 429", code)
	}
	code, out, errOut = goldmineAdmin(t, bin, "", "login-link", "--db", db, adv)
	lm := linkRe.FindStringSubmatch(out)
	if code != 0 || lm == nil || !strings.Contains(lm[1], "/admin/link?token=") {
		t.Fatalf("login-link: %d\n%s%s", code, out, errOut)
	}
	token := strings.TrimPrefix(lm[1], "/admin/link?token=")
	if code, page := locked.do("GET", p.url+lm[1], nil); code != http.StatusOK || !strings.Contains(page, "Log in") {
		t.Fatalf("the login link's page: %d", code)
	}
	if code, _ := locked.do("POST", p.url+"/admin/link", url.Values{"token": {token}}); code != http.StatusSeeOther {
		t.Fatalf("using the login link: %d, want 303", code)
	}
	if code, _ := locked.do("GET", p.url+"/admin/", nil); code != http.StatusOK {
		t.Fatalf("the console after the login link: %d", code)
	}
	if code, _ := newAdminBrowser(t).do("POST", p.url+"/admin/link", url.Values{"token": {token}}); code != http.StatusNotFound {
		t.Fatalf("the login link used twice: %d, want 404", code)
	}

	// A graceful restart keeps both admins signed in.
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("stop: exit %d", code)
	}
	p = startProc(t, bin, "--db", db, adv)
	for _, br := range []*adminBrowser{b, locked} {
		if code, _ := br.do("GET", p.url+"/admin/", nil); code != http.StatusOK {
			t.Fatalf("an admin after a restart: %d, want 200", code)
		}
	}

	code, out, _ = goldmineAdmin(t, bin, "", "sessions", "--db", db)
	if code != 0 || !strings.Contains(out, "login link") || !strings.Contains(out, "password") || strings.Count(out, "\n") != 3 {
		t.Fatalf("sessions: %d\n%s", code, out)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	if code, out, _ := goldmineAdmin(t, bin, "", "sessions", "revoke", id, "--db", db); code != 0 || !strings.Contains(out, "revoked 1") {
		t.Fatalf("revoke %s: %d %s", id, code, out)
	}
	if code, out, _ := goldmineAdmin(t, bin, "", "sessions", "revoke", "--all", "--db", db); code != 0 || !strings.Contains(out, "revoked 1") {
		t.Fatalf("revoke --all: %d %s", code, out)
	}
	for _, br := range []*adminBrowser{b, locked} {
		if code, _ := br.do("GET", p.url+"/admin/", nil); code != http.StatusSeeOther {
			t.Fatalf("an admin after revoke --all: %d, want a redirect to the login", code)
		}
	}
	if code, _, errOut := goldmineAdmin(t, bin, "", "sessions", "--db", filepath.Join(t.TempDir(), "none.db")); code != 1 || !strings.Contains(errOut, "no database at") {
		t.Fatalf("a wrong --db: %d %s", code, errOut)
	}
}
