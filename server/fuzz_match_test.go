package server

import (
	"errors"
	"testing"

	"github.com/goldmine-game/goldmine/game"
)

// FuzzMatchBody: any body of POST /api/match is either refused with a 400
// or gives a preset of the catalogue and a wait of 0..30 s.
func FuzzMatchBody(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"preset":"flags"}`, `{"preset":"party","wait_s":30}`, `{"wait_s":31}`, `{"wait_s":-1}`,
		`{"preset":"chess"}`, `{"preset":3}`, `{"wait_s":"5"}`, `{"wait_s":1e400}`, `[]`, `null`, ``, `{"preset":""}`,
	} {
		f.Add([]byte(s))
	}
	presets := game.Builtin()
	f.Fuzz(func(t *testing.T, body []byte) {
		var req matchReq
		err := decodeBody(body, &req)
		var preset string
		var wait int
		if err == nil {
			preset, wait, err = req.check(presets)
		}
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.status != 400 {
				t.Fatalf("error %v is not a 400", err)
			}
			return
		}
		if _, ok := presets.Preset(preset); !ok || wait < 0 || wait > maxMatchWait {
			t.Fatalf("accepted preset %q, wait %d", preset, wait)
		}
	})
}
