package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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

// decode reads a JSON object body into v, refusing bodies over the body
// limit (the largest legal one, a room with every override, is under 300
// bytes), anything but one object, and values of the wrong type.
func (s *Server) decode(c *gin.Context, v any) error {
	max := s.cfg.Limits.MaxBody
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, max))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errorf(http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("request body over %d bytes", max))
	}
	if err != nil {
		return errorf(http.StatusBadRequest, "bad_request", "cannot read the request body")
	}
	return decodeBody(body, v)
}

func decodeBody(body []byte, v any) error {
	trimmed := strings.TrimSpace(string(body))
	if !strings.HasPrefix(trimmed, "{") {
		return errorf(http.StatusBadRequest, "bad_request", "the body must be a JSON object")
	}
	dec := json.NewDecoder(strings.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return errorf(http.StatusBadRequest, "bad_request", fmt.Sprintf("%s must be %s", te.Field, jsonType(te.Type)))
		}
		return errorf(http.StatusBadRequest, "bad_request", "the body is not valid JSON")
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "bad_request", "the body must be a single JSON object")
	}
	return nil
}

// bearer authenticates the request's Authorization: Bearer token, once
// per request (the rate limit may have asked already).
func (s *Server) bearer(c *gin.Context) (room.Player, error) {
	if p, ok := c.Get(bearerKey); ok {
		return p.(room.Player), nil
	}
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		return room.Player{}, errUnauthorized
	}
	p, err := s.identity.Authenticate(c.Request.Context(), strings.TrimSpace(token))
	if errors.Is(err, ErrBanned) {
		return room.Player{}, errBanned
	}
	if errors.Is(err, ErrBadToken) {
		return room.Player{}, errUnauthorized
	}
	if err == nil {
		c.Set(bearerKey, p)
	}
	return p, err
}

// bearerKey holds, in the gin context, the player the Bearer token named.
const bearerKey = "goldmine.bearer"

// errHostIdentity answers the built-in ways to get a token when the host
// program signs players in itself (Config.Identity).
var errHostIdentity = errorf(http.StatusNotImplemented, "not_configured", "players sign in through the site that hosts this game")

// nameReq is the body of POST /api/players and PATCH /api/players/me.
type nameReq struct {
	Name string `json:"name"`
}

// nameBody reads a {"name"} body and checks the name by the rules every
// player name follows.
func (s *Server) nameBody(c *gin.Context) (string, error) {
	var req nameReq
	if err := s.decode(c, &req); err != nil {
		return "", err
	}
	return cleanName(req.Name)
}

func (s *Server) createPlayer(c *gin.Context) {
	if s.cfg.Identity != nil {
		s.abort(c, errHostIdentity)
		return
	}
	name, err := s.nameBody(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	var p domain.Player
	if s.bans == nil {
		p, err = s.store.CreatePlayer(c.Request.Context(), name, false)
	} else {
		// A banned player's way back is a new player: refuse one from
		// their browser or (if the admin chose) their address.
		dev, addr := s.ensureDevice(c), c.ClientIP()
		if s.refuseBanned(c, domain.BanCheck{Device: dev, Address: addr}) {
			return
		}
		p, err = s.bans.CreatePlayerFrom(c.Request.Context(), name, dev, addr)
	}
	if err != nil {
		s.abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"player_id": p.ID, "name": p.Name, "token": s.tokens.Issue(p.ID)})
}

