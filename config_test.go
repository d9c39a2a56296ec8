package main

import (
	"io"
	"testing"

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
