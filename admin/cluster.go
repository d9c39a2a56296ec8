package admin

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/room"
)

// The console in a cluster (docs/scaling.md). Every node's console lists
// every room, with its node. A room another node owns is shown by
// following the owner: its page, its live stream and the actions on it
// are passed to that node, which renders and runs them. The request
// carries a node signature instead of the admin's cookie (which the
// browser gave this node's host only): an HMAC, with a key the nodes share
// through the database, of the node, the method, the path, the body and a
// near expiry. The owner records the action in the shared audit log, as
// ever. A ban reaches every node, whose sockets of the player close.

// Cluster is the console's view of the other nodes; package cluster
// implements it.
type Cluster interface {
	ID() string
	Locate(ctx context.Context, id string) (domain.Location, error)
	Adopt(ctx context.Context, id string) (bool, error)
	RemoteRooms(ctx context.Context) ([]domain.RemoteRoom, error)
	Nodes(ctx context.Context) ([]domain.NodeInfo, error)
	Transport() http.RoundTripper
}

const (
	nodeAuthHeader = "X-Goldmine-Node-Auth"
	// csrfHeader carries the admin's CSRF token to the owner node, which
	// puts it in the page it renders: the browser's next POST comes back
	// to the node the admin is signed in at, which checks it.
	csrfHeader = "X-Goldmine-Admin-CSRF"
	// nodeAuthTTL bounds how long a signature is good for.
	nodeAuthTTL = 30 * time.Second
)

// maxNodeBody caps the body of a console request passed between nodes (an
// action's form: a player id, a bot level).
const maxNodeBody = 16 << 10

// signNode signs a request another node is asked to run.
func (a *Admin) signNode(method, path string, body []byte) string {
	exp := strconv.FormatInt(a.now().Add(nodeAuthTTL).Unix(), 10)
	node := a.cfg.Cluster.ID()
	return node + "." + exp + "." + a.nodeMAC(node, exp, method, path, body)
}

func (a *Admin) nodeMAC(node, exp, method, path string, body []byte) string {
	sum := sha256.Sum256(body)
	m := hmac.New(sha256.New, a.cfg.NodeKey)
	m.Write([]byte(node + "\n" + exp + "\n" + method + "\n" + path + "\n" + hex.EncodeToString(sum[:])))
	return hex.EncodeToString(m.Sum(nil))
}

// readBody reads a request's body (at most maxNodeBody) and puts it back
// for the handler.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxNodeBody+1))
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(body) > maxNodeBody {
		return nil, errors.New("admin: body too large")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// nodeSigned reports whether a request bears a good node signature.
func (a *Admin) nodeSigned(r *http.Request) bool {
	h := r.Header.Get(nodeAuthHeader)
	if h == "" || a.cfg.Cluster == nil || len(a.cfg.NodeKey) == 0 {
		return false
	}
	// The node id may hold dots; the expiry and the MAC do not.
	i := strings.LastIndexByte(h, '.')
	j := strings.LastIndexByte(h[:max(i, 0)], '.')
	if i < 0 || j < 0 {
		return false
	}
	node, exp, mac := h[:j], h[j+1:i], h[i+1:]
	t, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || a.now().Unix() > t || t > a.now().Add(2*nodeAuthTTL).Unix() {
		return false
	}
	// The body is signed too: an action's form says whom it is about.
	body, err := readBody(r)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(a.nodeMAC(node, exp, r.Method, r.URL.Path, body)))
}

// follow wraps the handler of a room's page, stream or action: for a room
// another live node owns, the request goes to that node; for a room whose
// node died, this node adopts it first.
func (a *Admin) follow(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		if a.cfg.Cluster == nil || c.GetHeader(nodeAuthHeader) != "" {
			h(c)
			return
		}
		if _, err := a.cfg.Rooms.Room(id); err == nil {
			h(c)
			return
		}
		norm, ok := room.NormalizeID(id)
		if !ok {
			h(c)
			return
		}
		ctx := c.Request.Context()
		loc, err := a.cfg.Cluster.Locate(ctx, norm)
		switch {
		case errors.Is(err, domain.ErrNotFound) || (err == nil && loc.Status == room.Closed):
			h(c) // not found, as on one node
			return
		case err != nil:
			a.log.Error("admin: locate room", "room", norm, "err", err)
			c.AbortWithStatus(http.StatusServiceUnavailable)
			return
		case loc.Node != a.cfg.Cluster.ID() && !loc.Live:
			if _, err := a.cfg.Cluster.Adopt(ctx, norm); err != nil {
				a.log.Error("admin: adopt room", "room", norm, "err", err)
			}
			h(c)
			return
		case loc.Node == a.cfg.Cluster.ID() || loc.URL == "":
			h(c)
			return
		}
		a.proxy(c, loc)
	}
}

