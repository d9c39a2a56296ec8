package server_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The close codes of docs/protocol.md must reach a client that is still
// sending (or not reading) when the server closes. A socket closed with
// unread input resets the connection, and a reset throws away what the
// peer has not read yet, the close frame with it; so the server half-closes
// and drains the input before closing (a lingering close). Each case runs
// 20 times: a reset is a race, and it lost the close frame in up to 6 runs
// of 10.
const closeRuns = 20

// lingering serves through the server's own listener and http.Server, as
// main does, with a linger longer than any read here: a client then sees
// the end of the stream only if the server half-closed the connection, not
// because the linger ran out.
func lingering(o *harnessOpts) { o.tcp, o.ws.Linger = true, time.Minute }

// maskedFrame is one client frame with FIN set, masked with a fixed key.
func maskedFrame(opcode byte, payload []byte) []byte {
	b := []byte{0x80 | opcode}
	switch n := len(payload); {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n < 1<<16:
		b = append(b, 0x80|126, byte(n>>8), byte(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	key := []byte{9, 8, 7, 6}
	b = append(b, key...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}

// pour writes data in small pieces until it is all written, stop is
// closed, or a write fails: a client still sending when the server closes.
func pour(conn net.Conn, data []byte, stop <-chan struct{}) {
	for len(data) > 0 {
		select {
		case <-stop:
			return
		default:
		}
		n := min(len(data), 1024)
		conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write(data[:n]); err != nil {
			return
		}
		data = data[n:]
	}
}

// readClose reads server frames until the close frame and returns its code
// and what the read after it says: io.EOF when the server closed cleanly.
// A connection that ends before the close frame gives 1006 and the error.
func (w *rawWS) readClose(timeout time.Duration) (code int, after error, frames int) {
	w.conn.SetReadDeadline(time.Now().Add(timeout))
	for {
		var hdr [2]byte
		if _, err := io.ReadFull(w.br, hdr[:]); err != nil {
			return 1006, err, frames
		}
		n := int64(hdr[1] & 0x7f)
		switch n {
		case 126:
			var ext [2]byte
			if _, err := io.ReadFull(w.br, ext[:]); err != nil {
				return 1006, err, frames
			}
			n = int64(binary.BigEndian.Uint16(ext[:]))
		case 127:
			var ext [8]byte
			if _, err := io.ReadFull(w.br, ext[:]); err != nil {
				return 1006, err, frames
			}
			n = int64(binary.BigEndian.Uint64(ext[:]))
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(w.br, payload); err != nil {
			return 1006, fmt.Errorf("a frame cut after its header: %w", err), frames
		}
		frames++
		if hdr[0]&0x0f != 0x8 {
			continue
		}
		code = 1005
		if len(payload) >= 2 {
			code = int(binary.BigEndian.Uint16(payload))
		}
		_, after = w.br.ReadByte()
		return code, after, frames
	}
}

// closeTrial runs one raw client that pours data at the server, reading
// meanwhile, and returns the close code it got and how the stream ended
// after it.
func closeTrial(t *testing.T, h *harness, data []byte) (int, error) {
	t.Helper()
	w := h.rawDial(t)
	defer w.conn.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pour(w.conn, data, stop)
	}()
	code, after, _ := w.readClose(10 * time.Second)
	close(stop)
	wg.Wait()
	return code, after
}

// closeTally counts the outcomes of the runs of one case, and fails the
// test unless every run got want, then a clean end of stream.
type closeTally struct {
	t    *testing.T
	want int
	got  map[string]int
	bad  int
}

func newCloseTally(t *testing.T, want int) *closeTally {
	return &closeTally{t: t, want: want, got: map[string]int{}}
}

func (c *closeTally) add(code int, after error) {
	end := "EOF"
	if !errors.Is(after, io.EOF) {
		end = fmt.Sprint(after)
		if i := strings.LastIndex(end, ": "); i >= 0 {
			end = end[i+2:] // the errno, not the addresses
		}
	}
	if code != c.want || end != "EOF" {
		c.bad++
	}
	c.got[fmt.Sprintf("%d then %s", code, end)]++
}

func (c *closeTally) check() {
	c.t.Helper()
	c.t.Logf("%d runs: %v", closeRuns, c.got)
	if c.bad > 0 {
		c.t.Fatalf("%d of %d runs did not get close %d then the end of the stream: %v", c.bad, closeRuns, c.want, c.got)
	}
}

// TestFloodGets1008 pours 5,000 pings, as fast as the socket takes them.
// The server answers the burst, drops the rest with rate_limited, and
// closes with 1008 while most of them are still on their way.
func TestFloodGets1008(t *testing.T) {
	h := newHarness(t, lingering)
	ping := maskedFrame(0x1, []byte(`{"type":"ping"}`))
	flood := bytes.Repeat(ping, 5000)
	tally := newCloseTally(t, 1008)
	for i := 0; i < closeRuns; i++ {
		tally.add(closeTrial(t, h, flood))
	}
	tally.check()
}

// TestBigFrameGets1009 declares a 1 MiB frame and keeps sending its
// payload: the server refuses it at the header, with 1009.
func TestBigFrameGets1009(t *testing.T) {
	h := newHarness(t, lingering)
	hdr := []byte{0x81, 0x80 | 127}
	hdr = binary.BigEndian.AppendUint64(hdr, 1<<20)
	data := append(append(hdr, 1, 2, 3, 4), bytes.Repeat([]byte("x"), 256<<10)...)
	tally := newCloseTally(t, 1009)
	for i := 0; i < closeRuns; i++ {
		tally.add(closeTrial(t, h, data))
	}
	tally.check()
}

// TestSlowClientGets4004 has a spectator ask for snapshots of a 30×30 room
// without reading them, until the server gives up on it. It then reads,
// still asking: it gets complete frames, then the close frame 4004, then
// the end of the stream.
func TestSlowClientGets4004(t *testing.T) {
	h := newHarness(t, fast, lingering)
	alice := h.player("Alice")
	id := h.room(alice, map[string]any{"preset": "classic", "rows": 30, "cols": 30, "gold": 100})
	hello := maskedFrame(0x1, []byte(fmt.Sprintf(`{"type":"hello","token":%q,"room":%q,"as":"spectator"}`, alice.Token, id)))
	resyncs := bytes.Repeat(maskedFrame(0x1, []byte(`{"type":"resync"}`)), 20000) // 480 KB: under the 1 MiB a close drains
	tally := newCloseTally(t, 4004)
	for i := 0; i < closeRuns; i++ {
		w := h.rawDial(t)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			pour(w.conn, append(hello, resyncs...), stop)
		}()
		for n := 0; strings.Count(h.logs.String(), "does not keep up") == i; n++ {
			if n == 1000 {
				t.Fatalf("run %d: the slow client was never closed", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
		code, after, _ := w.readClose(10 * time.Second)
		close(stop)
		wg.Wait()
		w.conn.Close()
		tally.add(code, after)
	}
	tally.check()
}

// TestCloseCodeOverTLS floods a wss:// socket: the lingering close works
// under TLS too (it half-closes the TCP connection beneath).
func TestCloseCodeOverTLS(t *testing.T) {
	h := newHarness(t)
	ts := httptest.NewUnstartedServer(h.srv.Handler())
	ts.StartTLS()
	defer ts.Close()
	d := websocket.Dialer{TLSClientConfig: ts.Client().Transport.(*http.Transport).TLSClientConfig}
	for i := 0; i < closeRuns; i++ {
		ws, _, err := d.Dial("wss"+strings.TrimPrefix(ts.URL, "https")+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 5000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)) != nil {
					return
				}
			}
		}()
		var err2 error
		for err2 == nil {
			_, _, err2 = ws.ReadMessage()
		}
		close(stop)
		wg.Wait()
		ws.Close()
		var ce *websocket.CloseError
		if !errors.As(err2, &ce) || ce.Code != 1008 {
			t.Fatalf("run %d: %v, want close 1008", i, err2)
		}
	}
}
