package loadgen

// seqCheck follows the seq of one connection's events. After a welcome or a
// snapshot at seq S, the next event must be S+1: a higher seq is a gap (an
// event was lost), a lower or equal one a reorder (or a repeat).
type seqCheck struct {
	last     int64
	started  bool
	gaps     int
	reorders int
}

// reset sets the seq a welcome or snapshot reported.
func (c *seqCheck) reset(seq int64) {
	c.last, c.started = seq, true
}

// Outcomes of seqCheck.event.
const (
	inOrder = iota
	gap
	reorder
)

// event checks the seq of an event.
func (c *seqCheck) event(seq int64) int {
	if !c.started {
		// An event before any welcome: nothing to compare it with.
		c.last, c.started = seq, true
		return inOrder
	}
	switch {
	case seq == c.last+1:
		c.last = seq
		return inOrder
	case seq > c.last+1:
		c.gaps++
		c.last = seq
		return gap
	default:
		c.reorders++
		return reorder
	}
}