// proxy passes the request to the room's node, signed, and streams the
// answer back; a stream ends when this console closes.
func (a *Admin) proxy(c *gin.Context, loc domain.Location) {
	target, err := url.Parse(strings.TrimSuffix(loc.URL, "/"))
	if err != nil {
		a.log.Error("admin: bad node url", "node", loc.Node, "err", err)
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	path := target.Path + strings.TrimPrefix(c.Request.URL.Path, a.cfg.Prefix)
	csrf := ""
	if s, ok := c.Get(sessionKey); ok {
		csrf = s.(*session).csrf
	}
	body, err := readBody(c.Request)
	if err != nil {
		c.AbortWithStatus(http.StatusRequestEntityTooLarge)
		return
	}
	ctx, cancel := context.WithCancel(c.Request.Context())
	defer cancel()
	go func() {
		select {
		case <-a.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	p := &httputil.ReverseProxy{
		Transport: a.cfg.Cluster.Transport(),
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme, r.Out.URL.Host, r.Out.Host = target.Scheme, target.Host, target.Host
			r.Out.URL.Path, r.Out.URL.RawPath = path, ""
			// The admin's cookie is this node's, and no use there.
			r.Out.Header.Del("Cookie")
			// The page's language goes on, as the one the owner node reads
			// first after the cookie.
			r.Out.Header.Set("Accept-Language", pickLang(r.In))
			r.Out.Header.Set(nodeAuthHeader, a.signNode(r.Out.Method, path, body))
			r.Out.Header.Set(csrfHeader, csrf)
			r.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if ctx.Err() == nil {
				a.log.Warn("admin: the room's node did not answer", "node", loc.Node, "err", err)
				w.WriteHeader(http.StatusBadGateway)
			}
		},
	}
	p.ServeHTTP(c.Writer, c.Request.WithContext(ctx))
	c.Abort()
}

// nodeRow is a node on the dashboard.
type nodeRow struct {
	domain.NodeInfo
	Self bool
}

// nodes lists the cluster's nodes for the dashboard; nil on one node.
func (a *Admin) nodes(ctx context.Context) []nodeRow {
	if a.cfg.Cluster == nil {
		return nil
	}
	list, err := a.cfg.Cluster.Nodes(ctx)
	if err != nil {
		a.log.Error("admin: nodes", "err", err)
		return nil
	}
	out := make([]nodeRow, len(list))
	for i, n := range list {
		out[i] = nodeRow{NodeInfo: n, Self: n.ID == a.cfg.Cluster.ID()}
	}
	return out
}

// disconnectEverywhere asks every other live node to close the player's
// connections (a ban): this node closed its own, and each node has its
// own sockets. A node that does not answer is logged; the player's token
// is refused there at their next hello or request all the same.
func (a *Admin) disconnectEverywhere(ctx context.Context, playerID string) {
	if a.cfg.Cluster == nil {
		return
	}
	nodes, err := a.cfg.Cluster.Nodes(ctx)
	if err != nil {
		a.log.Error("admin: nodes, to close a banned player's connections", "err", err)
		return
	}
	for _, n := range nodes {
		if !n.Live || n.URL == "" || n.ID == a.cfg.Cluster.ID() {
			continue
		}
		target, err := url.Parse(strings.TrimSuffix(n.URL, "/"))
		if err != nil {
			continue
		}
		path := target.Path + "/admin/players/" + url.PathEscape(playerID) + "/disconnect"
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.Scheme+"://"+target.Host+path, nil)
		if err != nil {
			continue
		}
		req.Header.Set(nodeAuthHeader, a.signNode(http.MethodPost, path, nil))
		resp, err := (&http.Client{Transport: a.cfg.Cluster.Transport()}).Do(req)
		if err != nil {
			a.log.Warn("admin: a node did not close a banned player's connections", "node", n.ID, "err", err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			a.log.Warn("admin: a node did not close a banned player's connections", "node", n.ID, "status", resp.StatusCode)
		}
	}
}

// disconnectPlayer closes a banned player's connections on this node, for
// another node's console (disconnectEverywhere).
func (a *Admin) disconnectPlayer(c *gin.Context) {
	if !a.nodeSigned(c.Request) {
		c.AbortWithStatus(http.StatusForbidden)
		return
	}
	n := a.cfg.Rooms.Disconnect(c.Param("id"), room.CloseBanned, "banned")
	c.String(http.StatusOK, "%d", n)
}
