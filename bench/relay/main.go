// Command relay is the floor that Goldmine's figures are measured against:
// a bare gorilla/websocket relay that speaks just enough of protocol v1 for
// `goldmine bench` to drive it (players, rooms, hello, dig, rematch), with
// no game rules, no store and no melody. Each dig is stamped with the next
// seq and written straight to every socket of its room.
//
//	go run ./bench/relay --addr 127.0.0.1:9090
//	goldmine bench --url http://127.0.0.1:9090 --verify=false
//
// It is a measuring stick, not a server: it trusts its clients.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9090", "address to serve on")
	flag.Parse()
	r := &relay{rooms: map[string]*room{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/players", r.player)
	mux.HandleFunc("POST /api/rooms", r.create)
	mux.HandleFunc("GET /ws", r.ws)
	log.Printf("relay on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

type relay struct {
	mu    sync.Mutex
	rooms map[string]*room
	ids   atomic.Int64
}

type room struct {
	id    string
	mu    sync.Mutex
	conns []*conn
	seq   int64
	turn  int
	digs  int
	asked int
}

type conn struct {
	ws   *websocket.Conn
	wmu  sync.Mutex
	seat int
}

func (c *conn) write(b []byte) {
	c.wmu.Lock()
	c.ws.WriteMessage(websocket.TextMessage, b)
	c.wmu.Unlock()
}

// A board of 9x9 and a game of 40 digs keep the games as long as classic's.
const rows, cols, digsPerGame, seats = 9, 9, 40, 2

func (r *relay) player(w http.ResponseWriter, _ *http.Request) {
	id := fmt.Sprintf("p%d", r.ids.Add(1))
	json.NewEncoder(w).Encode(map[string]string{"player_id": id, "name": id, "token": id})
}

func (r *relay) create(w http.ResponseWriter, _ *http.Request) {
	id := fmt.Sprintf("R%05d", r.ids.Add(1))
	r.mu.Lock()
	r.rooms[id] = &room{id: id}
	r.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"id": id, "rules": map[string]int{"max_players": seats}})
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

type msg struct {
	Type string          `json:"type"`
	Room string          `json:"room"`
	As   string          `json:"as"`
	Row  int             `json:"row"`
	Col  int             `json:"col"`
	ID   json.RawMessage `json:"id"`
}

func (r *relay) ws(w http.ResponseWriter, req *http.Request) {
	ws, err := upgrader.Upgrade(w, req, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	c := &conn{ws: ws, seat: -1}
	var rm *room
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var m msg
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		switch m.Type {
		case "hello":
			r.mu.Lock()
			rm = r.rooms[strings.ToUpper(m.Room)]
			r.mu.Unlock()
			if rm != nil {
				rm.join(c, m.As == "spectator")
			}
		case "dig":
			if rm != nil {
				rm.dig(c, m)
			}
		case "rematch":
			if rm != nil {
				rm.rematch()
			}
		}
	}
}

func (rm *room) snapshot() map[string]any {
	board := make([][]any, rows)
	for i := range board {
		board[i] = make([]any, cols)
	}
	return map[string]any{"seq": rm.seq, "status": "waiting", "turn": nil, "board": board,
		"rules": map[string]int{"rows": rows, "cols": cols}}
}

func (rm *room) join(c *conn, spectator bool) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	players := 0
	for _, x := range rm.conns {
		if x.seat >= 0 {
			players++
		}
	}
	if !spectator {
		c.seat = players
	}
	rm.conns = append(rm.conns, c)
	var seat any = c.seat
	if spectator {
		seat = nil
	}
	b, _ := json.Marshal(map[string]any{"type": "welcome", "you": map[string]any{"seat": seat}, "room": rm.snapshot()})
	c.write(b)
	if !spectator && c.seat == seats-1 {
		rm.start()
	}
}

// broadcast writes one encoded frame to every socket of the room.
func (rm *room) broadcast(v map[string]any) {
	rm.seq++
	v["seq"] = rm.seq
	b, _ := json.Marshal(v)
	for _, c := range rm.conns {
		c.write(b)
	}
}

func (rm *room) start() {
	rm.digs, rm.asked, rm.turn = 0, 0, 0
	rm.broadcast(map[string]any{"type": "game_started", "turn": 0})
}

func (rm *room) dig(c *conn, m msg) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if c.seat != rm.turn {
		return
	}
	rm.digs++
	over := rm.digs == digsPerGame
	rm.turn = (rm.turn + 1) % seats
	var turn any = rm.turn
	if over {
		turn = nil
	}
	rm.broadcast(map[string]any{"type": "dug", "seat": c.seat, "row": m.Row, "col": m.Col, "id": m.ID,
		"cells": []map[string]int{{"row": m.Row, "col": m.Col, "value": 0}}, "turn": turn})
	if over {
		rm.broadcast(map[string]any{"type": "game_over", "game_id": 0})
	}
}

func (rm *room) rematch() {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if rm.asked++; rm.asked == seats {
		rm.start()
	}
}
