package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/room"
)

// Cluster is this node's view of the other nodes sharing its PostgreSQL
// database; package cluster implements it. Nil on a single node.
type Cluster interface {
	// ID is this node's id.
	ID() string
	// Locate says which node owns a room.
	Locate(ctx context.Context, id string) (domain.Location, error)
	// Adopt takes a room whose owner's lease ran out, now.
	Adopt(ctx context.Context, id string) (bool, error)
	// RemoteRooms lists the live rooms other nodes own.
	RemoteRooms(ctx context.Context) ([]domain.RemoteRoom, error)
	// IsNodeOrigin reports whether a browser origin is a node's.
	IsNodeOrigin(origin string) bool
	// Transport carries requests to other nodes.
	Transport() http.RoundTripper
}

// forwardedHeader marks an API request one node passed to another: the
// receiving node answers it itself, so a request never goes round.
const forwardedHeader = "X-Goldmine-Forwarded-By"

// wsURLOf is the WebSocket URL of a node whose public base URL is base.
func wsURLOf(base string) string {
	if base == "" {
		return ""
	}
	base = strings.TrimSuffix(base, "/")
	if rest, ok := strings.CutPrefix(base, "https://"); ok {
		return "wss://" + rest + "/ws"
	}
	if rest, ok := strings.CutPrefix(base, "http://"); ok {
		return "ws://" + rest + "/ws"
	}
	return base + "/ws"
}

// ownWSURL is this node's WebSocket URL: from --advertise-url, or else
// from the request, as the client reached this node.
func (s *Server) ownWSURL(r *http.Request) string {
	if s.cfg.AdvertiseURL != "" {
		return wsURLOf(s.cfg.AdvertiseURL)
	}
	scheme := "ws"
	if r.TLS != nil || (len(s.cfg.TrustedProxies) > 0 && r.Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "wss"
	}
	return scheme + "://" + r.Host + s.cfg.Prefix + "/ws"
}

// nodeID is this node's id, or "" on a single node.
func (s *Server) nodeID() string {
	if s.cfg.Cluster == nil {
		return ""
	}
	return s.cfg.Cluster.ID()
}

// where is where a room that is not live here lives.
type where struct {
	here bool // it is live here now (this node adopted it)
	loc  domain.Location
}

// locate finds a room that is not live on this node. On a single node, or
// for a room no node has, it returns room.ErrUnknownRoom. A room whose
// owner's lease ran out is adopted on the spot: the client asking for it
// is the one waiting.
func (s *Server) locate(ctx context.Context, id string) (where, error) {
	norm, ok := room.NormalizeID(id)
	if !ok || s.cfg.Cluster == nil {
		return where{}, fmt.Errorf("server: room %q: %w", id, room.ErrUnknownRoom)
	}
	for attempt := 0; attempt < 2; attempt++ {
		loc, err := s.cfg.Cluster.Locate(ctx, norm)
		if errors.Is(err, domain.ErrNotFound) {
			return where{}, fmt.Errorf("server: room %s: %w", norm, room.ErrUnknownRoom)
		}
		if err != nil {
			return where{}, fmt.Errorf("server: locate room %s: %w: %w", norm, room.ErrUnavailable, err)
		}
		me := loc.Node == s.cfg.Cluster.ID()
		switch {
		case loc.Status == room.Closed:
			return where{}, fmt.Errorf("server: room %s: %w", norm, room.ErrUnknownRoom)
		case loc.Live && !me:
			return where{loc: loc}, nil
		}
		// This node's (a round of its own may be adopting it this very
		// moment: Adopt waits for it), or free to adopt.
		adopted, err := s.cfg.Cluster.Adopt(ctx, norm)
		if err != nil {
			return where{}, fmt.Errorf("server: adopt room %s: %w: %w", norm, room.ErrUnavailable, err)
		}
		if adopted {
			return where{here: true, loc: loc}, nil
		}
		if me {
			// Owned here, but it could not be rebuilt (logged).
			return where{}, fmt.Errorf("server: room %s: %w", norm, room.ErrUnknownRoom)
		}
		// Another node adopted it meanwhile: ask again where.
	}
	return where{}, fmt.Errorf("server: room %s is moving: %w", norm, room.ErrUnavailable)
}

