// Package game holds the pure rules of Goldmine: a turn-based, multiplayer
// Minesweeper in which the hidden cells hold gold instead of mines.
//
// Everything here is deterministic. A board comes from a 64-bit seed, a game
// is changed only by moves, and the same rules, seed and moves always give the
// same state (see Replay). The package uses the standard library only and does
// no I/O, reads no clock and starts no goroutines, so rooms, stores, bots and
// tests can all build on it without surprises.
package game
