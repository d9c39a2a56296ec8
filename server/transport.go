package server

import "github.com/goldmine-game/goldmine/room"

// roomView is a room as the room API shows it: the room's snapshot, and
// where it lives in a cluster, which is the transport's to know, not the
// room's. The frames of the WebSocket carry the bare snapshot.
type roomView struct {
	room.Snapshot
	// Node and WSURL say where the room lives: its owner node's id and
	// that node's WebSocket URL.
	Node  string `json:"node,omitempty"`
	WSURL string `json:"ws_url,omitempty"`
}

// summaryView is a room as the room list shows it, with where it lives.
type summaryView struct {
	room.Summary
	// Node and WSURL are as in roomView.
	Node  string `json:"node,omitempty"`
	WSURL string `json:"ws_url,omitempty"`
}
