package app

import "goldmine/match"

// matchQueue is where quick match keeps its tickets: in memory on a single
// node. (A cluster's shared queue: see store.MatchQueue.)
func (s *Server) matchQueue() match.Queue {
	return nil
}
