package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"goldmine/room"
	"goldmine/store"
)

// TestKickChoosesTheSeat: kicking a player in a 2-player game never hands
// the other a win. With a bot, the bot takes the seat and the game goes
// on; without, the game ends with reason closed and counts for nobody's
// leaderboard. The room page says which in each button's confirm.
func TestKickChoosesTheSeat(t *testing.T) {
	t.Run("Bot", func(t *testing.T) {
		e := newEnv(t, password)
		b := e.browser()
		b.login(password)
		aliceID, alice := e.player("Alice")
		_, bob := e.player("Bob")
		id, wa, wb := e.startGame(alice, bob)
		_, page := b.do("GET", "/admin/rooms/"+id, nil, nil)
		for _, want := range []string{"Kick, a bot plays on", "A bot of the level chosen above takes their seat",
			"Kick, end the game", "end the game with no result? Nobody wins"} {
			if !strings.Contains(page, want) {
				t.Fatalf("the room page lacks %q", want)
			}
		}
		resp, body := b.post("/admin/rooms/"+id+"/kick", url.Values{"player": {aliceID}, "then": {"bot"}, "level": {"easy"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "a easy bot takes the seat") {
			t.Fatalf("kick with a bot: %d %q", resp.StatusCode, body)
		}
		if code := wa.closedWith(); code != room.CloseKicked {
			t.Fatalf("the kicked player's socket closed with %d, want %d", code, room.CloseKicked)
		}
		f := wb.until("player_replaced")
		if f["replaced"] != aliceID || f["bot"] != true {
			t.Fatalf("player_replaced %v", f)
		}
		// The game goes on: the bot moves.
		wb.until("dug")
		r, _ := e.rooms.Room(id)
		if v := r.AdminView(); v.Status != room.Playing {
			t.Fatalf("room %s after the kick, want playing", v.Status)
		}
	})
	t.Run("End", func(t *testing.T) {
		e := newEnv(t, password)
		b := e.browser()
		b.login(password)
		aliceID, alice := e.player("Alice")
		bobID, bob := e.player("Bob")
		id, wa, wb := e.startGame(alice, bob)
		digUndug(t, wa, wb)
		resp, body := b.post("/admin/rooms/"+id+"/kick", url.Values{"player": {aliceID}, "then": {"end"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "ends with no result") {
			t.Fatalf("kick ending the game: %d %q", resp.StatusCode, body)
		}
		f := wb.until("game_over")
		if f["reason"] != "closed" {
			t.Fatalf("game_over %v, want reason closed", f)
		}
		if code := wa.closedWith(); code != room.CloseKicked {
			t.Fatalf("the kicked player's socket closed with %d", code)
		}
		p, err := e.st.Player(context.Background(), bobID)
		if err != nil || p.Wins != 0 || p.Games != 0 {
			t.Fatalf("Bob after a game an admin ended: %+v, %v; want no game and no win counted", p, err)
		}
		for _, period := range []string{store.PeriodAll, store.PeriodWeek} {
			board, _ := e.st.Leaderboard(context.Background(), period, 10)
			for _, st := range board {
				if st.Wins > 0 {
					t.Fatalf("%s leaderboard counts a win: %+v", period, st)
				}
			}
		}
		// Kicked twice: the player is no longer there, and the admin is told.
		resp, body = b.post("/admin/rooms/"+id+"/kick", url.Values{"player": {aliceID}, "then": {"end"}})
		if resp.StatusCode != http.StatusConflict || body != "That player is no longer in this room." {
			t.Fatalf("second kick: %d %q", resp.StatusCode, body)
		}
	})
}
