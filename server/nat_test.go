package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/goldmine-game/goldmine/server"
)

// atDefaults serves the way main does, with every limit at the default of
// its flag.
func atDefaults(o *harnessOpts) {
	o.tcp = true
	o.limits = server.Limits{}
	o.ws = server.WSConfig{}
}

// tally counts the statuses a crowd of clients got.
type tally struct {
	mu    sync.Mutex
	codes map[int]int
	errs  []string
}

func (t *tally) add(code int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.codes == nil {
		t.codes = map[int]int{}
	}
	if err != nil {
		t.errs = append(t.errs, err.Error())
		return
	}
	t.codes[code]++
}

// call sends one API request with a device's own client.
func call(web *http.Client, method, url, token, body string) (int, string, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := web.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), nil
}

// TestNATCrowdAtTheDefaults is 200 players behind one address (a school,
// a carrier NAT), each on a device of its own: they sign up as they
// arrive, sit in the lobby polling it every 3 s, and 100 pairs of them
// play a whole game each over real WebSockets, every socket open at once.
// At the default limits none of them may see a 429.
func TestNATCrowdAtTheDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("200 players and 100 games")
	}
	h := newHarness(t, atDefaults)
	const people = 200
	type device struct {
		web   *http.Client
		id    string
		token string
	}
	devices := make([]*device, people)
	var signups, polls tally
	var wg sync.WaitGroup
	stop := make(chan struct{})
	// They arrive over 3 s, sign up, and poll the lobby until the end.
	for i := range devices {
		d := &device{web: &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}}
		devices[i] = d
		time.Sleep(3 * time.Second / people)
		code, body, err := call(d.web, "POST", h.ts.URL+"/api/players", "", fmt.Sprintf(`{"name":"Pupil %d"}`, i))
		signups.add(code, err)
		if code != 201 {
			t.Fatalf("sign-up %d: %d %s %v", i, code, body, err)
		}
		var p player
		mustJSON(t, body, &p)
		d.id, d.token = p.ID, p.Token
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(3*time.Second + time.Duration(rand.IntN(200))*time.Millisecond)
			defer tick.Stop()
			for {
				code, _, err := call(d.web, "GET", h.ts.URL+"/api/rooms", d.token, "")
				polls.add(code, err)
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
	}
	defer func() {
		for _, d := range devices {
			if d != nil {
				d.web.CloseIdleConnections()
			}
		}
	}()

	// 100 rooms, each with its two players' sockets open, all at once.
	tables := make([]*table, 0, people/2)
	for g := 0; g < people/2; g++ {
		a, b := devices[2*g], devices[2*g+1]
		code, body, err := call(a.web, "POST", h.ts.URL+"/api/rooms", a.token, `{"preset":"classic"}`)
		if code != 201 {
			t.Fatalf("room %d: %d %s %v", g, code, body, err)
		}
		var snap map[string]any
		mustJSON(t, body, &snap)
		id := snap["id"].(string)
		ca := h.dial(fmt.Sprintf("g%d-a", g), nil)
		ca.hello(a.token, id, "player")
		cb := h.dial(fmt.Sprintf("g%d-b", g), nil)
		wb := cb.hello(b.token, id, "player")
		ca.expect("player_joined")
		rules := wb.room()["rules"].(map[string]any)
		tb := newTable(t, int(rules["rows"].(float64)), int(rules["cols"].(float64)), 2, 0, []*client{ca, cb})
		tb.event("game_started")
		tb.layout = h.layout(id)
		tables = append(tables, tb)
	}
	if got := h.srv.Sessions(); got != people {
		t.Fatalf("%d sockets open, want %d", got, people)
	}
	open := h.conns.Open()
	digs := 0
	for g, tb := range tables {
		if over := tb.playOut(); over.str("reason") != "all_gold" {
			t.Fatalf("game %d: %s", g, over.raw)
		}
		digs += tb.moves
	}
	// One more round of polls after the games.
	time.Sleep(3500 * time.Millisecond)
	close(stop)
	wg.Wait()
	for _, tb := range tables {
		for _, c := range tb.all {
			c.ws.Close()
		}
	}
	t.Logf("%d players behind one address: sign-ups %v, lobby polls %v (errors %d), %d games of %d digs over %d sockets; %d TCP connections open at the peak",
		people, signups.codes, polls.codes, len(polls.errs), len(tables), digs, people, open)
	if polls.codes[http.StatusTooManyRequests] > 0 || signups.codes[http.StatusTooManyRequests] > 0 {
		t.Fatalf("429s at the defaults: sign-ups %v, polls %v", signups.codes, polls.codes)
	}
	if len(polls.errs) > 0 || polls.codes[200] < people*2 {
		t.Fatalf("lobby polls %v, errors %v", polls.codes, polls.errs)
	}
}

