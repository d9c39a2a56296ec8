package app

import "github.com/goldmine-game/goldmine/match"

// matchQueue is where quick match keeps its tickets: in memory on a single
// node, and in the shared database in a cluster, so that players queued at
// different nodes meet.
func (s *Server) matchQueue() match.Queue {
	if q, err := s.store.MatchQueue(); err == nil {
		return q
	}
	return nil
}
