package server_test

import (
	"slices"
	"testing"
)

// The fields protocol v1 promises in each server frame. Frames may carry
// more (additions are allowed), never fewer.
var contract = map[string][]string{
	"welcome":       {"you", "room"},
	"snapshot":      {"room"},
	"player_joined": {"seq", "seat", "player_id", "name"},
	"player_left":   {"seq", "seat", "player_id", "reason"},
	"presence":      {"seq", "seat", "connected"},
	"game_started":  {"seq", "turn", "deadline", "commitment"},
	"dug":           {"seq", "seat", "row", "col", "id", "gold", "cells", "scores", "gold_left", "turn", "deadline"},
	"turn_skipped":  {"seq", "seat", "reason", "turn", "deadline"},
	"game_over":     {"seq", "game_id", "reason", "scores", "ranking", "winners", "board", "layout", "salt"},
	"chat":          {"seq", "seat", "name", "text"},
	"room_closed":   {"seq", "reason"},
	"error":         {"code", "message"},
	"pong":          {"t"},
	// Additions to v1.
	"rematch":         {"seq", "seat"},
	"room_reset":      {"seq", "status", "players"},
	"player_replaced": {"seq", "seat", "player_id", "name", "bot", "bot_level", "replaced"},
	"spectators":      {"count"},
}

var snapshotFields = []string{"id", "name", "status", "seq", "rules", "players", "spectators", "turn", "deadline",
	"gold_left", "commitment", "board"}
var rulesFields = []string{"preset", "rows", "cols", "gold", "max_players", "turn_seconds", "extra_turn_on_gold",
	"end_when_decided"}
var playerFields = []string{"seat", "player_id", "name", "score", "connected"}
var youFields = []string{"player_id", "name", "seat", "role"}

var enums = map[string]map[string][]string{
	"player_left":  {"reason": {"left", "timeout", "kicked"}},
	"turn_skipped": {"reason": {"timeout", "absent", "admin"}},
	"game_over":    {"reason": {"all_gold", "decided", "forfeit", "closed"}},
	"error": {"code": {"bad_message", "unauthorized", "unknown_room", "room_full", "not_your_turn", "out_of_bounds",
		"already_dug", "not_started", "game_over", "not_a_player", "rate_limited",
		// Additions to v1.
		"unavailable", "not_enough_players", "already_started", "not_finished", "duplicate_move", "internal", "too_many_connections", "wrong_node", "chat_limited"}},
}

// checkFrame fails the test unless f has every field protocol v1 gives its
// type, with the documented values.
func checkFrame(t testing.TB, f frame) {
	t.Helper()
	want, ok := contract[f.typ()]
	if !ok {
		t.Fatalf("frame of unknown type: %s", f.raw)
	}
	need(t, f.raw, f.m, want)
	for field, allowed := range enums[f.typ()] {
		if v := f.str(field); !slices.Contains(allowed, v) {
			t.Fatalf("%s %s = %q, want one of %v: %s", f.typ(), field, v, allowed, f.raw)
		}
	}
	if r := f.room(); r != nil {
		checkSnapshot(t, f.raw, r)
	}
	if y, ok := f.m["you"].(map[string]any); ok {
		need(t, f.raw, y, youFields)
	}
	if cells, ok := f.m["cells"].([]any); ok {
		for _, c := range cells {
			need(t, f.raw, c.(map[string]any), []string{"row", "col", "value"})
		}
	}
	if _, hasSeq := f.m["seq"]; hasSeq && f.num("seq") < 1 {
		t.Fatalf("seq must be a positive number: %s", f.raw)
	}
}

func checkSnapshot(t testing.TB, raw string, r map[string]any) {
	t.Helper()
	need(t, raw, r, snapshotFields)
	need(t, raw, r["rules"].(map[string]any), rulesFields)
	for _, p := range r["players"].([]any) {
		need(t, raw, p.(map[string]any), playerFields)
	}
	if st := r["status"]; !slices.Contains([]any{"waiting", "playing", "finished"}, st) {
		t.Fatalf("status %v: %s", st, raw)
	}
	if r["status"] == "waiting" && (r["turn"] != nil || r["deadline"] != nil || r["commitment"] != nil) {
		t.Fatalf("a waiting room has turn, deadline and commitment null: %s", raw)
	}
	rules := r["rules"].(map[string]any)
	board := r["board"].([]any)
	if len(board) != int(rules["rows"].(float64)) || len(board[0].([]any)) != int(rules["cols"].(float64)) {
		t.Fatalf("board is not rows x cols: %s", raw)
	}
}

func need(t testing.TB, raw string, m map[string]any, fields []string) {
	t.Helper()
	for _, k := range fields {
		if _, ok := m[k]; !ok {
			t.Fatalf("missing %q in %s", k, raw)
		}
	}
}
