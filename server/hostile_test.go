package server_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/server"
)

// rawWS is a WebSocket connection driven byte by byte, to send what no
// library client would.
type rawWS struct {
	t    *testing.T
	conn net.Conn
	br   *bufio.Reader
}

func (h *harness) rawDial(t *testing.T) *rawWS {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: "+strings.TrimPrefix(h.ts.URL, "http://")+
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	return &rawWS{t: t, conn: conn, br: br}
}

// frame writes one frame. length < 0 means len(payload); otherwise the
// header declares length whatever payload holds.
func (w *rawWS) frame(fin bool, rsv, opcode byte, masked bool, length int64, payload []byte) {
	var b []byte
	first := rsv<<4 | opcode
	if fin {
		first |= 0x80
	}
	b = append(b, first)
	if length < 0 {
		length = int64(len(payload))
	}
	maskBit := byte(0)
	if masked {
		maskBit = 0x80
	}
	switch {
	case length < 126:
		b = append(b, maskBit|byte(length))
	case length < 1<<16:
		b = append(b, maskBit|126, byte(length>>8), byte(length))
	default:
		b = append(b, maskBit|127)
		b = binary.BigEndian.AppendUint64(b, uint64(length))
	}
	if masked {
		key := []byte{1, 2, 3, 4}
		b = append(b, key...)
		for i, c := range payload {
			b = append(b, c^key[i%4])
		}
	} else {
		b = append(b, payload...)
	}
	if _, err := w.conn.Write(b); err != nil {
		w.t.Fatal(err)
	}
}

// closeCode reads server frames until a close frame and returns its code.
func (w *rawWS) closeCode() int {
	w.t.Helper()
	w.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var hdr [2]byte
		if _, err := io.ReadFull(w.br, hdr[:]); err != nil {
			w.t.Fatalf("no close frame: %v", err)
		}
		n := int64(hdr[1] & 0x7f)
		switch n {
		case 126:
			var ext [2]byte
			io.ReadFull(w.br, ext[:])
			n = int64(binary.BigEndian.Uint16(ext[:]))
		case 127:
			var ext [8]byte
			io.ReadFull(w.br, ext[:])
			n = int64(binary.BigEndian.Uint64(ext[:]))
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(w.br, payload); err != nil {
			w.t.Fatalf("short frame: %v", err)
		}
		if hdr[0]&0x0f == 0x8 {
			if len(payload) < 2 {
				return 1005
			}
			return int(binary.BigEndian.Uint16(payload))
		}
	}
}

func TestHostileFrames(t *testing.T) {
	tests := []struct {
		name string
		send func(w *rawWS)
		want int
	}{
		{"1 TiB length", func(w *rawWS) {
			// Only the header: the server must answer without waiting for
			// (or making room for) the payload.
			w.frame(true, 0, 0x1, true, 1<<40, nil)
		}, 1009},
		{"just over 4096", func(w *rawWS) { w.frame(true, 0, 0x1, true, 4097, nil) }, 1009},
		{"unmasked", func(w *rawWS) { w.frame(true, 0, 0x1, false, -1, []byte(`{"type":"ping"}`)) }, 1002},
		{"reserved opcode 3", func(w *rawWS) { w.frame(true, 0, 0x3, true, -1, []byte("x")) }, 1002},
		{"reserved control opcode 11", func(w *rawWS) { w.frame(true, 0, 0xB, true, -1, nil) }, 1002},
		{"RSV1 without extension", func(w *rawWS) { w.frame(true, 4, 0x1, true, -1, []byte(`{"type":"ping"}`)) }, 1002},
		{"RSV3", func(w *rawWS) { w.frame(true, 1, 0x1, true, -1, []byte(`{}`)) }, 1002},
		{"fragmented ping", func(w *rawWS) { w.frame(false, 0, 0x9, true, -1, []byte("p")) }, 1002},
		{"control frame over 125 bytes", func(w *rawWS) { w.frame(true, 0, 0x9, true, -1, make([]byte, 126)) }, 1002},
		{"continuation without start", func(w *rawWS) { w.frame(true, 0, 0x0, true, -1, []byte("x")) }, 1002},
		{"invalid UTF-8", func(w *rawWS) { w.frame(true, 0, 0x1, true, -1, []byte("{\"type\":\"\xc3\x28\"}")) }, 1007},
		{"invalid UTF-8 across fragments", func(w *rawWS) {
			w.frame(false, 0, 0x1, true, -1, []byte("{\"type\":\"\xe2\x82"))
			w.frame(true, 0, 0x0, true, -1, []byte("\"}"))
		}, 1007},
	}
	h := newHarness(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := h.rawDial(t)
			tt.send(w)
			if got := w.closeCode(); got != tt.want {
				t.Fatalf("close %d, want %d", got, tt.want)
			}
		})
	}
	// After all that, the server is fine.
	c := h.dial("after", nil)
	c.send(`{"type":"ping","t":1}`)
	c.expect("pong")
}

// TestSlowloris sends request headers one byte at a time: the server cuts
// the connection at the header timeout instead of waiting for ever.
func TestSlowloris(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := server.HTTPServer("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), server.Timeouts{ReadHeader: 300 * time.Millisecond})
	go hs.Serve(ln)
	defer hs.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	headers := "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + strings.Repeat("a", 100) + "\r\n\r\n"
	start := time.Now()
	for i := 0; i < len(headers); i++ {
		if _, err := conn.Write([]byte{headers[i]}); err != nil {
			t.Logf("cut after %d bytes, %v", i, time.Since(start).Round(time.Millisecond))
			return
		}
		conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		var b [1]byte
		if _, err := conn.Read(b[:]); err != nil {
			if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
				t.Logf("cut after %d bytes, %v: %v", i, time.Since(start).Round(time.Millisecond), err)
				return
			}
		}
	}
	t.Fatalf("the server read all %d header bytes, sent one at a time over %v", len(headers), time.Since(start))
}
