package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// scenario is one HTTP request and what its reply must and must not hold.
type scenario struct {
	name    string
	method  string
	url     string
	token   string // "alice" for Alice's token, or a literal
	body    string
	status  int
	has     []string
	hasNot  []string
	headers map[string]string
}

func (h *harness) runScenarios(t *testing.T, tokens map[string]string, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			var body io.Reader
			if sc.body != "" {
				body = strings.NewReader(sc.body)
			}
			req, _ := http.NewRequest(sc.method, h.ts.URL+sc.url, body)
			tok := sc.token
			if v, ok := tokens[tok]; ok {
				tok = v
			}
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			for k, v := range sc.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != sc.status {
				t.Fatalf("%s %s: status %d, want %d: %s", sc.method, sc.url, resp.StatusCode, sc.status, b)
			}
			for _, s := range sc.has {
				if !strings.Contains(string(b), s) {
					t.Fatalf("%s %s: reply lacks %q: %s", sc.method, sc.url, s, b)
				}
			}
			for _, s := range sc.hasNot {
				if strings.Contains(string(b), s) {
					t.Fatalf("%s %s: reply holds %q: %s", sc.method, sc.url, s, b)
				}
			}
			checkErrorMessage(t, b)
		})
	}
}

// packagePrefix matches an error message that leaks a Go wrap ("room:
// create: …", "game: …"): a user reads what to fix, never where.
var packagePrefix = regexp.MustCompile(`^[a-z]+: |\b(game|room|store|server|domain|admin|cluster|app|match|rating|bots|solver|backups): `)

// checkErrorMessage fails when a JSON error reply's message carries a
// package prefix.
func checkErrorMessage(t *testing.T, body []byte) {
	t.Helper()
	var reply struct {
		Error struct{ Message string } `json:"error"`
	}
	if json.Unmarshal(body, &reply) == nil && packagePrefix.MatchString(reply.Error.Message) {
		t.Fatalf("error message %q carries a package prefix: %s", reply.Error.Message, body)
	}
}

