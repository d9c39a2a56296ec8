package server

import (
	"bytes"
	"html/template"
	"maps"
	"net/http"
	"strings"

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
	// One page per language, rendered now: the language is the page's
	// default, from Accept-Language; the page's switch overrides it.
	index := map[string][]byte{}
	for _, l := range clientLangs {
		var page bytes.Buffer
		d := maps.Clone(data)
		d["Lang"], d["HTMLLang"] = l, htmlLang(l)
		if err := t.Execute(&page, d); err != nil {
			return err
		}
		index[l] = page.Bytes()
	}
	serveIndex := func(c *gin.Context) {
		l := preferredLang(c.GetHeader("Accept-Language"))
		c.Header("Vary", "Accept-Language")
		if s.cfg.PageToken != nil {
			if tok := s.cfg.PageToken(c.Request); tok != "" {
				var page bytes.Buffer
				d := maps.Clone(data)
				d["Token"], d["Lang"], d["HTMLLang"] = tok, l, htmlLang(l)
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
		c.Data(http.StatusOK, "text/html; charset=utf-8", index[l])
	}
	getHead(e, "/", serveIndex)
	if s.cfg.Prefix != "" {
		// gin would redirect /game to /game/ itself, but only as a 301
		// that browsers keep; the page can just as well be served here.
		getHead(e, "", serveIndex)
	}
	getHead(e, "/r/:id", serveIndex)
	getHead(e, "/leaderboard", serveIndex)
	getHead(e, "/p/:id", serveIndex)
	getHead(e, "/static/*file", gin.WrapH(a))
	icon, err := a.Read("app/favicon.svg")
	if err != nil {
		return err
	}
	// Browsers ask for /favicon.ico whatever the page says; an SVG is
	// what they get, and every current one draws it.
	getHead(e, "/favicon.ico", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=86400")
		c.Data(http.StatusOK, "image/svg+xml", icon)
	})
	sdk, err := a.Read("sdk/goldmine.js")
	if err != nil {
		return err
	}
	// A stable URL that mini-program projects and pages can copy. It is
	// revalidated every 5 minutes; pages of this server use the hashed URL.
	getHead(e, "/sdk/goldmine.js", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", sdk)
	})
	return nil
}

// notFoundPage is what a browser gets for an unknown path: a page in both
// of the client's languages with the way back, not a JSON error.
var notFoundPage = template.Must(template.New("404").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not found · Goldmine</title><link rel="icon" href="{{.Base}}/favicon.ico">
<link rel="stylesheet" href="{{.CSS}}">
</head><body><main class="notfound">
<div class="card"><h1>Page not found</h1><p>There is nothing at this address. <a href="{{.Base}}/">Back to the lobby</a></p></div>
<div class="card" lang="zh-CN"><h1>页面不存在</h1><p>这个地址什么也没有。<a href="{{.Base}}/">返回大厅</a></p></div>
</main></body></html>
`))

// notFound answers unknown paths: a page for a browser asking for HTML
// outside the API, the protocol's JSON error for everyone else.
func (s *Server) notFound(c *gin.Context) {
	p := c.Request.URL.Path
	api := strings.HasPrefix(p, s.cfg.Prefix+"/api/") || p == s.cfg.Prefix+"/ws"
	if s.cfg.Assets == nil || api || !strings.Contains(c.GetHeader("Accept"), "text/html") {
		s.abort(c, errNotFound)
		return
	}
	var page bytes.Buffer
	// The client's own style sheet: the pages' CSP allows no inline style.
	data := struct{ Base, CSS string }{s.cfg.Prefix, s.cfg.Assets.URL("app/app.css")}
	if err := notFoundPage.Execute(&page, data); err != nil {
		s.abort(c, err)
		return
	}
	c.Data(http.StatusNotFound, "text/html; charset=utf-8", page.Bytes())
}
