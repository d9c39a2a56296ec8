package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/goldmine-game/goldmine/game"
)

// FuzzDecodeMessage feeds the client-message decoder arbitrary frames. It
// must never panic; it must either refuse a frame with errBadMessage or
// return a message of a known type with the fields that type needs.
func FuzzDecodeMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello","token":"abc.def","room":"K7M2QX","as":"spectator"}`,
		`{"type":"dig","row":3,"col":4,"id":"m1"}`, `{"type":"dig","row":3,"col":4,"id":17}`,
		`{"type":"chat","text":"hi"}`, `{"type":"ping","t":1700000000000}`, `{"type":"resync"}`,
		`{"type":"dig","row":1e400}`, `{"type":"dig","row":-0,"col":1,"id":{"x":1}}`, `[]`, `null`, `{`, ``,
		`{"type":"hello","token":"","room":"x"}`, `{"type":"start"}{"type":"start"}`, "\x00", `{"type":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeMessage(data)
		// The fast path (Unmarshal) must decide as the Decoder alone did.
		if dm, derr := decodeWithDecoder(data); !reflect.DeepEqual(m, dm) || (err == nil) != (derr == nil) ||
			err != nil && err.Error() != derr.Error() {
			t.Fatalf("decodeMessage = %+v, %v; the Decoder alone = %+v, %v", m, err, dm, derr)
		}
		if err != nil {
			if !errors.Is(err, errBadMessage) {
				t.Fatalf("error %v does not wrap errBadMessage", err)
			}
			return
		}
		switch m.Type {
		case "hello":
			if m.Token == "" || m.Room == "" || (m.As != "player" && m.As != "spectator") {
				t.Fatalf("accepted hello %+v", m)
			}
		case "dig":
			if m.Row == nil || m.Col == nil || len(m.ID) > maxMoveID {
				t.Fatalf("accepted dig %+v", m)
			}
			if len(m.ID) > 0 && !json.Valid(m.ID) {
				t.Fatalf("accepted an id that is not JSON: %q", m.ID)
			}
		case "chat":
			if m.Text == nil {
				t.Fatal("accepted chat without text")
			}
		case "ping", "start", "leave", "rematch", "resync":
		default:
			t.Fatalf("accepted unknown type %q", m.Type)
		}
	})
}

// FuzzCreateRoomBody feeds POST /api/rooms arbitrary bodies: they are
// refused with a 400 or give rules that validate.
func FuzzCreateRoomBody(f *testing.F) {
	for _, s := range []string{
		`{"preset":"flags"}`, `{"preset":"party","max_players":8,"rows":30,"cols":30,"gold":899}`,
		`{"rows":4}`, `{"preset":"chess"}`, `{"gold":-1}`, `{"turn_seconds":3600,"extra_turn_on_gold":true}`,
		`{"rows":"9"}`, `{"name":null}`, `{}`, ` {"private":true} `, `{"rows":9223372036854775808}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req createRoomReq
		if err := decodeBody(body, &req); err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.status != 400 {
				t.Fatalf("decode error %v is not a 400", err)
			}
			return
		}
		r, err := req.rules(game.Builtin())
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.code != "invalid_rules" {
				t.Fatalf("rules error %v is not invalid_rules", err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("accepted invalid rules %+v: %v", r, err)
		}
		if _, ok := game.Preset(r.Preset); !ok && r.Preset != "custom" {
			t.Fatalf("preset %q", r.Preset)
		}
	})
}

// FuzzPlayerBody feeds POST /api/players arbitrary bodies: the decoder and
// the name rules refuse them or give a clean name.
func FuzzPlayerBody(f *testing.F) {
	for _, s := range []string{`{"name":"Alice"}`, `{"name":"  "}`, `{"name":"a\u0000"}`, `{"name":5}`, `{"name":"\u202e"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req nameReq
		if decodeBody(body, &req) != nil {
			return
		}
		name, err := cleanName(req.Name)
		if err != nil {
			return
		}
		if n := utf8.RuneCountInString(name); n < 1 || n > 24 || strings.TrimSpace(name) != name || !utf8.ValidString(name) {
			t.Fatalf("accepted name %q", name)
		}
	})
}

// decodeWithDecoder is decodeMessage as it was before its Unmarshal fast
// path: every frame through a json.Decoder.
func decodeWithDecoder(data []byte) (clientMsg, error) {
	var m clientMsg
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return m, fmt.Errorf("%w: a message must be a JSON object", errBadMessage)
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return m, fmt.Errorf("%w: %s must be %s", errBadMessage, te.Field, jsonType(te.Type))
		}
		return m, fmt.Errorf("%w: not valid JSON", errBadMessage)
	}
	if dec.More() {
		return m, fmt.Errorf("%w: one JSON object per frame", errBadMessage)
	}
	return checkMessage(m)
}

// BenchmarkDecodeMessage decodes a dig, the frame every move starts with.
//
//	go test ./server -run '^$' -bench DecodeMessage -benchmem -count 5
func BenchmarkDecodeMessage(b *testing.B) {
	frame := []byte(`{"type":"dig","row":3,"col":4,"id":"m17"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeMessage(frame); err != nil {
			b.Fatal(err)
		}
	}
}
