package admin

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/solver"
)

// stats are the dashboard's live counts.
type stats struct {
	Connections int
	Rooms       map[string]int // by status
	Members     int
	DigsPerMin  int
	GamesToday  int
	Goroutines  int
	HeapMB      float64
	SysMB       float64
	Uptime      string
	DBMB        float64
}

func (a *Admin) stats(c *gin.Context) stats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rs := a.cfg.Rooms.Stats()
	byStatus := map[string]int{}
	for st, n := range rs.Rooms {
		byStatus[string(st)] = n
	}
	now := a.now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	games, err := a.cfg.Store.GamesSince(c.Request.Context(), today)
	if err != nil {
		a.log.Error("admin: games today", "err", err)
	}
	size, _ := a.cfg.Store.Size(c.Request.Context())
	return stats{
		Connections: a.cfg.Sessions(), Rooms: byStatus, Members: rs.Members, DigsPerMin: a.cfg.Rooms.DigsLastMinute(),
		GamesToday: games, Goroutines: runtime.NumGoroutine(), HeapMB: float64(ms.HeapAlloc) / (1 << 20),
		SysMB: float64(ms.Sys) / (1 << 20), Uptime: a.now().Sub(a.started).Round(time.Second).String(),
		DBMB: float64(size) / (1 << 20),
	}
}

func (a *Admin) dashboard(c *gin.Context) {
	data := map[string]any{"Stats": a.stats(c), "Nodes": a.nodes(c.Request.Context())}
	if c.Query("fragment") == "stats" {
		a.renderBlock(c, http.StatusOK, "dashboard", "stats", data)
		return
	}
	a.render(c, http.StatusOK, "dashboard", data)
}

func (a *Admin) rooms(c *gin.Context) {
	f := room.Filter{Private: true, Limit: 500}
	switch st := room.Status(c.Query("status")); st {
	case room.Waiting, room.Playing, room.Finished:
		f.Status = st
	}
	q := strings.ToLower(strings.TrimSpace(c.Query("q")))
	var all []roomRow
	for _, s := range a.cfg.Rooms.List(f) {
		all = append(all, roomRow{Summary: s})
	}
	if a.cfg.Cluster != nil {
		for i := range all {
			all[i].Node = a.cfg.Cluster.ID()
		}
		remote, err := a.cfg.Cluster.RemoteRooms(c.Request.Context())
		if err != nil {
			a.log.Error("admin: other nodes' rooms", "err", err)
		}
		for _, rr := range remote {
			if f.Status == "" || rr.Summary.Status == f.Status {
				all = append(all, roomRow{Summary: rr.Summary, Node: rr.Node})
			}
		}
		slices.SortFunc(all, func(x, y roomRow) int {
			return cmp.Or(y.CreatedAt.Compare(x.CreatedAt), cmp.Compare(x.ID, y.ID))
		})
		if len(all) > f.Limit {
			all = all[:f.Limit]
		}
	}
	var list []roomRow
	for _, s := range all {
		if q == "" || strings.Contains(strings.ToLower(s.ID+" "+s.Name+" "+s.Rules.Preset+" "+s.Node), q) {
			list = append(list, s)
		}
	}
	data := map[string]any{"Rooms": list, "Status": string(f.Status), "Q": c.Query("q"), "Clustered": a.cfg.Cluster != nil}
	if c.Query("fragment") == "list" {
		a.renderBlock(c, http.StatusOK, "rooms", "list", data)
		return
	}
	a.render(c, http.StatusOK, "rooms", data)
}

// roomRow is a line of the rooms page: the room, and in a cluster the
// node that holds it.
type roomRow struct {
	room.Summary
	Node string
}

