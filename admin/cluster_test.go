package admin

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/cluster"
	"github.com/goldmine-game/goldmine/internal/pgtest"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

// TestNodeSignature: a console request passed between nodes is good for
// its method, path and body, with the shared key, until it expires; the
// handler still reads the body.
func TestNodeSignature(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(context.Background(), store.Options{Path: pgtest.NewDB(t), Node: "a.1", Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	node := cluster.New(cluster.Config{Store: st, Rooms: room.NewManager(room.Config{Store: st, Log: quiet}), Log: quiet})
	now := time.Now()
	a := &Admin{cfg: Config{Cluster: node, NodeKey: []byte("shared key")}, now: func() time.Time { return now }}
	const path = "/admin/rooms/ABCDEF/kick"
	sig := a.signNode("POST", path, []byte("player=p1"))
	check := func(name string, key []byte, at time.Time, method, path, body string, want bool) {
		t.Helper()
		b := &Admin{cfg: Config{Cluster: node, NodeKey: key}, now: func() time.Time { return at }}
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set(nodeAuthHeader, sig)
		if got := b.nodeSigned(r); got != want {
			t.Errorf("%s: signed %v, want %v", name, got, want)
		}
		if rest, _ := io.ReadAll(r.Body); string(rest) != body {
			t.Errorf("%s: the handler reads %q, want %q", name, rest, body)
		}
	}
	key := []byte("shared key")
	check("as signed", key, now, "POST", path, "player=p1", true)
	check("another body", key, now, "POST", path, "player=p2", false)
	check("another path", key, now, "POST", "/admin/rooms/ABCDEF/close", "player=p1", false)
	check("another method", key, now, "GET", path, "player=p1", false)
	check("another key", []byte("other key"), now, "POST", path, "player=p1", false)
	check("expired", key, now.Add(nodeAuthTTL+time.Second), "POST", path, "player=p1", false)
}
