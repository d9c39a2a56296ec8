package admin

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// watcher is a room.Conn for the console: it only notes that the room
// changed. The stream then draws the room again, so a missed signal can
// lose nothing.
type watcher struct {
	changed chan struct{}
	closed  chan struct{}
}

func (w *watcher) Send(frame []byte) {
	select {
	case w.changed <- struct{}{}:
	default: // a change is already pending
	}
	if bytes.Contains(frame, []byte(`"type":"room_closed"`)) {
		w.Close(0, "")
	}
}

// Close ends the stream: the room left this node (another node of the
// cluster adopted it). The room calls it with its lock held, as Send.
func (w *watcher) Close(int, string) {
	select {
	case <-w.closed:
	default:
		close(w.closed)
	}
}

// streamHeartbeat keeps proxies from closing an idle stream.
const streamHeartbeat = 15 * time.Second

// roomStream pushes the room's board, seats and events as server-sent
// events, each time the room changes; htmx's sse extension swaps them in.
func (a *Admin) roomStream(c *gin.Context) {
	r, err := a.cfg.Rooms.Room(c.Param("id"))
	if err != nil {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	w := &watcher{changed: make(chan struct{}, 1), closed: make(chan struct{})}
	unwatch := r.Watch(w)
	defer unwatch()
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-cache")
	c.Header("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	c.Status(http.StatusOK)
	send := func(event string, block string, data map[string]any) {
		var buf bytes.Buffer
		if err := a.pages[a.lang(c)]["room"].ExecuteTemplate(&buf, block, data); err != nil {
			a.log.Error("admin: render stream", "err", err)
			return
		}
		fmt.Fprintf(c.Writer, "event: %s\n", event)
		for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
			fmt.Fprintf(c.Writer, "data: %s\n", line)
		}
		fmt.Fprint(c.Writer, "\n")
	}
	draw := func() {
		data := a.roomData(c, r.AdminView())
		send("board", "board", data)
		send("seats", "seats", data)
		send("events", "events", data)
		c.Writer.Flush()
	}
	draw()
	beat := time.NewTicker(streamHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-c.Request.Context().Done():
			return
		case <-a.done:
			fmt.Fprint(c.Writer, "event: closed\ndata: the server is restarting\n\n")
			c.Writer.Flush()
			return
		case <-w.changed:
			draw()
		case <-w.closed:
			draw()
			fmt.Fprint(c.Writer, "event: closed\ndata: the room is closed\n\n")
			c.Writer.Flush()
			return
		case <-beat.C:
			fmt.Fprint(c.Writer, ": heartbeat\n\n")
			c.Writer.Flush()
		}
	}
}
