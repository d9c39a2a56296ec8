package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/room"
)

// TestRoomCapFlags: the binary's room caps are package room's defaults,
// which package app takes for its zero values, and the flags' "0: no
// cap" reaches app as no cap (issue 16.6).
func TestRoomCapFlags(t *testing.T) {
	var cfg config
	if err := cfg.parse("goldmine", nil, func(string) string { return "" }, io.Discard); err != nil {
		t.Fatal(err)
	}
	if cfg.MaxRooms != room.DefaultMaxRooms || cfg.MaxRoomsPerUser != room.DefaultMaxRoomsPerPlayer {
		t.Fatalf("flags default to %d and %d rooms, want %d and %d", cfg.MaxRooms, cfg.MaxRoomsPerUser,
			room.DefaultMaxRooms, room.DefaultMaxRoomsPerPlayer)
	}
	for _, tt := range []struct{ flag, app int }{{0, -1}, {3, 3}, {room.DefaultMaxRooms, room.DefaultMaxRooms}} {
		if got := appCap(tt.flag); got != tt.app {
			t.Fatalf("appCap(%d)=%d, want %d", tt.flag, got, tt.app)
		}
	}
	if cfg.ChatRate != room.DefaultChatRate || cfg.ChatBurst != room.DefaultChatBurst || appRate(0) != -1 || appRate(2) != 2 {
		t.Fatalf("chat flags %v/%d, appRate(0)=%v", cfg.ChatRate, cfg.ChatBurst, appRate(0))
	}
}

// TestClusterFlags: the cluster's flags are checked before anything starts.
func TestClusterFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // "" for accepted
	}{
		{[]string{"--node-id", "n1", "--advertise-url", "https://n1.example.com/", "--lease", "3s"}, ""},
		{[]string{"--advertise-url", "http://10.0.0.7:8080/game"}, ""},
		{[]string{"--lease", "500ms"}, "--lease must be at least 1s"},
		{[]string{"--node-id", ""}, "--node-id must be"},
		{[]string{"--node-id", "node one"}, "--node-id must be"},
		{[]string{"--node-id", strings.Repeat("n", 65)}, "--node-id must be"},
		{[]string{"--advertise-url", "n1.example.com"}, "--advertise-url must be"},
		{[]string{"--advertise-url", "ftp://n1.example.com"}, "--advertise-url must be"},
		{[]string{"--advertise-url", "https://n1.example.com/?x=1"}, "--advertise-url must be"},
	} {
		var cfg config
		err := cfg.parse("goldmine", tt.args, func(string) string { return "" }, io.Discard)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: %v", tt.args, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: %v, want %q", tt.args, err, tt.want)
		}
		if tt.want == "" && strings.HasSuffix(cfg.AdvertiseURL, "/") {
			t.Errorf("%v: advertise URL %q keeps its trailing slash", tt.args, cfg.AdvertiseURL)
		}
	}
	var cfg config
	if err := cfg.parse("goldmine", nil, func(k string) string {
		return map[string]string{"GOLDMINE_NODE_ID": "env-node", "GOLDMINE_LEASE": "4s"}[k]
	}, io.Discard); err != nil || cfg.NodeID != "env-node" || cfg.Lease != 4*time.Second {
		t.Fatalf("from the environment: %q %s %v", cfg.NodeID, cfg.Lease, err)
	}
}
