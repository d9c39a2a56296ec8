package server

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

func (s *Server) routes() (*gin.Engine, error) {
	e := gin.New()
	// gin trusts every proxy unless told otherwise, which would let any
	// client pick its own address with X-Forwarded-For and dodge the
	// per-address limits.
	if err := e.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("server: trusted proxies: %w", err)
	}
	e.Use(s.recovery(), s.accessLog())
	e.HandleMethodNotAllowed = true
	e.NoRoute(s.notFound)
	e.NoMethod(func(c *gin.Context) {
		s.abort(c, errorf(http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed"))
	})

	g := e.Group(s.cfg.Prefix)
	s.router = g
	getHead(g, "/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	if s.cfg.Assets != nil {
		if err := s.clientRoutes(g); err != nil {
			return nil, err
		}
	}
	g.GET("/ws", s.serveWS)
	if s.cfg.MetricsToken != "" {
		metrics := s.MetricsHandler()
		g.GET("/metrics", func(c *gin.Context) {
			got := strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.MetricsToken)) != 1 {
				c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
				s.abort(c, errUnauthorized)
				return
			}
			metrics.ServeHTTP(c.Writer, c.Request)
		})
	}

	api := g.Group("/api", s.rateLimit())
	api.POST("/players", s.createPlayer)
	api.POST("/players/wechat", s.wechatLogin)
	api.GET("/players/:id", s.getPlayer)
	api.PATCH("/players/me", s.renameMe)
	api.GET("/players/:id/games", s.playerGames)
	api.POST("/match", s.postMatch)
	api.DELETE("/match", s.deleteMatch)
	api.POST("/rooms", s.createRoom)
	api.GET("/rooms", s.listRooms)
	api.GET("/rooms/:id", s.getRoom)
	api.POST("/rooms/:id/bots", s.addBot)
	api.GET("/leaderboard", s.leaderboard)
	api.GET("/games", s.listGames)
	api.GET("/games/:id", s.getGame)
	api.GET("/presets", s.listPresets)
	return e, nil
}

// accessLog logs one line per request, except health checks, which load
// balancers send every few seconds. It logs the path without the query.
func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		if c.Request.URL.Path == s.cfg.Prefix+"/healthz" {
			return
		}
		status := c.Writer.Status()
		if c.GetBool(upgradedKey) {
			status = http.StatusSwitchingProtocols // gin cannot know: the socket was hijacked
		}
		s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "http",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.Duration("took", time.Since(start)),
			slog.String("ip", c.ClientIP()))
	}
}

// recovery turns a panic in a handler into a logged 500, in the protocol's
// error format.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("server: panic", "path", c.Request.URL.Path, "panic", v)
				if !c.Writer.Written() {
					c.AbortWithStatusJSON(http.StatusInternalServerError,
						gin.H{"error": gin.H{"code": "internal", "message": "internal error"}})
				}
			}
		}()
		c.Next()
	}
}

// getHead routes GET and HEAD of path to h. HEAD is what uptime monitors
// and `curl -I` send; net/http drops the body of a HEAD response and keeps
// its headers, Content-Length included, so the GET handler answers both.
func getHead(g gin.IRoutes, path string, h ...gin.HandlerFunc) {
	g.GET(path, h...)
	g.HEAD(path, h...)
}
