// Package server serves Goldmine over HTTP: the JSON API for players, rooms,
// games and the leaderboard through gin, the /ws WebSocket endpoint through
// melody, and /healthz.
//
// The WebSocket side is glue: it authenticates the hello, decodes and
// checks client messages, applies the limits, and hands each message to the
// member's room. Rooms send their frames straight to their own members'
// sessions, so a broadcast costs O(room), never O(server).
package server
