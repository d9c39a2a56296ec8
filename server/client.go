package server

import (
	"bytes"
	"maps"
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
	// Identity says whether players sign in here ("") or through the
	// site that embeds the server ("host"): the page then has no name form.
	data := map[string]string{"Base": s.cfg.Prefix, "Identity": ""}
	if s.cfg.Identity != nil {
		data["Identity"] = "host"
	}
	var page bytes.Buffer
	if err := t.Execute(&page, data); err != nil {
		return err
	}
	index := page.Bytes()
	serveIndex := func(c *gin.Context) {
		if s.cfg.PageToken != nil {
			if tok := s.cfg.PageToken(c.Request); tok != "" {
				var page bytes.Buffer
				d := maps.Clone(data)
				d["Token"] = tok
				if err := t.Execute(&page, d); err != nil {
					s.abort(c, err)
					return
				}
				c.Header("Cache-Control", "no-store")
				c.Data(http.StatusOK, "text/html; charset=utf-8", page.Bytes())
				return
			}
		}
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
