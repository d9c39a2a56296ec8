package admin_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/admin"
)

// TestLoginThrottleConcurrentGuesses: 200 guesses sent at once from one
// address get LoginFailures evaluations; the others 429, unevaluated.
func TestLoginThrottleConcurrentGuesses(t *testing.T) {
	e := newEnv(t, password)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	start := make(chan struct{})
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := http.PostForm(e.ts.URL+"/admin/login", url.Values{"password": {fmt.Sprintf("guess-%03d", i)}})
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	got := e.console.LoginsEvaluated()
	t.Logf("200 concurrent guesses: %d evaluated, answers %v", got, codes)
	if got > admin.LoginFailures {
		t.Fatalf("%d of 200 concurrent guesses evaluated, want at most %d", got, admin.LoginFailures)
	}
	if codes[http.StatusUnauthorized] != int(got) || codes[http.StatusTooManyRequests] != 200-int(got) {
		t.Fatalf("answers %v: want %d 401 and the rest 429", codes, got)
	}
	// The right password waits for the window, like any other guess.
	resp, _ := e.browser().do("POST", "/admin/login", url.Values{"password": {password}}, nil)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the right password while throttled: %d, want 429", resp.StatusCode)
	}
	e.now.Add(admin.LoginWindow + time.Second)
	e.browser().login(password)
}

// TestLoginThrottleStagedBodies: 300 logins send their headers first and
// their passwords only once all are waiting, the right one at guess 250.
// The attempts are counted on the headers, so only LoginFailures of them
// are evaluated, and the right password is not among them.
func TestLoginThrottleStagedBodies(t *testing.T) {
	e := newEnv(t, password)
	const n, right = 300, 250
	conns := make([]net.Conn, n)
	bodies := make([]string, n)
	for i := range conns {
		bodies[i] = url.Values{"password": {fmt.Sprintf("guess-%03d", i)}}.Encode()
		if i == right {
			bodies[i] = url.Values{"password": {password}}.Encode()
		}
		c, err := net.Dial("tcp", e.ts.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /admin/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", len(bodies[i]))
		conns[i] = c
	}
	// Each answer is read as soon as it comes: a throttled attempt is
	// answered on its headers, before its password is sent.
	type answer struct {
		code       int
		beforeBody bool
		err        error
	}
	answers := make([]answer, n)
	var sent sync.WaitGroup
	var bodiesSent atomicBool
	sent.Add(n)
	for i, c := range conns {
		go func() {
			defer sent.Done()
			c.SetReadDeadline(time.Now().Add(15 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				answers[i].err = err
				return
			}
			resp.Body.Close()
			answers[i] = answer{code: resp.StatusCode, beforeBody: !bodiesSent.get()}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	if got := e.console.LoginsEvaluated(); got != 0 {
		t.Fatalf("%d evaluated before any password arrived", got)
	}
	bodiesSent.set()
	for i, c := range conns {
		c.Write([]byte(bodies[i])) // a refused one may be closed already
	}
	sent.Wait()
	codes := map[int]int{}
	early := 0
	for i, a := range answers {
		if a.err != nil {
			t.Fatalf("guess %d: %v", i, a.err)
		}
		codes[a.code]++
		if a.code == http.StatusTooManyRequests && a.beforeBody {
			early++
		}
		if i == right && a.code == http.StatusSeeOther {
			t.Fatalf("the right password, sent as guess %d, was accepted", i)
		}
	}
	got := e.console.LoginsEvaluated()
	t.Logf("%d staged guesses: %d evaluated, answers %v", n, got, codes)
	if got > admin.LoginFailures {
		t.Fatalf("%d of %d staged guesses evaluated, want at most %d", got, n, admin.LoginFailures)
	}
	if codes[http.StatusTooManyRequests] != n-int(got) || early != n-int(got) {
		t.Fatalf("answers %v, %d of the 429s before the body: want %d 429, all before the body", codes, early, n-int(got))
	}
	if !strings.Contains(e.logs.String(), "admin: login throttled") {
		t.Fatal("throttled logins are not logged")
	}
}

// atomicBool is a flag set once, read from many goroutines.
type atomicBool struct {
	mu sync.Mutex
	v  bool
}

func (b *atomicBool) set()      { b.mu.Lock(); b.v = true; b.mu.Unlock() }
func (b *atomicBool) get() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.v }

// TestLoginUnreadableForm: a login whose form cannot be read (malformed,
// or cut at the body deadline) checks no password, and counts.
func TestLoginUnreadableForm(t *testing.T) {
	e := newEnv(t, password)
	for i := 0; i < admin.LoginFailures; i++ {
		resp, err := http.Post(e.ts.URL+"/admin/login", "application/x-www-form-urlencoded", strings.NewReader("password=%zz"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("a malformed form: %d, want 400", resp.StatusCode)
		}
	}
	if got := e.console.LoginsEvaluated(); got != 0 {
		t.Fatalf("%d passwords checked from unreadable forms", got)
	}
	resp, _ := e.browser().do("POST", "/admin/login", url.Values{"password": {password}}, nil)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after %d unreadable forms: %d, want 429", admin.LoginFailures, resp.StatusCode)
	}
}