// renameMe renames the player the Bearer token signs in (an addition):
// the same id, the same stats, a new name. Rooms joined from then on show
// it; a seat already held keeps the name it was taken with.
func (s *Server) renameMe(c *gin.Context) {
	if s.cfg.Identity != nil {
		s.abort(c, errHostIdentity)
		return
	}
	me, err := s.bearer(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	name, err := s.nameBody(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	p, err := s.store.RenamePlayer(c.Request.Context(), me.ID, name)
	if err != nil {
		s.abort(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"player_id": p.ID, "name": p.Name})
}

// cleanName checks a player name, as an API error.
func cleanName(name string) (string, error) {
	name, err := room.CleanText("name", name, room.MaxPlayerName)
	if err != nil {
		return "", errorf(http.StatusBadRequest, "invalid_name", userMessage(err, "invalid name"))
	}
	return name, nil
}

func (s *Server) getPlayer(c *gin.Context) {
	id := c.Param("id")
	if id == "me" {
		// Who the Bearer token signs in: how a page handed a token by its
		// host learns the player's id and name.
		me, err := s.bearer(c)
		if err != nil {
			s.abort(c, err)
			return
		}
		id = me.ID
	}
	p, err := s.store.Player(c.Request.Context(), id)
	if errors.Is(err, domain.ErrNotFound) {
		s.abort(c, errorf(http.StatusNotFound, "unknown_player", "no such player"))
		return
	}
	if err != nil {
		s.abort(c, err)
		return
	}
	r, err := s.store.Rating(c.Request.Context(), p.ID)
	if err != nil {
		s.abort(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"player_id": p.ID, "name": p.Name, "games": p.Games, "wins": p.Wins,
		"gold": p.Gold, "bot": p.Bot, "created_at": p.CreatedAt,
		"rating": r.Rating.Rating, "rd": r.RD, "rated_games": r.Games})
}

// createRoomReq is the body of POST /api/rooms: a preset and overrides.
type createRoomReq struct {
	Name            *string `json:"name"`
	Preset          string  `json:"preset"`
	Rows            *int    `json:"rows"`
	Cols            *int    `json:"cols"`
	Gold            *int    `json:"gold"`
	MaxPlayers      *int    `json:"max_players"`
	TurnSeconds     *int    `json:"turn_seconds"`
	ExtraTurnOnGold *bool   `json:"extra_turn_on_gold"`
	EndWhenDecided  *bool   `json:"end_when_decided"`
	Private         *bool   `json:"private"`
	BotSubstitute   *string `json:"bot_substitute"`
	Rated           *bool   `json:"rated"`
}

// rules resolves the preset (classic when none is named) and applies the
// overrides.
func (req createRoomReq) rules(presets *game.Catalog) (game.Rules, error) {
	name := req.Preset
	if name == "" {
		name = "classic"
	}
	r, ok := presets.Preset(name)
	if !ok {
		return game.Rules{}, errorf(http.StatusBadRequest, "invalid_rules",
			fmt.Sprintf("unknown preset %q: use %s", name, strings.Join(presets.Names(), ", ")))
	}
	setInt := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	setInt(&r.Rows, req.Rows)
	setInt(&r.Cols, req.Cols)
	setInt(&r.Gold, req.Gold)
	setInt(&r.MaxPlayers, req.MaxPlayers)
	setInt(&r.TurnSeconds, req.TurnSeconds)
	if req.ExtraTurnOnGold != nil {
		r.ExtraTurnOnGold = *req.ExtraTurnOnGold
	}
	if req.EndWhenDecided != nil {
		r.EndWhenDecided = *req.EndWhenDecided
	}
	if err := r.Validate(); err != nil {
		return game.Rules{}, errorf(http.StatusBadRequest, "invalid_rules", userMessage(err, "invalid rules"))
	}
	return presets.Named(r), nil
}

// listPresets lists the presets rooms can be created from: the built-in
// ones and any the host added.
func (s *Server) listPresets(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"presets": s.cfg.Presets.All()})
}