// roomData is what the live room page and its stream draw.
func (a *Admin) roomData(c *gin.Context, v room.AdminView) map[string]any {
	type ev struct {
		Seq  int64
		Type string
		Text string
	}
	var events []ev
	for i := len(v.Recent) - 1; i >= 0; i-- {
		var head struct {
			Seq  int64  `json:"seq"`
			Type string `json:"type"`
		}
		json.Unmarshal(v.Recent[i], &head)
		events = append(events, ev{Seq: head.Seq, Type: head.Type, Text: string(v.Recent[i])})
	}
	turn := -1
	if v.Turn != nil {
		turn = *v.Turn
	}
	var deadline int64
	if v.Deadline != nil {
		deadline = *v.Deadline
	}
	node := ""
	if a.cfg.Cluster != nil {
		node = a.cfg.Cluster.ID()
	}
	return map[string]any{"Room": v, "Board": boardCells(v.Board, v.Full, a.cellWords(c)), "Events": events, "Turn": turn, "Deadline": deadline,
		"Bots": a.cfg.Bots != nil, "Levels": solver.Levels, "Node": node}
}

func (a *Admin) roomPage(c *gin.Context) {
	r, err := a.cfg.Rooms.Room(c.Param("id"))
	if err != nil {
		a.render(c, http.StatusNotFound, "notfound", map[string]any{"What": a.tr(c, "notfound.room", c.Param("id"))})
		return
	}
	a.render(c, http.StatusOK, "room", a.roomData(c, r.AdminView()))
}

// act runs an admin action, records it, and answers htmx with done (a
// catalogue key), or with why it failed (explain), which the console
// shows in the page, in the page's language.
func (a *Admin) act(c *gin.Context, action, target, done string, do func() error) {
	if err := do(); err != nil {
		a.refuse(c, action, target, err)
		return
	}
	a.record(c, action, target, c.PostForm("detail"))
	c.String(http.StatusOK, "%s", a.tr(c, done))
}

// refuse answers a failed action with its explanation; the log has it in
// English.
func (a *Admin) refuse(c *gin.Context, action, target string, err error) {
	status, key := explain(action, err)
	a.log.Warn("admin: action failed", "action", action, "target", target, "reason", a.cats.text(consoleLangs[0], key), "err", err)
	c.String(status, "%s", a.tr(c, key))
}

// say answers a request with key's words in the page's language.
func (a *Admin) say(c *gin.Context, status int, key string, args ...any) {
	c.String(status, "%s", a.tr(c, key, args...))
}

func (a *Admin) closeRoom(c *gin.Context) {
	id := c.Param("id")
	a.act(c, "close_room", "room "+id, "act.room_closed", func() error { return a.cfg.Rooms.CloseRoom(id) })
}

func (a *Admin) skipTurn(c *gin.Context) {
	id := c.Param("id")
	a.act(c, "skip_turn", "room "+id, "act.turn_skipped", func() error { return a.cfg.Rooms.SkipTurn(id) })
}

// kick removes a player. In a game in play the admin says what becomes of
// the seat (then=bot: a bot of the chosen level plays on; anything else:
// the game ends with no result), so that a kick never hands the others a
// win.
func (a *Admin) kick(c *gin.Context) {
	id, player := c.Param("id"), c.PostForm("player")
	// then is said in the page's language, and recorded in English.
	bot, thenKey, thenArg, levelWord := "", "act.kick_then_end", "", ""
	if c.PostForm("then") == "bot" {
		level, err := solver.ParseLevel(cmp.Or(c.PostForm("level"), "normal"))
		if err != nil {
			a.say(c, http.StatusBadRequest, "act.choose_level")
			return
		}
		bot, thenKey, thenArg, levelWord = string(level), "act.kick_then_bot", string(level), a.tr(c, "level."+string(level))
	}
	then := a.cats.text(consoleLangs[0], thenKey, thenArg)
	target := "player " + player + " in room " + id
	if err := a.cfg.Rooms.Kick(id, player, bot); err != nil {
		a.refuse(c, "kick", target, err)
		return
	}
	a.record(c, "kick", target, then)
	a.say(c, http.StatusOK, "act.kicked", a.tr(c, thenKey, levelWord))
}

