package room

import (
	"encoding/json"
	"strconv"
)

// appender is an event that writes its own JSON. The hot events (a dig,
// once per move) do, to skip reflection and intermediate allocations:
// one frame, one allocation, shared by every member.
type appender interface {
	appendJSON(dst []byte) []byte
}

// encode marshals a frame. The types of events.go cannot fail to encode.
func encode(v any) []byte {
	if a, ok := v.(appender); ok {
		return a.appendJSON(make([]byte, 0, 256))
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic("room: encode frame: " + err.Error())
	}
	return b
}

func appendInt(dst []byte, key string, v int64) []byte {
	dst = append(dst, key...)
	return strconv.AppendInt(dst, v, 10)
}

func appendIntPtr[T int | int64](dst []byte, key string, v *T) []byte {
	dst = append(dst, key...)
	if v == nil {
		return append(dst, "null"...)
	}
	return strconv.AppendInt(dst, int64(*v), 10)
}

// appendJSON writes the dug event exactly as encoding/json would (the
// tests compare the two).
func (e *dug) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"type":"dug"`...)
	dst = appendInt(dst, `,"seq":`, e.Seq)
	dst = appendInt(dst, `,"seat":`, int64(e.Seat))
	dst = appendInt(dst, `,"row":`, int64(e.Row))
	dst = appendInt(dst, `,"col":`, int64(e.Col))
	dst = append(dst, `,"id":`...)
	if len(e.ID) == 0 {
		dst = append(dst, "null"...)
	} else {
		// The id is raw JSON the server checked to be a string or a
		// number; compact it as encoding/json would.
		dst = appendCompact(dst, e.ID)
	}
	dst = append(dst, `,"gold":`...)
	dst = strconv.AppendBool(dst, e.Gold)
	dst = append(dst, `,"cells":`...)
	if e.Cells == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, c := range e.Cells {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendInt(dst, `{"row":`, int64(c.Row))
			dst = appendInt(dst, `,"col":`, int64(c.Col))
			dst = appendInt(dst, `,"value":`, int64(c.Value))
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"scores":`...)
	if e.Scores == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, s := range e.Scores {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, int64(s), 10)
		}
		dst = append(dst, ']')
	}
	dst = appendInt(dst, `,"gold_left":`, int64(e.GoldLeft))
	dst = appendIntPtr(dst, `,"turn":`, e.Turn)
	dst = appendIntPtr(dst, `,"deadline":`, e.Deadline)
	return append(dst, '}')
}

func appendCompact(dst []byte, raw json.RawMessage) []byte {
	out, err := json.Marshal(raw)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, out...)
}
