package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/room"
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
		for _, period := range []string{domain.PeriodAll, domain.PeriodWeek} {
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

// TestFailedActionsSay is the table of failed actions and the words the
// console shows for them (the browser test checks that they are shown).
func TestFailedActionsSay(t *testing.T) {
	e := newEnv(t, password)
	b := e.browser()
	b.login(password)
	aliceID, alice := e.player("Alice")
	_, bob := e.player("Bob")
	finished, wa, wb := e.startGame(alice, bob)
	if resp, _ := b.post("/admin/rooms/"+finished+"/kick", url.Values{"player": {aliceID}, "then": {"end"}}); resp.StatusCode != 200 {
		t.Fatalf("kick: %d", resp.StatusCode)
	}
	wa.closedWith()
	wb.until("game_over")
	_, carl := e.player("Carl")
	waiting := e.room(carl, "classic")
	closed := e.room(carl, "classic")
	if err := e.rooms.CloseRoom(closed); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path string
		form       url.Values
		status     int
		want       string
	}{
		{"SkipFinished", "/admin/rooms/" + finished + "/skip", nil, http.StatusConflict, "There is no turn to skip: the game is over."},
		{"SkipWaiting", "/admin/rooms/" + waiting + "/skip", nil, http.StatusConflict, "There is no turn to skip: no game has started yet."},
		{"SkipClosed", "/admin/rooms/" + closed + "/skip", nil, http.StatusNotFound, "This room is closed: it is no longer served."},
		{"AddBotFinished", "/admin/rooms/" + finished + "/bots", url.Values{"level": {"easy"}}, http.StatusConflict, "A bot can only take a seat in a waiting room: this game is over."},
		{"AddBotLevel", "/admin/rooms/" + waiting + "/bots", url.Values{"level": {"genius"}}, http.StatusBadRequest, "Choose a bot level: easy, normal or hard."},
		{"CloseClosed", "/admin/rooms/" + closed + "/close", nil, http.StatusNotFound, "This room is closed: it is no longer served."},
		{"KickNobody", "/admin/rooms/" + waiting + "/kick", url.Values{"player": {"nobody"}}, http.StatusConflict, "That player is no longer in this room."},
		{"BanNobody", "/admin/players/nobody/ban", nil, http.StatusNotFound, "There is no such player."},
		{"BanAddressChoice", "/admin/players/nobody/ban", url.Values{"address": {"2h"}}, http.StatusBadRequest, "Choose how long to ban the address: 1h, 24h, 168h or forever."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := b.post(tt.path, tt.form)
			if resp.StatusCode != tt.status || body != tt.want {
				t.Fatalf("%d %q, want %d %q", resp.StatusCode, body, tt.status, tt.want)
			}
		})
	}
	// The log gives the true reason too: the skip on the finished room
	// failed because the game is over.
	found := 0
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(line, "action=skip_turn") && strings.Contains(line, "room "+finished) {
			found++
			if !strings.Contains(line, "game over") || strings.Contains(line, "not started") {
				t.Fatalf("the log line of the skip on the finished room: %s", line)
			}
		}
	}
	if found != 1 {
		t.Fatalf("%d log lines for the skip on the finished room, want 1", found)
	}
}