// addBot seats a bot in a waiting room, as the room's creator can through
// the API: an admin's ready opponent for a demonstration.
func (a *Admin) addBot(c *gin.Context) {
	id := c.Param("id")
	if a.cfg.Bots == nil {
		a.say(c, http.StatusNotImplemented, "act.no_bots")
		return
	}
	level, err := solver.ParseLevel(c.PostForm("level"))
	if err != nil {
		a.say(c, http.StatusBadRequest, "act.choose_level")
		return
	}
	if r, err := a.cfg.Rooms.Room(id); err == nil {
		// Say what is wrong with the room before a bot is made for it.
		switch v := r.AdminView(); {
		case v.Status == room.Playing:
			a.say(c, http.StatusConflict, "act.bot_playing")
			return
		case v.Status == room.Finished:
			a.say(c, http.StatusConflict, "act.bot_finished")
			return
		}
	}
	a.act(c, "add_bot", "room "+id, "act.bot_added", func() error {
		_, err := a.cfg.Bots.Add(c.Request.Context(), id, level)
		return err
	})
}

func (a *Admin) games(c *gin.Context) {
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	f := domain.GamesFilter{Player: strings.TrimSpace(c.Query("player")), Before: before, Limit: 25}
	list, err := a.cfg.Store.Games(c.Request.Context(), f)
	if err != nil {
		a.log.Error("admin: games", "err", err)
		a.say(c, http.StatusInternalServerError, "err.internal")
		return
	}
	var next int64
	if len(list) == f.Limit {
		next = list[len(list)-1].ID
	}
	a.render(c, http.StatusOK, "games", map[string]any{"Games": list, "Player": f.Player, "Next": next})
}

// replayAt rebuilds a stored game after its first n moves, from its layout
// and moves, through the engine.
func replayAt(g domain.Game, n int) (*game.Game, error) {
	b, err := game.FromLayout(g.Rules.Rows, g.Rules.Cols, g.Layout)
	if err != nil {
		return nil, err
	}
	live, err := game.NewWithBoard(g.Rules, b, len(g.Players), g.First)
	if err != nil {
		return nil, err
	}
	for _, m := range g.Moves[:n] {
		if _, err := live.Apply(game.Move{Kind: m.Kind, Seat: m.Seat, Row: m.Row, Col: m.Col}); err != nil {
			return nil, err
		}
	}
	return live, nil
}

func (a *Admin) loadGame(c *gin.Context) (domain.Game, bool) {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	g, err := a.cfg.Store.Game(c.Request.Context(), id)
	if errors.Is(err, domain.ErrNotFound) || id == 0 {
		a.render(c, http.StatusNotFound, "notfound", map[string]any{"What": a.tr(c, "notfound.game", c.Param("id"))})
		return g, false
	}
	if err != nil {
		a.log.Error("admin: game", "err", err)
		a.say(c, http.StatusInternalServerError, "err.internal")
		return g, false
	}
	return g, true
}

func (a *Admin) stepData(c *gin.Context, g domain.Game, n int) (map[string]any, error) {
	n = min(max(n, 0), len(g.Moves))
	live, err := replayAt(g, n)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"Game": g, "N": n, "Total": len(g.Moves), "Board": boardCells(live.PublicView(), live.FullView(), a.cellWords(c)),
		"Scores": live.Scores()}
	if n > 0 {
		data["Last"] = g.Moves[n-1]
	}
	return data, nil
}

func (a *Admin) gamePage(c *gin.Context) {
	g, ok := a.loadGame(c)
	if !ok {
		return
	}
	data, err := a.stepData(c, g, 0)
	if err != nil {
		a.log.Error("admin: replay", "game", g.ID, "err", err)
		a.say(c, http.StatusInternalServerError, "game.no_replay", err)
		return
	}
	data["Verified"] = game.Verify(g.Commitment, g.Salt, g.Layout)
	a.render(c, http.StatusOK, "game", data)
}

func (a *Admin) gameStep(c *gin.Context) {
	g, ok := a.loadGame(c)
	if !ok {
		return
	}
	n, _ := strconv.Atoi(c.Param("n"))
	data, err := a.stepData(c, g, n)
	if err != nil {
		a.say(c, http.StatusInternalServerError, "game.no_replay", err)
		return
	}
	a.renderBlock(c, http.StatusOK, "game", "step", data)
}

