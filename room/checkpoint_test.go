package room

import (
	"reflect"
	"testing"
)

// notCheckpointed lists the fields of Room outside its state, which a
// checkpoint copies whole, each with why a refused change need not undo it.
var notCheckpointed = map[string]string{
	"m":             "the manager: fixed for the room's life",
	"id":            "set at creation, never changed",
	"name":          "set at creation, never changed",
	"private":       "set at creation, never changed",
	"createdBy":     "set at creation, never changed",
	"createdAt":     "set at creation, never changed",
	"rules":         "set at creation, never changed",
	"botSubstitute": "set at creation, never changed",
	"rated":         "set at creation, never changed",
	"reserved":      "set at creation, never changed",
	"reservedUntil": "set at creation, never changed",
	"chatMu":        "a lock",
	"chat":          "the recent chat: filled in flush, after the store took the change, so a refused one never reaches it",
	"chatLimit":     "the chat rate: a refused line spent its token before it waited",
	"digsWaiting":   "counts goroutines waiting for mu, not the room",
	"mu":            "the lock",
	"spectators":    "connections: they come and go outside apply, whatever the store says",
	"watchers":      "connections: they come and go outside apply, whatever the store says",
	"turnTimer":     "timers follow the state: rearm (or a retry) sets them after every change, refused or not",
	"timerGen":      "timers follow the state: rearm (or a retry) sets them after every change, refused or not",
	"idle":          "timers follow the state: rearm (or a retry) sets them after every change, refused or not",
	"closed":        "a store that says another node owns the room releases it during the save: that must outlast the restore",
	"out":           "the events of the change: restore drops them",
	"recent":        "only flush adds to it, once a change is stored",
	"summary":       "only publish sets it, from the state, after a change",
	"pubSeq":        "only publish sets it, from the state, after a change",
}

// seatNotCheckpointed does the same for a seat, whose SeatRecord a
// checkpoint keeps.
var seatNotCheckpointed = map[string]string{
	"member":    "the seat's connection: it comes and goes outside apply",
	"awaySince": "when the connection went: set with member",
	"grace":     "a timer: rearm follows member",
}

// TestCheckpointCoversRoom fails when a field is added to Room (or to a
// seat) without saying whether a refused change must undo it: put it in
// state, which checkpoint and restore copy whole, or in notCheckpointed
// with the reason it needs no undoing.
func TestCheckpointCoversRoom(t *testing.T) {
	for _, tt := range []struct {
		typ     reflect.Type
		whole   string // the embedded struct a checkpoint copies
		without map[string]string
	}{
		{reflect.TypeFor[Room](), "state", notCheckpointed},
		{reflect.TypeFor[seat](), "SeatRecord", seatNotCheckpointed},
	} {
		t.Run(tt.typ.Name(), func(t *testing.T) {
			direct := map[string]bool{}
			for i := range tt.typ.NumField() {
				f := tt.typ.Field(i)
				direct[f.Name] = true
				if f.Name == tt.whole && f.Anonymous {
					continue
				}
				if _, ok := tt.without[f.Name]; !ok {
					t.Errorf("%s.%s is not checkpointed: move it into %s, or list it in the test with why a refused change need not undo it",
						tt.typ.Name(), f.Name, tt.whole)
				}
			}
			if !direct[tt.whole] {
				t.Fatalf("%s embeds no %s", tt.typ.Name(), tt.whole)
			}
			for name := range tt.without {
				if !direct[name] {
					t.Errorf("%s.%s is listed as not checkpointed but is no field of %s", tt.typ.Name(), name, tt.typ.Name())
				}
			}
		})
	}
}
