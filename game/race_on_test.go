//go:build race

package game_test

// raceEnabled is true under -race. The engine starts no goroutines, so the
// race detector has nothing to find in it; the property tests then play
// fewer games, keeping CI fast, while the plain run plays them all.
const raceEnabled = true