// TestScriptFromOneAddressIsStopped: at the defaults, a script hammering
// the API from one address is refused once past the burst, whether it
// sends no token, forged ones (which get no bucket of their own) or one
// real token; and a script opening sockets stops at the per-address cap.
func TestScriptFromOneAddressIsStopped(t *testing.T) {
	cases := []struct {
		name  string
		token func(h *harness, i int) string
		max   int // requests let through, at most, in a flood of 1,000
	}{
		{"NoToken", func(*harness, int) string { return "" }, server.DefaultAPIBurst + 50},
		{"ForgedTokens", func(_ *harness, i int) string { return fmt.Sprintf("p%d.forged", i) }, server.DefaultAPIBurst + 50},
		{"OneToken", func() func(h *harness, i int) string {
			var tok string
			return func(h *harness, i int) string {
				if tok == "" {
					tok = h.player("Script").Token
				}
				return tok
			}
		}(), server.DefaultPlayerAPIBurst + 50},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, atDefaults)
			web := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
			defer web.CloseIdleConnections()
			ok, refused := 0, 0
			for i := 0; i < 1000; i++ {
				code, _, err := call(web, "GET", h.ts.URL+"/api/leaderboard", tc.token(h, i), "")
				if err != nil {
					t.Fatal(err)
				}
				switch code {
				case http.StatusTooManyRequests:
					refused++
				default:
					ok++
				}
			}
			t.Logf("a flood of 1000: %d answered, %d refused with 429", ok, refused)
			if ok > tc.max || refused == 0 {
				t.Fatalf("a flood of 1000: %d answered, %d refused; want at most %d answered", ok, refused, tc.max)
			}
		})
	}
	t.Run("Sockets", func(t *testing.T) {
		h := newHarness(t, atDefaults)
		var opened []*websocket.Conn
		defer func() {
			for _, c := range opened {
				c.Close()
			}
		}()
		url := "ws" + strings.TrimPrefix(h.ts.URL, "http") + "/ws"
		for i := 0; ; i++ {
			c, resp, err := websocket.DefaultDialer.Dial(url, nil)
			if err != nil {
				if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
					t.Fatalf("socket %d: %v", i, err)
				}
				if i != server.DefaultMaxConnsPerIP {
					t.Fatalf("refused at socket %d, want at %d", i, server.DefaultMaxConnsPerIP)
				}
				return
			}
			opened = append(opened, c)
		}
	})
}

// TestUntrustedForwardedForWarns: X-Forwarded-For from a peer that is not a
// trusted proxy is ignored, and logged once (then at most once an hour),
// with a hint at --trusted-proxies.
func TestUntrustedForwardedForWarns(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 5; i++ {
		req, _ := http.NewRequest("GET", h.ts.URL+"/api/rooms", nil)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got := strings.Count(h.logs.String(), "X-Forwarded-For from a peer that is not a trusted proxy"); got != 1 {
		t.Fatalf("warned %d times about an untrusted X-Forwarded-For, want once", got)
	}
	if !strings.Contains(h.logs.String(), "--trusted-proxies") || !strings.Contains(h.logs.String(), "peer=127.0.0.1") {
		t.Fatalf("the warning does not say what to do:\n%s", h.logs.String())
	}
	// From a trusted proxy, no warning.
	h2 := newHarness(t, func(o *harnessOpts) { o.srv = func(c *serverConfig) { c.TrustedProxies = []string{"127.0.0.1"} } })
	req, _ := http.NewRequest("GET", h2.ts.URL+"/api/rooms", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if strings.Contains(h2.logs.String(), "not a trusted proxy") {
		t.Fatal("warned about a trusted proxy's X-Forwarded-For")
	}
}

func mustJSON(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
}
