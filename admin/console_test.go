package admin_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/goldmine-game/goldmine/admin"
)

// TestEveryRouteNeedsASession walks the whole route table: every /admin
// route but the login and setup pages (and the language switch, which only
// sets a cookie and goes back to a console page) sends a visitor without a
// session to the login page (GET) or answers 401 (anything else).
func TestEveryRouteNeedsASession(t *testing.T) {
	e := newEnv(t, password)
	b := e.browser()
	n := 0
	for _, r := range e.srv.Engine().Routes() {
		if !strings.HasPrefix(r.Path, "/admin") {
			continue
		}
		switch r.Path {
		case "/admin/login", "/admin/setup", "/admin/link", "/admin/lang":
			continue
		}
		path := strings.NewReplacer(":id", "K7M2QX", ":n", "1").Replace(r.Path)
		resp, _ := b.do(r.Method, path, url.Values{}, nil)
		switch r.Method {
		case "GET":
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/login" {
				t.Errorf("GET %s without a session: %d to %q, want 303 to /admin/login", path, resp.StatusCode, resp.Header.Get("Location"))
			}
		default:
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s without a session: %d, want 401", r.Method, path, resp.StatusCode)
			}
		}
		n++
	}
	if n < 15 {
		t.Fatalf("checked %d routes: the route table is not being read", n)
	}
}

