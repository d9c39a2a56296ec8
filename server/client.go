package server

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"
)

// clientRoutes serves the web client and the SDK. The page is rendered
// once, at start: it only carries the assets' hashed URLs.
func (s *Server) clientRoutes(e *gin.RouterGroup) error {
	a := s.cfg.Assets
	t, err := a.Index()
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := t.Execute(&page, map[string]string{"Base": s.cfg.Prefix}); err != nil {
		return err
	}
	index := page.Bytes()
	serveIndex := func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", index)
	}
	e.GET("/", serveIndex)
	if s.cfg.Prefix != "" {
		// gin would redirect /game to /game/ itself, but only as a 301
		// that browsers keep; the page can just as well be served here.
		e.GET("", serveIndex)
	}
	e.GET("/r/:id", serveIndex)
	e.GET("/static/*file", gin.WrapH(a))
	sdk, err := a.Read("sdk/goldmine.js")
	if err != nil {
		return err
	}
	// A stable URL that mini-program projects and pages can copy. It is
	// revalidated every 5 minutes; pages of this server use the hashed URL.
	e.GET("/sdk/goldmine.js", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", sdk)
	})
	return nil
}
