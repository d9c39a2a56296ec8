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

	"goldmine/admin"
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
	// Give every request time to reach its handler, then send the bodies.
	time.Sleep(500 * time.Millisecond)
	if got := e.console.LoginsEvaluated(); got != 0 {
		t.Fatalf("%d evaluated before any password arrived", got)
	}
	codes := map[int]int{}
	for i, c := range conns {
		c.Write([]byte(bodies[i]))
	}
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("guess %d: %v", i, err)
		}
		resp.Body.Close()
		codes[resp.StatusCode]++
		if i == right && resp.StatusCode == http.StatusSeeOther {
			t.Fatalf("the right password, sent as guess %d, was accepted", i)
		}
	}
	got := e.console.LoginsEvaluated()
	t.Logf("%d staged guesses: %d evaluated, answers %v", n, got, codes)
	if got > admin.LoginFailures {
		t.Fatalf("%d of %d staged guesses evaluated, want at most %d", got, n, admin.LoginFailures)
	}
	if codes[http.StatusTooManyRequests] != n-int(got) {
		t.Fatalf("answers %v: want %d 429", codes, n-int(got))
	}
	if !strings.Contains(e.logs.String(), "admin: login throttled") {
		t.Fatal("throttled logins are not logged")
	}
}
