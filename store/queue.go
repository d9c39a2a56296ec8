package store

// QueueLen is the number of writes waiting for the writer: the queue an
// operator watches, since a full one makes every move wait for a place.
func (s *Store) QueueLen() int { return len(s.reqs) }

// QueueCap is the writer queue's capacity.
func (s *Store) QueueCap() int { return cap(s.reqs) }