// wrongNodeFrame is the error a hello gets at a node that does not own its
// room: ws_url is the owner's WebSocket URL.
type wrongNodeFrame struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Node    string `json:"node"`
	WSURL   string `json:"ws_url"`
}

// forward passes an API request for a room another live node owns to that
// node, and reports whether it did. It does not when the request was
// forwarded already (the rooms moved meanwhile: this node answers) or the
// owner has no --advertise-url to reach it at.
func (s *Server) forward(c *gin.Context, loc domain.Location) bool {
	if loc.URL == "" || c.GetHeader(forwardedHeader) != "" {
		return false
	}
	target, err := url.Parse(strings.TrimSuffix(loc.URL, "/"))
	if err != nil {
		s.log.Error("server: bad url of node", "node", loc.Node, "url", loc.URL, "err", err)
		return false
	}
	path := strings.TrimPrefix(c.Request.URL.Path, s.cfg.Prefix)
	p := &httputil.ReverseProxy{
		Transport: s.cfg.Cluster.Transport(),
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme, r.Out.URL.Host = target.Scheme, target.Host
			r.Out.URL.Path, r.Out.URL.RawPath = target.Path+path, ""
			r.Out.Host = target.Host
			r.Out.Header.Set(forwardedHeader, s.nodeID())
			r.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			s.log.Warn("server: the room's node did not answer", "node", loc.Node, "err", err)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte(`{"error":{"code":"unavailable","message":"the room's node did not answer; try again"}}`))
		},
	}
	p.ServeHTTP(c.Writer, c.Request)
	c.Abort()
	return true
}

// roomHere returns the live snapshot of room id, adopting it if its owner
// died; or, for a room another node owns, forwards the request there and
// returns ok false.
func (s *Server) roomHere(c *gin.Context, id string) (view roomView, ok bool) {
	snap, err := s.rooms.Snapshot(id)
	if errors.Is(err, room.ErrUnknownRoom) && s.cfg.Cluster != nil {
		var w where
		if w, err = s.locate(c.Request.Context(), id); err == nil {
			if w.here {
				snap, err = s.rooms.Snapshot(id)
			} else if s.forward(c, w.loc) {
				return roomView{}, false
			} else {
				err = fmt.Errorf("server: room %s: %w", id, room.ErrUnknownRoom)
			}
		}
	}
	if err != nil {
		s.abort(c, err)
		return roomView{}, false
	}
	return roomView{Snapshot: snap, Node: s.nodeID(), WSURL: s.ownWSURL(c.Request)}, true
}

// listAll is the listing of every node's rooms: this node's as it holds
// them, the others' as the database has them.
func (s *Server) listAll(ctx context.Context, r *http.Request, f room.Filter) ([]summaryView, error) {
	// This node's first limit rooms are all it can add to the first limit
	// of every node's, so the list is cut here already.
	limit := f.Limit
	here := s.rooms.List(f)
	own, node := s.ownWSURL(r), s.nodeID()
	out := make([]summaryView, len(here))
	for i, sum := range here {
		out[i] = summaryView{Summary: sum, Node: node, WSURL: own}
	}
	if s.cfg.Cluster != nil {
		remote, err := s.cfg.Cluster.RemoteRooms(ctx)
		if err != nil {
			return nil, fmt.Errorf("server: list rooms: %w: %w", room.ErrUnavailable, err)
		}
		for _, rr := range remote {
			sum := summaryView{Summary: rr.Summary, Node: rr.Node, WSURL: wsURLOf(rr.URL)}
			if (f.Status != "" && sum.Status != f.Status) || (sum.Private && !f.Private) {
				continue
			}
			if !rr.Live {
				// Its node is dead: whichever node the client says hello
				// to adopts the room, this one as well as any.
				sum.WSURL = own
			}
			out = append(out, sum)
		}
		slices.SortFunc(out, func(a, b summaryView) int {
			return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