func TestAPI(t *testing.T) {
	h := newHarness(t)
	alice := h.player("Alice")
	pub := h.room(alice, map[string]any{"preset": "flags", "name": "Open table"})
	priv := h.room(alice, map[string]any{"preset": "classic", "private": true, "name": "Secret table"})
	tokens := map[string]string{"alice": alice.Token}
	h.runScenarios(t, tokens, []scenario{
		{name: "health", method: "GET", url: "/healthz", status: 200, has: []string{`"status":"ok"`}},
		{name: "player/trimmed name", method: "POST", url: "/api/players", body: `{"name":"  Bob  "}`, status: 201,
			has: []string{`"name":"Bob"`, `"player_id":"`, `"token":"`}},
		{name: "player/unicode name", method: "POST", url: "/api/players", body: `{"name":"金矿·玩家"}`, status: 201, has: []string{`"name":"金矿·玩家"`}},
		{name: "player/24 characters", method: "POST", url: "/api/players", body: `{"name":"` + strings.Repeat("é", 24) + `"}`, status: 201},
		{name: "player/25 characters", method: "POST", url: "/api/players", body: `{"name":"` + strings.Repeat("é", 25) + `"}`, status: 400,
			has: []string{`"code":"invalid_name"`, "25 characters, the limit is 24"}},
		{name: "player/empty name", method: "POST", url: "/api/players", body: `{"name":"   "}`, status: 400, has: []string{`"invalid_name"`, "empty"}},
		{name: "player/no name", method: "POST", url: "/api/players", body: `{}`, status: 400, has: []string{`"invalid_name"`}},
		{name: "player/control character", method: "POST", url: "/api/players", body: `{"name":"a\u0007b"}`, status: 400, has: []string{"control character"}},
		{name: "player/name not a string", method: "POST", url: "/api/players", body: `{"name":5}`, status: 400, has: []string{`"bad_request"`, "name must be a string"}},
		{name: "player/not JSON", method: "POST", url: "/api/players", body: `name=Bob`, status: 400, has: []string{`"bad_request"`}},
		{name: "player/array", method: "POST", url: "/api/players", body: `["Bob"]`, status: 400, has: []string{"JSON object"}},
		{name: "player/two objects", method: "POST", url: "/api/players", body: `{"name":"a"}{"name":"b"}`, status: 400, has: []string{"single JSON object"}},
		{name: "player/body too large", method: "POST", url: "/api/players", body: `{"name":"` + strings.Repeat("a", 20<<10) + `"}`, status: 413, has: []string{`"too_large"`}},
		{name: "player/get", method: "GET", url: "/api/players/" + alice.ID, status: 200,
			has: []string{`"player_id":"` + alice.ID, `"name":"Alice"`, `"games":0`, `"wins":0`, `"gold":0`}, hasNot: []string{"token"}},
		{name: "player/unknown", method: "GET", url: "/api/players/nobody", status: 404, has: []string{`"unknown_player"`}},
		{name: "player/me", method: "GET", url: "/api/players/me", token: "alice", status: 200,
			has: []string{`"player_id":"` + alice.ID, `"name":"Alice"`}, hasNot: []string{"token"}},
		{name: "player/me without a token", method: "GET", url: "/api/players/me", status: 401, has: []string{`"unauthorized"`}},
		{name: "presets", method: "GET", url: "/api/presets", status: 200,
			has: []string{`"preset":"classic"`, `"preset":"flags"`, `"preset":"party"`}},

		{name: "room/no token", method: "POST", url: "/api/rooms", body: `{"preset":"classic"}`, status: 401, has: []string{`"unauthorized"`}},
		{name: "room/forged token", method: "POST", url: "/api/rooms", token: alice.ID + ".forged", body: `{}`, status: 401},
		{name: "room/default preset", method: "POST", url: "/api/rooms", token: "alice", body: `{}`, status: 201,
			has: []string{`"preset":"classic"`, `"status":"waiting"`, `"turn":null`, `"commitment":null`, `"name":"Alice's room"`}},
		{name: "room/override makes custom", method: "POST", url: "/api/rooms", token: "alice", body: `{"preset":"classic","rows":12,"turn_seconds":0}`, status: 201,
			has: []string{`"preset":"custom"`, `"rows":12`, `"turn_seconds":0`}},
		{name: "room/unknown preset", method: "POST", url: "/api/rooms", token: "alice", body: `{"preset":"chess"}`, status: 400,
			has: []string{`"invalid_rules"`, `unknown preset \"chess\"`}},
		{name: "room/rows too few", method: "POST", url: "/api/rooms", token: "alice", body: `{"rows":4}`, status: 400,
			has: []string{`"invalid_rules"`, "rows must be 5..30, got 4"}},
		{name: "room/too much gold", method: "POST", url: "/api/rooms", token: "alice", body: `{"gold":81}`, status: 400, has: []string{"gold must be 1..80"}},
		{name: "room/turn too long", method: "POST", url: "/api/rooms", token: "alice", body: `{"turn_seconds":3601}`, status: 400, has: []string{"turn_seconds"}},
		{name: "room/nine players", method: "POST", url: "/api/rooms", token: "alice", body: `{"preset":"party","max_players":9}`, status: 400, has: []string{"max_players must be 2..8"}},
		{name: "room/rows not a number", method: "POST", url: "/api/rooms", token: "alice", body: `{"rows":"9"}`, status: 400, has: []string{"rows must be an integer"}},
		{name: "room/name too long", method: "POST", url: "/api/rooms", token: "alice", body: `{"name":"` + strings.Repeat("x", 41) + `"}`, status: 400, has: []string{`"invalid_name"`}},
		{name: "room/get", method: "GET", url: "/api/rooms/" + pub, status: 200, has: []string{`"id":"` + pub + `"`, `"preset":"flags"`, `"board":[[null`,
			`"ws_url":"ws://127.0.0.1:`}},
		{name: "room/get by lower-case id", method: "GET", url: "/api/rooms/" + strings.ToLower(pub), status: 200, has: []string{`"id":"` + pub + `"`}},
		{name: "room/get private by id", method: "GET", url: "/api/rooms/" + priv, status: 200, has: []string{`"private":true`}},
		{name: "room/unknown", method: "GET", url: "/api/rooms/ZZZZZZ", status: 404, has: []string{`"unknown_room"`}},
		{name: "room/not an id", method: "GET", url: "/api/rooms/hello", status: 404, has: []string{`"unknown_room"`}},
		{name: "rooms/list", method: "GET", url: "/api/rooms", status: 200,
			has: []string{`"id":"` + pub + `"`, `"players":0`, `"max_players":2`, `"spectators":0`, `"created_at":"`,
				`"seq":`, `"game":0`, `"connected":0`, `"ws_url":"ws://`}, hasNot: []string{priv, `"node":`}},
		{name: "rooms/waiting", method: "GET", url: "/api/rooms?status=waiting", status: 200, has: []string{pub}},
		{name: "rooms/playing", method: "GET", url: "/api/rooms?status=playing", status: 200, has: []string{`{"rooms":[]}`}},
		{name: "rooms/bad status", method: "GET", url: "/api/rooms?status=closed", status: 400, has: []string{"status must be"}},
		{name: "rooms/bad limit", method: "GET", url: "/api/rooms?limit=0", status: 400},
		{name: "rooms/limit", method: "GET", url: "/api/rooms?limit=1", status: 200},

		{name: "leaderboard", method: "GET", url: "/api/leaderboard", status: 200, has: []string{`"players":[]`, `"period":"all"`}},
		{name: "leaderboard/week", method: "GET", url: "/api/leaderboard?period=week&limit=5", status: 200, has: []string{`"period":"week"`}},
		{name: "leaderboard/bad period", method: "GET", url: "/api/leaderboard?period=month", status: 400},
		{name: "leaderboard/bad limit", method: "GET", url: "/api/leaderboard?limit=-3", status: 400, has: []string{"limit must be an integer 1..100"}},
		{name: "leaderboard/limit too big", method: "GET", url: "/api/leaderboard?limit=101", status: 400},
		{name: "games", method: "GET", url: "/api/games", status: 200, has: []string{`"games":[]`, `"next_before":null`}},
		{name: "games/bad before", method: "GET", url: "/api/games?before=x", status: 400},
		{name: "game/unknown", method: "GET", url: "/api/games/12345", status: 404, has: []string{`"unknown_game"`}},
		{name: "game/not an id", method: "GET", url: "/api/games/abc", status: 404, has: []string{`"unknown_game"`}},

		{name: "unknown route", method: "GET", url: "/api/nothing", status: 404, has: []string{`"not_found"`}},
		{name: "wrong method", method: "DELETE", url: "/api/rooms", status: 405, has: []string{`"method_not_allowed"`}},
	})
}