func TestLogin(t *testing.T) {
	e := newEnv(t, password)
	b := e.browser()
	resp, page := b.do("GET", "/admin/login", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(page, `type="password"`) {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
	resp, _ = b.do("POST", "/admin/login", url.Values{"password": {password}}, map[string]string{"X-Forwarded-Proto": "https"})
	ck := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"goldmine_admin=", "HttpOnly", "SameSite=Strict", "Secure", "Path=/admin"} {
		if !strings.Contains(ck, want) {
			t.Fatalf("session cookie %q lacks %s", ck, want)
		}
	}
	b2 := e.browser()
	resp, _ = b2.do("POST", "/admin/login", url.Values{"password": {password}}, nil)
	if strings.Contains(resp.Header.Get("Set-Cookie"), "Secure") {
		t.Fatal("a plain-HTTP login set a Secure cookie, which the browser would then not send")
	}
	b2.login(password)
	if resp, _ := b2.do("GET", "/admin/rooms", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("rooms after login: %d", resp.StatusCode)
	}
	// Idle for more than 30 minutes: logged out.
	e.now.Add(admin.SessionIdle + time.Second)
	if resp, _ := b2.do("GET", "/admin/rooms", nil, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after 30 idle minutes: %d, want a redirect to the login", resp.StatusCode)
	}
	// Logout ends the session.
	b2.login(password)
	if resp, _ := b2.do("POST", "/admin/logout", url.Values{"csrf": {b2.csrf}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := b2.do("GET", "/admin/", nil, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: %d, want a redirect", resp.StatusCode)
	}
}

func TestLoginThrottle(t *testing.T) {
	e := newEnv(t, password)
	b := e.browser()
	for i := 0; i < admin.LoginFailures; i++ {
		if resp, _ := b.do("POST", "/admin/login", url.Values{"password": {"wrong"}}, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("bad login %d: %d, want 401", i+1, resp.StatusCode)
		}
	}
	// The 6th attempt in the minute is refused, even with the right password.
	resp, _ := b.do("POST", "/admin/login", url.Values{"password": {password}}, nil)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th login in a minute: %d, want 429", resp.StatusCode)
	}
	if !strings.Contains(e.logs.String(), "admin: login failed") || !strings.Contains(e.logs.String(), "ip=127.0.0.1") {
		t.Fatal("failed logins are not logged with the address")
	}
	e.now.Add(admin.LoginWindow + time.Second)
	b.login(password)
}

func TestCrossSiteAndCSRF(t *testing.T) {
	e := newEnv(t, password)
	b := e.browser()
	b.login(password)
	_, tok := e.player("Host")
	id := e.room(tok, "classic")
	// A cross-site POST is refused before anything else, token or not.
	resp, _ := b.do("POST", "/admin/rooms/"+id+"/close", url.Values{}, map[string]string{
		"X-CSRF-Token": b.csrf, "Sec-Fetch-Site": "cross-site"})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	resp, _ = b.do("POST", "/admin/rooms/"+id+"/close", url.Values{}, map[string]string{"Origin": "https://evil.example"})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST from another origin: %d, want 403", resp.StatusCode)
	}
	// Same site but no token: refused too.
	resp, _ = b.do("POST", "/admin/rooms/"+id+"/close", url.Values{}, nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without the CSRF token: %d, want 403", resp.StatusCode)
	}
	if _, err := e.rooms.Room(id); err != nil {
		t.Fatal("a refused request closed the room")
	}
	if resp, _ := b.post("/admin/rooms/"+id+"/close", nil); resp.StatusCode != 200 {
		t.Fatalf("POST with the token: %d", resp.StatusCode)
	}
}

func TestSetupLink(t *testing.T) {
	e := newEnv(t, "")
	m := setupRe.FindStringSubmatch(e.logs.String())
	if m == nil {
		t.Fatalf("no setup link in the log:\n%s", e.logs.String())
	}
	link := m[1]
	b := e.browser()
	if resp, _ := b.do("POST", "/admin/login", url.Values{"password": {""}}, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("login before setup: %d", resp.StatusCode)
	}
	if resp, _ := b.do("GET", "/admin/setup?token=wrong", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("setup with a wrong token: %d", resp.StatusCode)
	}
	token := strings.TrimPrefix(link, "/admin/setup?token=")
	if resp, page := b.do("GET", link, nil, nil); resp.StatusCode != 200 || !strings.Contains(page, "Set the admin password") {
		t.Fatalf("setup page: %d", resp.StatusCode)
	}
	for _, tt := range []struct{ pw, again, want string }{
		{"long enough", "different one", "differ"},
		{"short", "short", "8 to 72"},
		{strings.Repeat("x", 73), strings.Repeat("x", 73), "8 to 72"},
	} {
		resp, page := b.do("POST", "/admin/setup", url.Values{"token": {token}, "password": {tt.pw}, "again": {tt.again}}, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, tt.want) {
			t.Fatalf("setup %q/%q: %d, want 400 saying %q", tt.pw, tt.again, resp.StatusCode, tt.want)
		}
	}
	resp, _ := b.do("POST", "/admin/setup", url.Values{"token": {token}, "password": {password}, "again": {password}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup: %d", resp.StatusCode)
	}
	// The link works once.
	if resp, _ := b.do("GET", link, nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("setup link after use: %d, want 404", resp.StatusCode)
	}
	b.login(password)
	// The password outlives a restart: it is stored (hashed).
	hash, err := e.st.Meta(t.Context(), "admin:password")
	if err != nil || !strings.HasPrefix(string(hash), "$2") || strings.Contains(string(hash), password) {
		t.Fatalf("stored password %q, %v: want a bcrypt hash", hash, err)
	}
	if strings.Contains(e.logs.String(), password) {
		t.Fatal("the password is in the log")
	}
}

// TestPages renders every page with data in it.
func TestPages(t *testing.T) {
	e := newEnv(t, password)
	b := e.browser()
	b.login(password)
	aliceID, alice := e.player("Alice")
	_, bob := e.player("Bob")
	id, _, _ := e.startGame(alice, bob)
	for _, tt := range []struct {
		path   string
		has    []string
		hasNot []string
	}{
		{"/admin/", []string{"connections", "rooms playing", "moves in the last minute", "database"}, nil},
		{"/admin/?fragment=stats", []string{`class="stats"`}, []string{"<html"}},
		{"/admin/rooms", []string{id, "playing", "custom 9×9, 10 gold"}, nil},
		{"/admin/rooms?status=waiting&fragment=list", []string{"No rooms"}, []string{id}},
		{"/admin/rooms/" + id, []string{"Room <code>" + id, "Alice", "Bob", "hidden-gold", `sse-connect="/admin/rooms/` + id + `/stream"`, "Show hidden gold"}, nil},
		{"/admin/rooms/ZZZZZZ", []string{"There is no room ZZZZZZ"}, nil},
		{"/admin/players?q=ali", []string{"Alice", aliceID}, []string{"Bob"}},
		{"/admin/players?period=week", []string{"Leaderboard"}, nil},
		{"/admin/games", []string{"No games"}, nil},
		{"/admin/audit", []string{"No admin actions yet"}, nil},
	} {
		resp, page := b.do("GET", tt.path, nil, nil)
		if resp.StatusCode >= 500 {
			t.Fatalf("GET %s: %d", tt.path, resp.StatusCode)
		}
		for _, s := range tt.has {
			if !strings.Contains(page, s) {
				t.Fatalf("GET %s lacks %q:\n%s", tt.path, s, page)
			}
		}
		for _, s := range tt.hasNot {
			if strings.Contains(page, s) {
				t.Fatalf("GET %s holds %q", tt.path, s)
			}
		}
	}
	// Static files are served under their hash, for a year.
	_, page := b.do("GET", "/admin/", nil, nil)
	src := regexp1(`src="(/static/vendor/htmx-2.0.11.min.[0-9a-f]+.js)"`, page)
	resp, _ := b.do("GET", src, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("GET %s: %d %s", src, resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

// TestActionsOnLiveRooms kicks, closes and bans with real WebSocket
// clients in the rooms, and checks the audit log.
func TestActionsOnLiveRooms(t *testing.T) {
	e := newEnv(t, password)
	b := e.browser()
	b.login(password)
	_, alice := e.player("Alice")
	bobID, bob := e.player("Bob")
	carlID, carl := e.player("Carl")

	t.Run("Kick", func(t *testing.T) {
		id := e.room(alice, "party")
		wa := e.join(alice, id, "player")
		wb := e.join(bob, id, "player")
		spec := e.join(carl, id, "spectator")
		wa.until("player_joined")
		resp, body := b.post("/admin/rooms/"+id+"/kick", url.Values{"player": {bobID}})
		if resp.StatusCode != 200 {
			t.Fatalf("kick: %d %s", resp.StatusCode, body)
		}
		if f := wa.until("player_left"); f["reason"] != "kicked" {
			t.Fatalf("player_left %v", f)
		}
		if code := wb.closedWith(); code != 4002 {
			t.Fatalf("kicked player closed with %d, want 4002", code)
		}
		b.post("/admin/rooms/"+id+"/kick", url.Values{"player": {carlID}})
		if code := spec.closedWith(); code != 4002 {
			t.Fatalf("kicked spectator closed with %d, want 4002", code)
		}
	})
	t.Run("Close", func(t *testing.T) {
		id, wa, wb := e.startGame(alice, bob)
		if resp, _ := b.post("/admin/rooms/"+id+"/close", nil); resp.StatusCode != 200 {
			t.Fatalf("close: %d", resp.StatusCode)
		}
		for _, w := range []*ws{wa, wb} {
			if f := w.until("game_over"); f["reason"] != "closed" {
				t.Fatalf("game_over %v", f)
			}
			w.until("room_closed")
			if code := w.closedWith(); code != 4000 {
				t.Fatalf("closed with %d, want 4000", code)
			}
		}
		if _, err := e.rooms.Room(id); err == nil {
			t.Fatal("the room is still live")
		}
		if resp, _ := b.post("/admin/rooms/"+id+"/close", nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("closing it again: %d, want 404", resp.StatusCode)
		}
	})
	t.Run("Ban", func(t *testing.T) {
		id := e.room(alice, "party")
		wc := e.join(carl, id, "player")
		if resp, _ := b.post("/admin/players/"+carlID+"/ban", nil); resp.StatusCode != 200 {
			t.Fatalf("ban: %d", resp.StatusCode)
		}
		if code := wc.closedWith(); code != 4003 {
			t.Fatalf("banned player closed with %d, want 4003", code)
		}
		// The token is refused at the next hello, and on the API.
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.ts.URL, "http")+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		c.WriteJSON(map[string]any{"type": "hello", "token": carl, "room": id})
		var f map[string]any
		c.ReadJSON(&f)
		if f["code"] != "banned" {
			t.Fatalf("hello after the ban: %v, want banned", f)
		}
		c.Close()
		_, page := b.do("GET", "/admin/players?q=Carl", nil, nil)
		if !strings.Contains(page, "banned") || !strings.Contains(page, "Unban") {
			t.Fatal("the players page does not show the ban")
		}
		b.post("/admin/players/"+carlID+"/unban", nil)
		e.join(carl, id, "player")
	})
	t.Run("AddBot", func(t *testing.T) {
		id := e.room(alice, "classic")
		wa := e.join(alice, id, "player")
		_, page := b.do("GET", "/admin/rooms/"+id, nil, nil)
		if !strings.Contains(page, `hx-post="/admin/rooms/`+id+`/bots"`) {
			t.Fatal("the room page has no Add bot button")
		}
		for _, tt := range []struct {
			room, level string
			status      int
		}{
			{id, "genius", http.StatusBadRequest},
			{id, "", http.StatusBadRequest},
			{"ZZZZZZ", "easy", http.StatusNotFound},
		} {
			if resp, body := b.post("/admin/rooms/"+tt.room+"/bots", url.Values{"level": {tt.level}}); resp.StatusCode != tt.status {
				t.Fatalf("add a %q bot to %s: %d %s, want %d", tt.level, tt.room, resp.StatusCode, body, tt.status)
			}
		}
		resp, body := b.post("/admin/rooms/"+id+"/bots", url.Values{"level": {"hard"}})
		if resp.StatusCode != 200 {
			t.Fatalf("add bot: %d %s", resp.StatusCode, body)
		}
		if f := wa.until("player_joined"); f["bot"] != true || f["bot_level"] != "hard" {
			t.Fatalf("player_joined %v", f)
		}
		// The bot plays: the game starts and moves come.
		wa.until("game_started")
		if resp, body := b.post("/admin/rooms/"+id+"/bots", url.Values{"level": {"easy"}}); resp.StatusCode != http.StatusConflict {
			t.Fatalf("a bot into a room in play: %d %s, want 409", resp.StatusCode, body)
		}
	})
	_, page := b.do("GET", "/admin/audit", nil, nil)
	for _, want := range []string{"kick", "close_room", "ban", "unban", "add_bot", "player " + bobID} {
		if !strings.Contains(page, want) {
			t.Fatalf("the audit log lacks %q:\n%s", want, page)
		}
	}
}

// TestRoomStream reads the live room's server-sent events: a dig shows up
// as a new board.
func TestRoomStream(t *testing.T) {
	e := newEnv(t, password)
	b := e.browser()
	b.login(password)
	_, alice := e.player("Alice")
	_, bob := e.player("Bob")
	id, wa, _ := e.startGame(alice, bob)

	req, _ := http.NewRequest("GET", e.ts.URL+"/admin/rooms/"+id+"/stream", nil)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := make(chan [2]string, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var name string
		var data strings.Builder
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data.WriteString(strings.TrimPrefix(line, "data: ") + "\n")
			case line == "" && name != "":
				events <- [2]string{name, data.String()}
				name = ""
				data.Reset()
			}
		}
		close(events)
	}()
	next := func(want string) string {
		for {
			select {
			case ev := <-events:
				if ev[0] == want {
					return ev[1]
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no %s event", want)
			}
		}
	}
	first := next("board")
	if !strings.Contains(first, "seq 3") {
		t.Fatalf("first board: %s", first)
	}
	wa.c.WriteJSON(map[string]any{"type": "dig", "row": 4, "col": 4, "id": 1})
	wa.until("dug")
	second := next("board")
	if !strings.Contains(second, "seq 4") || second == first {
		t.Fatalf("board after a dig:\n%s", second)
	}
	if !strings.Contains(next("events"), "dug") {
		t.Fatal("the events list does not show the dig")
	}
	e.rooms.CloseRoom(id)
	next("closed")
}

var setupRe = regexp.MustCompile(`url="?(/admin/setup\?token=[0-9a-f]+)`)

func regexp1(expr, s string) string {
	m := regexp.MustCompile(expr).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestReplayPage plays a game to its end and steps through its replay.
func TestReplayPage(t *testing.T) {
	e := newEnv(t, password)
	b := e.browser()
	b.login(password)
	_, alice := e.player("Alice")
	_, bob := e.player("Bob")
	id := e.room(alice, "classic")
	players := []*ws{e.join(alice, id, "player"), e.join(bob, id, "player")}
	turn := 0
	players[0].until("game_started")
	players[1].until("game_started")
	var over map[string]any
	dug := map[[2]int]bool{}
	for over == nil {
		for r := 0; r < 9 && over == nil; r++ {
			for c := 0; c < 9 && over == nil; c++ {
				if dug[[2]int{r, c}] {
					continue
				}
				players[turn].c.WriteJSON(map[string]any{"type": "dig", "row": r, "col": c})
				f := players[0].until("dug")
				players[1].until("dug")
				for _, x := range f["cells"].([]any) {
					cell := x.(map[string]any)
					dug[[2]int{int(cell["row"].(float64)), int(cell["col"].(float64))}] = true
				}
				if f["turn"] == nil {
					over = players[0].until("game_over")
					break
				}
				turn = int(f["turn"].(float64))
			}
		}
	}
	gameID := fmt.Sprintf("%.0f", over["game_id"].(float64))
	_, page := b.do("GET", "/admin/games", nil, nil)
	if !strings.Contains(page, "/admin/games/"+gameID) {
		t.Fatalf("the games page does not list game %s", gameID)
	}
	_, page = b.do("GET", "/admin/games/"+gameID, nil, nil)
	if !strings.Contains(page, "Fairness verified") || !strings.Contains(page, "move 0 of") {
		t.Fatalf("replay page:\n%s", page)
	}
	total := regexp1(`move 0 of (\d+)`, page)
	_, step := b.do("GET", "/admin/games/"+gameID+"/step/1", nil, map[string]string{"HX-Request": "true"})
	if !strings.Contains(step, "move 1 of "+total) || strings.Contains(step, "<html") {
		t.Fatalf("step 1:\n%s", step)
	}
	_, last := b.do("GET", "/admin/games/"+gameID+"/step/99999", nil, map[string]string{"HX-Request": "true"})
	if !strings.Contains(last, "move "+total+" of "+total) || strings.Count(last, "cell undug") != 0 && !strings.Contains(last, "gold") {
		t.Fatalf("last step:\n%s", last)
	}
	if resp, _ := b.do("GET", "/admin/games/424242", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown game: %d", resp.StatusCode)
	}
}