func (s *Server) createRoom(c *gin.Context) {
	p, err := s.bearer(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	var req createRoomReq
	if err := s.decode(c, &req); err != nil {
		s.abort(c, err)
		return
	}
	rules, err := req.rules(s.cfg.Presets)
	if err != nil {
		s.abort(c, err)
		return
	}
	opts := room.Options{Rules: rules, Private: req.Private != nil && *req.Private, Rated: req.Rated != nil && *req.Rated}
	if req.BotSubstitute != nil && *req.BotSubstitute != "" {
		l, err := solver.ParseLevel(*req.BotSubstitute)
		if err != nil {
			s.abort(c, errorf(http.StatusBadRequest, "invalid_level", "bot_substitute must be easy, normal or hard"))
			return
		}
		opts.BotSubstitute = string(l)
	}
	if req.Name != nil {
		if opts.Name, err = room.CleanText("name", *req.Name, room.MaxRoomName); err != nil {
			s.abort(c, errorf(http.StatusBadRequest, "invalid_name", userMessage(err, "invalid name")))
			return
		}
	}
	snap, err := s.rooms.Create(c.Request.Context(), p, opts)
	if err != nil {
		s.abort(c, err)
		return
	}
	s.withRatings(c.Request.Context(), &snap)
	c.JSON(http.StatusCreated, roomView{Snapshot: snap, Node: s.nodeID(), WSURL: s.ownWSURL(c.Request)})
}

type addBotReq struct {
	Level string `json:"level"`
}

// addBot seats a bot in a waiting room. Only the room's creator may: a
// stranger filling the seats with bots would spoil the room.
func (s *Server) addBot(c *gin.Context) {
	p, err := s.bearer(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	if s.cfg.Bots == nil {
		s.abort(c, errorf(http.StatusNotImplemented, "not_configured", "this server has no bots"))
		return
	}
	// Before the body is read: a room of another node gets the request
	// as it came.
	snap, ok := s.roomHere(c, c.Param("id"))
	if !ok {
		return
	}
	var req addBotReq
	if err := s.decode(c, &req); err != nil {
		s.abort(c, err)
		return
	}
	level := solver.Normal
	if req.Level != "" {
		if level, err = solver.ParseLevel(req.Level); err != nil {
			s.abort(c, errorf(http.StatusBadRequest, "invalid_level", "level must be easy, normal or hard"))
			return
		}
	}
	if snap.CreatedBy != p.ID {
		s.abort(c, errorf(http.StatusForbidden, "not_creator", "only the room's creator may add bots"))
		return
	}
	bot, err := s.cfg.Bots.Add(c.Request.Context(), snap.ID, level)
	if err != nil {
		s.abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"player_id": bot.ID, "name": bot.Name, "bot": true, "level": bot.BotLevel})
}

func (s *Server) listRooms(c *gin.Context) {
	f := room.Filter{Limit: 100}
	switch st := room.Status(c.Query("status")); st {
	case "", room.Waiting, room.Playing, room.Finished:
		f.Status = st
	default:
		s.abort(c, errorf(http.StatusBadRequest, "bad_request", "status must be waiting, playing or finished"))
		return
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.abort(c, errorf(http.StatusBadRequest, "bad_request", "limit must be 1..1000"))
			return
		}
		f.Limit = n
	}
	// occupied=1 (an addition) keeps the rooms someone is connected to:
	// the lobby's list, which rooms their players abandoned would fill
	// for the idle timeout. The filter runs over the full list, so that
	// limit still counts the rooms returned.
	occupied := false
	switch c.Query("occupied") {
	case "", "0":
	case "1":
		occupied = true
	default:
		s.abort(c, errorf(http.StatusBadRequest, "bad_request", "occupied must be 0 or 1"))
		return
	}
	limit := f.Limit
	if occupied {
		f.Limit = 1000
	}
	rooms, err := s.listAll(c.Request.Context(), c.Request, f)
	if err != nil {
		s.abort(c, err)
		return
	}
	if occupied {
		rooms = slices.DeleteFunc(rooms, func(r summaryView) bool { return r.Connected == 0 })
		rooms = rooms[:min(len(rooms), limit)]
	}
	c.JSON(http.StatusOK, gin.H{"rooms": rooms})
}

func (s *Server) getRoom(c *gin.Context) {
	if snap, ok := s.roomHere(c, c.Param("id")); ok {
		s.withRatings(c.Request.Context(), &snap.Snapshot)
		c.JSON(http.StatusOK, snap)
	}
}

// pageQuery parses the paging of a list of games: limit (1..100,
// default 20) and before (a game id; by default every game).
func pageQuery(c *gin.Context) (limit, before int64, err error) {
	if limit, err = intQuery(c, "limit", 100); err != nil {
		return 0, 0, err
	}
	if before, err = intQuery(c, "before", 1<<62); err != nil {
		return 0, 0, err
	}
	if limit == 0 {
		limit = 20
	}
	return limit, before, nil
}

// intQuery parses an optional positive integer query parameter.
func intQuery(c *gin.Context, name string, max int64) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > max {
		return 0, errorf(http.StatusBadRequest, "bad_request", fmt.Sprintf("%s must be an integer 1..%d", name, max))
	}
	return n, nil
}