// TestStatsAfterGames plays two games over WebSocket and checks what the
// player, leaderboard and game APIs say about them.
func TestStatsAfterGames(t *testing.T) {
	h := newHarness(t, fast)
	tb, _ := startClassic(t, h, nil)
	over := tb.playOut()
	tb.seats[0].send(map[string]any{"type": "rematch"})
	tb.seats[1].send(map[string]any{"type": "rematch"})
	tb.event("rematch")
	tb.event("rematch")
	tb.event("game_started")
	tb.dug, tb.scores, tb.over, tb.turn, tb.layout = map[int]bool{}, []int{0, 0}, nil, 1, ""
	over2 := tb.playOut()

	var ids [2]string
	for i, c := range tb.seats {
		ids[i] = c.all[0].m["you"].(map[string]any)["player_id"].(string)
	}
	wins, gold := [2]int{}, [2]int{}
	for _, o := range []frame{over, over2} {
		for s, v := range o.m["scores"].([]any) {
			gold[s] += int(v.(float64))
		}
		for _, w := range o.m["winners"].([]any) {
			wins[int(w.(float64))]++
		}
	}
	for i, id := range ids {
		var p map[string]any
		h.do("GET", "/api/players/"+id, "", nil, &p)
		if p["games"] != float64(2) || p["wins"] != float64(wins[i]) || p["gold"] != float64(gold[i]) {
			t.Fatalf("player %d stats %v, want 2 games, %d wins, %d gold", i, p, wins[i], gold[i])
		}
	}
	var board struct{ Players []map[string]any }
	h.do("GET", "/api/leaderboard", "", nil, &board)
	if len(board.Players) != 2 || board.Players[0]["rank"] != float64(1) {
		t.Fatalf("leaderboard %v", board.Players)
	}
	var page struct {
		Games      []map[string]any
		NextBefore *float64 `json:"next_before"`
	}
	h.do("GET", "/api/games?player="+ids[0]+"&limit=1", "", nil, &page)
	if len(page.Games) != 1 || page.NextBefore == nil || page.Games[0]["id"] != over2.m["game_id"] {
		t.Fatalf("first page %+v", page)
	}
	h.do("GET", fmt.Sprintf("/api/games?player=%s&limit=1&before=%.0f", ids[0], *page.NextBefore), "", nil, &page)
	if len(page.Games) != 1 || page.Games[0]["id"] != over.m["game_id"] {
		t.Fatalf("second page %+v", page)
	}
	for _, k := range []string{"id", "room_id", "rules", "players", "ended_reason", "ended_at"} {
		if _, ok := page.Games[0][k]; !ok {
			t.Fatalf("games list entry lacks %q: %v", k, page.Games[0])
		}
	}
}
