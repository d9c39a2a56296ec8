package admin_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/goldmine-game/goldmine/room"
)

// TestPrivateRoomInConsole follows a private room, with its long id, through
// the console: listed, its page (by the id in lower case too), its stream,
// and closed.
func TestPrivateRoomInConsole(t *testing.T) {
	e := newEnv(t, password)
	b := e.browser()
	b.login(password)
	_, alice := e.player("Alice")
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/rooms", strings.NewReader(`{"preset":"party","private":true}`))
	req.Header.Set("Authorization", "Bearer "+alice)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var snap struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&snap)
	resp.Body.Close()
	id := snap.ID
	if len(id) != room.PrivateIDLength {
		t.Fatalf("private room id %q, want %d symbols", id, room.PrivateIDLength)
	}
	wa := e.join(alice, id, "player")
	for _, tt := range []struct{ path, has string }{
		{"/admin/rooms", `/admin/rooms/` + id},
		{"/admin/rooms/" + id, "Room <code>" + id},
		{"/admin/rooms/" + strings.ToLower(id), "Room <code>" + id},
	} {
		resp, page := b.do("GET", tt.path, nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(page, tt.has) {
			t.Fatalf("GET %s: %d, want 200 with %q:\n%s", tt.path, resp.StatusCode, tt.has, page)
		}
	}
	if resp, body := b.post("/admin/rooms/"+id+"/close", nil); resp.StatusCode != 200 {
		t.Fatalf("close: %d %s", resp.StatusCode, body)
	}
	wa.until("room_closed")
	if code := wa.closedWith(); code != 4000 {
		t.Fatalf("closed with %d, want 4000", code)
	}
}