func (s *Server) leaderboard(c *gin.Context) {
	limit, err := intQuery(c, "limit", 100)
	if err != nil {
		s.abort(c, err)
		return
	}
	switch c.Query("by") {
	case "", "wins":
	case "rating":
		s.ratingBoard(c, int(limit))
		return
	default:
		s.abort(c, errorf(http.StatusBadRequest, "bad_request", "by must be wins or rating"))
		return
	}
	period := c.DefaultQuery("period", domain.PeriodAll)
	if period != domain.PeriodAll && period != domain.PeriodWeek {
		s.abort(c, errorf(http.StatusBadRequest, "bad_request", "period must be all or week"))
		return
	}
	board, err := s.store.Leaderboard(c.Request.Context(), period, int(limit))
	if err != nil {
		s.abort(c, err)
		return
	}
	out := make([]gin.H, len(board))
	for i, st := range board {
		out[i] = gin.H{"rank": st.Rank, "player_id": st.PlayerID, "name": st.Name, "wins": st.Wins,
			"games": st.Games, "gold": st.Gold}
	}
	c.JSON(http.StatusOK, gin.H{"players": out, "period": period})
}

// gameJSON is a finished game as the API shows it.
type gameJSON struct {
	ID          int64             `json:"id"`
	RoomID      string            `json:"room_id"`
	Game        int               `json:"game"`
	Rules       game.Rules        `json:"rules"`
	Players     []room.GamePlayer `json:"players"`
	EndedReason game.EndReason    `json:"ended_reason"`
	StartedAt   time.Time         `json:"started_at"`
	EndedAt     time.Time         `json:"ended_at"`
	// Only in the full record.
	Moves      []moveJSON `json:"moves,omitempty"`
	Layout     string     `json:"layout,omitempty"`
	Salt       string     `json:"salt,omitempty"`
	Commitment string     `json:"commitment,omitempty"`
	// Seed is a decimal string: a uint64 does not fit a JavaScript number.
	Seed  string `json:"seed,omitempty"`
	First *int   `json:"first,omitempty"`
}

type moveJSON struct {
	N    int           `json:"n"`
	Seat int           `json:"seat"`
	Kind game.MoveKind `json:"kind"`
	Row  *int          `json:"row"`
	Col  *int          `json:"col"`
	Gold bool          `json:"gold"`
}

func gameSummary(g room.GameRecord) gameJSON {
	return gameJSON{ID: g.ID, RoomID: g.RoomID, Game: g.GameNo, Rules: g.Rules, Players: g.Players,
		EndedReason: g.Reason, StartedAt: g.StartedAt, EndedAt: g.EndedAt}
}

func (s *Server) listGames(c *gin.Context) {
	limit, before, err := pageQuery(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	f := domain.GamesFilter{Player: c.Query("player"), Before: before, Limit: int(limit)}
	games, err := s.store.Games(c.Request.Context(), f)
	if err != nil {
		s.abort(c, err)
		return
	}
	out := make([]gameJSON, len(games))
	for i, g := range games {
		out[i] = gameSummary(g)
	}
	// A full page may have a next one; its cursor is the last id shown.
	var next *int64
	if len(games) == f.Limit {
		next = &games[len(games)-1].ID
	}
	c.JSON(http.StatusOK, gin.H{"games": out, "next_before": next})
}

func (s *Server) getGame(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		s.abort(c, errorf(http.StatusNotFound, "unknown_game", "no such game"))
		return
	}
	g, err := s.store.Game(c.Request.Context(), id)
	if errors.Is(err, domain.ErrNotFound) {
		s.abort(c, errorf(http.StatusNotFound, "unknown_game", "no such game"))
		return
	}
	if err != nil {
		s.abort(c, err)
		return
	}
	out := gameSummary(g.GameRecord)
	out.Layout, out.Salt, out.Commitment = g.Layout, g.Salt, g.Commitment
	out.Seed = strconv.FormatUint(g.Seed, 10)
	out.First = &g.First
	out.Moves = make([]moveJSON, len(g.Moves))
	for i, m := range g.Moves {
		mj := moveJSON{N: m.N, Seat: m.Seat, Kind: m.Kind}
		if m.Kind == game.Dig {
			row, col := m.Row, m.Col
			mj.Row, mj.Col = &row, &col
			if i := row*g.Rules.Cols + col; i >= 0 && i < len(g.Layout) {
				mj.Gold = g.Layout[i] == '1'
			}
		}
		out.Moves[i] = mj
	}
	c.JSON(http.StatusOK, out)
}