func (a *Admin) players(c *gin.Context) {
	ctx := c.Request.Context()
	q := strings.TrimSpace(c.Query("q"))
	list, err := a.cfg.Store.SearchPlayers(ctx, q, 50)
	if err != nil {
		a.log.Error("admin: players", "err", err)
		a.say(c, http.StatusInternalServerError, "err.internal")
		return
	}
	period := c.DefaultQuery("period", domain.PeriodAll)
	if period != domain.PeriodWeek {
		period = domain.PeriodAll
	}
	board, _ := a.cfg.Store.Leaderboard(ctx, period, 20)
	data := map[string]any{"Players": list, "Q": q, "Board": board, "Period": period}
	if c.Query("fragment") == "list" {
		a.renderBlock(c, http.StatusOK, "players", "list", data)
		return
	}
	a.render(c, http.StatusOK, "players", data)
}

// banAddressFor are the choices the ban form offers for the player's
// address: one address is shared behind a carrier NAT or in a school, so
// a ban of it is the admin's choice, and best for a while.
var banAddressFor = map[string]time.Duration{"1h": time.Hour, "24h": 24 * time.Hour, "168h": 7 * 24 * time.Hour, "forever": 0}

// ban bans a player: their id, their WeChat openid when known, the
// browsers they came from and, if chosen, their address for a while. Their
// connections close with error banned and 4003.
func (a *Admin) ban(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	target := "player " + id
	var opt domain.BanOptions
	choice := c.PostForm("address")
	d, ok := banAddressFor[choice]
	if choice != "" && !ok {
		a.say(c, http.StatusBadRequest, "act.choose_address")
		return
	}
	if ok {
		addr, err := a.cfg.Store.PlayerAddress(ctx, id)
		if err != nil {
			a.refuse(c, "ban", target, err)
			return
		}
		opt.Address = addr
		if addr != "" && d > 0 {
			opt.AddressUntil = a.now().Add(d)
		}
	}
	res, err := a.cfg.Store.BanPlayer(ctx, id, opt)
	if err != nil {
		a.refuse(c, "ban", target, err)
		return
	}
	// Tokens are checked at every hello and request; live sessions go now.
	a.cfg.Rooms.Disconnect(id, room.CloseBanned, "banned")
	a.disconnectEverywhere(ctx, id)
	// What the ban covers: recorded in English, answered in the page's
	// language.
	covered := func(lang string) string {
		say := func(key string, args ...any) string { return a.cats.text(lang, key, args...) }
		out := []string{say("ban.player")}
		if res.OpenID {
			out = append(out, say("ban.wechat"))
		}
		if res.Devices > 0 {
			out = append(out, say("ban.devices", res.Devices))
		}
		switch {
		case res.Address != "" && opt.AddressUntil.IsZero():
			out = append(out, say("ban.address_forever", res.Address))
		case res.Address != "":
			out = append(out, say("ban.address_until", res.Address, opt.AddressUntil.UTC().Format("2006-01-02 15:04")))
		case ok:
			out = append(out, say("ban.no_address"))
		}
		return strings.Join(out, say("ban.sep"))
	}
	a.record(c, "ban", target, covered(consoleLangs[0]))
	a.say(c, http.StatusOK, "act.banned", covered(a.lang(c)))
}

func (a *Admin) unban(c *gin.Context) {
	id := c.Param("id")
	a.act(c, "unban", "player "+id, "act.unbanned", func() error { return a.cfg.Store.UnbanPlayer(c.Request.Context(), id) })
}

func (a *Admin) audit(c *gin.Context) {
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	list, err := a.cfg.Store.AuditLog(c.Request.Context(), 50, before)
	if err != nil {
		a.log.Error("admin: audit", "err", err)
		a.say(c, http.StatusInternalServerError, "err.internal")
		return
	}
	var next int64
	if len(list) == 50 {
		next = list[len(list)-1].ID
	}
	a.render(c, http.StatusOK, "audit", map[string]any{"Entries": list, "Next": next})
}
