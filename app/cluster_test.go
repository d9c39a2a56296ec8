package app

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/goldmine-game/goldmine/internal/pgtest"
)

// clusterNode is an in-process node of a test cluster.
type clusterNode struct {
	gm *Server
	ts *httptest.Server
}

// startClusterNode runs a node on db at a listener opened first, so that
// it can advertise its URL.
func startClusterNode(t *testing.T, db, id string) *clusterNode {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	url := "http://" + ts.Listener.Addr().String()
	gm, err := New(Config{DB: db, Node: id, AdvertiseURL: url, Lease: 2 * time.Second, AdminPassword: "cluster-secret", Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = gm.Handler()
	ts.Start()
	t.Cleanup(func() {
		gm.Drain()
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		gm.Close(ctx)
	})
	if err := gm.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &clusterNode{gm: gm, ts: ts}
}

func (n *clusterNode) do(t *testing.T, c *http.Client, method, path, token string, body string, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, n.ts.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" && strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	} else if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

var csrfToken = regexp.MustCompile(`"X-CSRF-Token": "([0-9a-f]+)"`)

// TestConsoleFollowsTheOwner: two nodes on one PostgreSQL database. The
// console of node a lists the room node b owns, with its node; shows its
// page and its live stream, rendered by b; and closes it on b, with a's
// session and CSRF token. b refuses a forged node signature. The API of a
// answers for b's room, and adds a bot to it there.
func TestConsoleFollowsTheOwner(t *testing.T) {
	db := pgtest.NewDB(t)
	a, b := startClusterNode(t, db, "a"), startClusterNode(t, db, "b")
	api := http.DefaultClient
	code, body := b.do(t, api, "POST", "/api/players", "", `{"name":"Bea"}`, nil)
	if code != 201 {
		t.Fatalf("player: %d %s", code, body)
	}
	var p struct {
		Token string `json:"token"`
	}
	json.Unmarshal([]byte(body), &p)
	code, body = b.do(t, api, "POST", "/api/rooms", p.Token, `{"preset":"classic","name":"Far away"}`, nil)
	if code != 201 {
		t.Fatalf("room: %d %s", code, body)
	}
	var snap struct {
		ID    string `json:"id"`
		Node  string `json:"node"`
		WSURL string `json:"ws_url"`
	}
	json.Unmarshal([]byte(body), &snap)
	if snap.Node != "b" || snap.WSURL != "ws"+strings.TrimPrefix(b.ts.URL, "http")+"/ws" {
		t.Fatalf("snapshot from b: node %q ws_url %q", snap.Node, snap.WSURL)
	}
	// The API of a adds a bot to b's room (the request goes to b, as it came).
	if code, body := a.do(t, api, "POST", "/api/rooms/"+snap.ID+"/bots", p.Token, `{"level":"easy"}`, nil); code != 201 {
		t.Fatalf("add a bot through a: %d %s", code, body)
	}
	if code, body := a.do(t, api, "GET", "/api/rooms/"+snap.ID, "", "", nil); code != 200 || !strings.Contains(body, `"node":"b"`) || !strings.Contains(body, `"bot":true`) {
		t.Fatalf("b's room through a: %d %s", code, body)
	}

	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if code, _ := a.do(t, admin, "POST", "/admin/login", "", url.Values{"password": {"cluster-secret"}}.Encode(), nil); code != http.StatusSeeOther {
		t.Fatalf("login at a: %d", code)
	}
	_, dash := a.do(t, admin, "GET", "/admin/", "", "", nil)
	m := csrfToken.FindStringSubmatch(dash)
	if m == nil || !strings.Contains(dash, "<code>b</code>") || !strings.Contains(dash, "this node") {
		t.Fatalf("a's dashboard: no CSRF token or no nodes:\n%s", dash)
	}
	csrf := m[1]
	if _, list := a.do(t, admin, "GET", "/admin/rooms", "", "", nil); !strings.Contains(list, snap.ID) || !strings.Contains(list, "<td><code>b</code></td>") {
		t.Fatalf("a's room list lacks b's room:\n%s", list)
	}
	code, page := a.do(t, admin, "GET", "/admin/rooms/"+snap.ID, "", "", nil)
	if code != 200 || !strings.Contains(page, "Far away") || !strings.Contains(page, "node b</span>") || !strings.Contains(page, csrf) {
		t.Fatalf("b's room page through a: %d, with a's CSRF token: %v\n%s", code, strings.Contains(page, csrf), page)
	}

	// The live stream comes from b, through a.
	req, _ := http.NewRequest("GET", a.ts.URL+"/admin/rooms/"+snap.ID+"/stream", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := admin.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("stream through a: %d %s", resp.StatusCode, ct)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && sc.Text() != "event: board" {
	}
	if sc.Text() != "event: board" {
		t.Fatalf("no board event on the stream: %v", sc.Err())
	}

	// b refuses a forged signature: it is a login redirect, as with no
	// session. (Sessions live in the shared database, so a's cookie would
	// sign the admin in at b too: this request carries none.)
	stranger := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if code, _ := b.do(t, stranger, "GET", "/admin/rooms/"+snap.ID, "", "", map[string]string{"X-Goldmine-Node-Auth": "a.9999999999.00"}); code != http.StatusSeeOther {
		t.Fatalf("a forged node signature at b: %d", code)
	}
	// An action without a's CSRF token is refused at a; with it, b runs it.
	if code, _ := a.do(t, admin, "POST", "/admin/rooms/"+snap.ID+"/close", "", "", map[string]string{"HX-Request": "true"}); code != http.StatusForbidden {
		t.Fatalf("close without CSRF: %d", code)
	}
	if code, body := a.do(t, admin, "POST", "/admin/rooms/"+snap.ID+"/close", "", "", map[string]string{"HX-Request": "true", "X-CSRF-Token": csrf}); code != 200 {
		t.Fatalf("close through a: %d %s", code, body)
	}
	if code, _ := b.do(t, api, "GET", "/api/rooms/"+snap.ID, "", "", nil); code != 404 {
		t.Fatalf("b's room after a closed it: %d", code)
	}
}

// TestNodesAllowEachOthersOrigin: the web client served by node a may open
// a WebSocket at node b; a stranger's page may not.
func TestNodesAllowEachOthersOrigin(t *testing.T) {
	db := pgtest.NewDB(t)
	a, b := startClusterNode(t, db, "a"), startClusterNode(t, db, "b")
	dial := func(origin string) int {
		h := http.Header{"Origin": {origin}}
		ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(b.ts.URL, "http")+"/ws", h)
		if err == nil {
			ws.Close()
		}
		if resp == nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	if code := dial("http://stranger.example"); code != http.StatusForbidden {
		t.Fatalf("a stranger's origin at b: %d", code)
	}
	// b learns the nodes' origins at each round of its lease.
	deadline := time.Now().Add(3 * time.Second)
	for dial(a.ts.URL) != http.StatusSwitchingProtocols {
		if time.Now().After(deadline) {
			t.Fatal("b refuses a WebSocket from a page of node a")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBanClosesSocketsOnEveryNode: an admin at node a bans a player whose
// socket is at node b: b closes it with error banned and 4003, at once.
func TestBanClosesSocketsOnEveryNode(t *testing.T) {
	db := pgtest.NewDB(t)
	a, b := startClusterNode(t, db, "a"), startClusterNode(t, db, "b")
	api := http.DefaultClient
	_, body := b.do(t, api, "POST", "/api/players", "", `{"name":"Mallory"}`, nil)
	var p struct {
		ID    string `json:"player_id"`
		Token string `json:"token"`
	}
	json.Unmarshal([]byte(body), &p)
	code, body := b.do(t, api, "POST", "/api/rooms", p.Token, `{"preset":"classic","turn_seconds":0}`, nil)
	var snap struct {
		ID string `json:"id"`
	}
	if json.Unmarshal([]byte(body), &snap); code != 201 {
		t.Fatalf("room at b: %d %s", code, body)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(b.ts.URL, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteJSON(map[string]any{"type": "hello", "token": p.Token, "room": snap.ID, "as": "player"})
	var f map[string]any
	if ws.ReadJSON(&f); f["type"] != "welcome" {
		t.Fatalf("hello at b: %v", f)
	}

	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if code, _ := a.do(t, admin, "POST", "/admin/login", "", url.Values{"password": {"cluster-secret"}}.Encode(), nil); code != http.StatusSeeOther {
		t.Fatalf("login at a: %d", code)
	}
	_, dash := a.do(t, admin, "GET", "/admin/", "", "", nil)
	m := csrfToken.FindStringSubmatch(dash)
	if m == nil {
		t.Fatal("no CSRF token at a")
	}
	if code, body := a.do(t, admin, "POST", "/admin/players/"+p.ID+"/ban", "", "", map[string]string{"HX-Request": "true", "X-CSRF-Token": m[1]}); code != 200 {
		t.Fatalf("ban at a: %d %s", code, body)
	}
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	sawBanned := false
	for {
		var f map[string]any
		err := ws.ReadJSON(&f)
		if err != nil {
			ce, ok := err.(*websocket.CloseError)
			if !ok || ce.Code != 4003 || !sawBanned {
				t.Fatalf("b's socket after a ban at a: %v (error banned seen: %v), want error banned then 4003", err, sawBanned)
			}
			break
		}
		if f["type"] == "error" && f["code"] == "banned" {
			sawBanned = true
		}
	}
	// A forged request to close someone's sockets is refused.
	if code, _ := b.do(t, http.DefaultClient, "POST", "/admin/players/"+p.ID+"/disconnect", "", "", map[string]string{"X-Goldmine-Node-Auth": "a.9999999999.00"}); code == http.StatusOK {
		t.Fatalf("a forged disconnect at b: %d", code)
	}
}
