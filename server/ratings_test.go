package server_test

import (
	"fmt"
	"testing"
)

// TestRatedRoom plays a whole game in a room created with "rated": true
// and reads the ratings back through every API that shows them.
func TestRatedRoom(t *testing.T) {
	h := newHarness(t, fast)
	tb, id := startClassic(t, h, map[string]any{"preset": "classic", "rated": true})
	var snap map[string]any
	if code := h.do("GET", "/api/rooms/"+id, "", nil, &snap); code != 200 || snap["rated"] != true {
		t.Fatalf("GET room: %d %v", code, snap["rated"])
	}
	seat := snap["players"].([]any)[0].(map[string]any)
	if seat["rating"] != 1500.0 || seat["rd"] != 350.0 || seat["rated_games"] != 0.0 {
		t.Fatalf("seat before: %v", seat)
	}
	over := tb.playOut()
	winners := over.m["winners"].([]any)
	scores := over.m["scores"].([]any)
	draw := scores[0] == scores[1]
	ids := []string{seat["player_id"].(string), snap["players"].([]any)[1].(map[string]any)["player_id"].(string)}
	for i, pid := range ids {
		var p map[string]any
		if code := h.do("GET", "/api/players/"+pid, "", nil, &p); code != 200 {
			t.Fatalf("GET player: %d", code)
		}
		r := p["rating"].(float64)
		won := len(winners) == 1 && winners[0] == float64(i)
		switch {
		case draw && r != 1500, !draw && won && r <= 1500, !draw && !won && r >= 1500:
			t.Fatalf("seat %d (won %v, draw %v): rating %v", i, won, draw, r)
		}
		if p["rated_games"] != 1.0 || p["rd"].(float64) >= 350 {
			t.Fatalf("player %v", p)
		}
		var hist struct {
			Games []struct {
				ID           int64          `json:"id"`
				Rated        bool           `json:"rated"`
				RatingChange map[string]any `json:"rating_change"`
			} `json:"games"`
		}
		if code := h.do("GET", "/api/players/"+pid+"/games", "", nil, &hist); code != 200 || len(hist.Games) != 1 {
			t.Fatalf("history: %d %+v", code, hist)
		}
		g := hist.Games[0]
		if g.ID != int64(over.num("game_id")) || !g.Rated || g.RatingChange["before"] != 1500.0 || g.RatingChange["after"] != r {
			t.Fatalf("history entry %+v, rating %v", g, r)
		}
	}
	// One rated game is not enough for the board by rating.
	var board struct {
		Players []map[string]any `json:"players"`
		By      string           `json:"by"`
	}
	if code := h.do("GET", "/api/leaderboard?by=rating", "", nil, &board); code != 200 || board.By != "rating" || len(board.Players) != 0 {
		t.Fatalf("board: %d %+v", code, board)
	}
	if code := h.do("GET", "/api/leaderboard?by=gold", "", nil, nil); code != 400 {
		t.Fatalf("by=gold: %d", code)
	}
	if code := h.do("GET", "/api/players/nobody/games", "", nil, nil); code != 404 {
		t.Fatalf("unknown player's games: %d", code)
	}
}

// TestUnratedRoomByDefault: a room created without "rated" changes no
// rating.
func TestUnratedRoomByDefault(t *testing.T) {
	h := newHarness(t, fast)
	tb, id := startClassic(t, h, nil)
	var snap map[string]any
	h.do("GET", "/api/rooms/"+id, "", nil, &snap)
	if snap["rated"] != false {
		t.Fatalf("rated %v", snap["rated"])
	}
	tb.playOut()
	pid := snap["players"].([]any)[0].(map[string]any)["player_id"].(string)
	var p map[string]any
	h.do("GET", fmt.Sprintf("/api/players/%s", pid), "", nil, &p)
	if p["rating"] != 1500.0 || p["rated_games"] != 0.0 {
		t.Fatalf("player %v", p)
	}
	if code := h.do("POST", "/api/rooms", h.player("X").Token, map[string]any{"rated": "yes"}, nil); code != 400 {
		t.Fatalf("rated: \"yes\": %d", code)
	}
}
