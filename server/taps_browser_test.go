package server_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/goldmine-game/goldmine/internal/browsertest"
)

// tap presses and releases the mouse at (x, y) as a finger does: the
// release comes a moment after the press (a tap lasts about 100 ms), so
// that a redraw between the two would lose it.
func tap(x, y float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, typ := range []input.DispatchMouseEventType{input.DispatchMouseEventTypeMouseMoved, input.DispatchMouseEventTypeMousePressed, input.DispatchMouseEventTypeMouseReleased} {
			p := input.DispatchMouseEventParams{Type: typ, X: x, Y: y}
			if typ != input.DispatchMouseEventTypeMouseMoved {
				p.Button, p.ClickCount = input.MouseButtonLeft, 1
			}
			if typ == input.DispatchMouseEventTypeMouseReleased {
				time.Sleep(80 * time.Millisecond)
			}
			if _, err := cdp.Call(ctx, tg, input.DispatchMouseEvent, p); err != nil {
				return fmt.Errorf("mouse %s at %.0f,%.0f: %w", typ, x, y, err)
			}
		}
		return nil
	})
}

// TestTapsLandInBrowser: every tap on a cell, made with real mouse events
// at the cell's place on the screen, digs it, while a spectator floods the
// chat and other spectators come and go (each a frame that updates the
// page). The room's chat limit is lifted here (ChatRate -1): at its
// default (10 a second, on the harness's fake clock that does not move)
// the flood would stop after 20 lines.
func TestTapsLandInBrowser(t *testing.T) {
	browser := browsertest.New(t, 3*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true; o.room.ChatRate = -1 })
	for _, sc := range []screen{desktopEN, phoneZH} {
		t.Run(sc.name, func(t *testing.T) {
			ctx := open(t, browser, sc)
			signUp(t, ctx, h.ts.URL, "Tess")
			run(t, ctx, "create", chromedp.Click(`form.create button.primary`), browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open"`))
			id := eval[string](t, ctx, `window.goldmine.room.id`)
			bob := joinWS(h, h.player("Bob"), id, "player")
			defer bob.ws.Close()
			run(t, ctx, "started", browsertest.Until(`window.goldmine.room.state.status === "playing"`))

			// The flood: chat lines every 20 ms, and a spectator in and
			// out every 50 ms, until the taps are done.
			chatter := joinWS(h, h.player("Chatty"), id, "spectator")
			defer chatter.ws.Close()
			viewer := h.player("Viewer")
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var lines int
			wg.Add(2)
			go func() {
				defer wg.Done()
				for ; ; lines++ {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
					if err := chatter.ws.WriteJSON(map[string]any{"type": "chat", "text": fmt.Sprint("line ", lines)}); err != nil {
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				url := "ws" + strings.TrimPrefix(h.ts.URL, "http") + "/ws"
				for {
					select {
					case <-stop:
						return
					default:
					}
					ws, _, err := websocket.DefaultDialer.Dial(url, nil)
					if err != nil {
						continue
					}
					ws.WriteJSON(map[string]any{"type": "hello", "token": viewer.Token, "room": id, "as": "spectator"})
					time.Sleep(50 * time.Millisecond)
					ws.Close()
				}
			}()

			const taps = 6
			for n := 0; n < taps; n++ {
				// Wait for my turn; Bob digs on his.
				for {
					s := read(t, ctx)
					if s.Status != "playing" {
						t.Fatalf("the game ended after %d taps", n)
					}
					if *s.Turn == *s.Seat {
						break
					}
					bob.send(map[string]any{"type": "dig", "row": s.Cell[0], "col": s.Cell[1]})
					run(t, ctx, "Bob dug", browsertest.Until(fmt.Sprintf(`window.goldmine.room.state.seq > %d`, s.Seq)))
				}
				s := read(t, ctx)
				sel := fmt.Sprintf(`.board button.cell[data-row="%d"][data-col="%d"]`, s.Cell[0], s.Cell[1])
				run(t, ctx, "enabled", browsertest.Until(`(() => { const b = document.querySelector('`+sel+`'); return !!b && !b.disabled; })()`))
				type point struct{ X, Y float64 }
				p := eval[point](t, ctx, `(() => { const b = document.querySelector('`+sel+`'); b.scrollIntoView({block: "center", inline: "center"}); const r = b.getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`)
				run(t, ctx, "tap", tap(p.X, p.Y))
				dug := fmt.Sprintf(`window.goldmine.room.state.board[%d][%d] !== null`, s.Cell[0], s.Cell[1])
				if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](dug, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(3*time.Second))); err != nil {
					t.Fatalf("tap %d on cell %v (at %.0f,%.0f) was lost: no dig within 3 s (%v)", n+1, s.Cell, p.X, p.Y, err)
				}
			}
			close(stop)
			wg.Wait()
			if lines < 20 {
				t.Fatalf("only %d chat lines during the taps: no flood to tap through", lines)
			}
		})
	}
}
