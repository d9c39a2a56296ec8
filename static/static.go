// Package static holds the files the binary serves as they are: the admin
// console's stylesheet and scripts, the vendored htmx, the web client and
// the JS SDK. Each is served at a URL that carries a hash of its content,
// so that browsers may cache it for good and still see every change.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed vendor/*.js css/*.css js/*.js app/*.css app/*.js app/*.svg sdk/*.js
var files embed.FS

//go:embed app/index.html
var indexHTML string

// Index parses the web client's page, with asset() for the hashed URLs.
func (a *Assets) Index() (*template.Template, error) {
	t, err := template.New("index").Funcs(template.FuncMap{"asset": a.URL}).Parse(indexHTML)
	if err != nil {
		return nil, fmt.Errorf("static: index page: %w", err)
	}
	return t, nil
}

// Assets are the embedded files, addressed by content-hashed names.
type Assets struct {
	prefix string            // URL prefix, e.g. "/static/"
	byName map[string]string // "css/goldmine.css" -> "css/goldmine.3f2a1b9c.css"
	byHash map[string]string // the reverse
}

// New indexes the embedded files for serving under prefix.
func New(prefix string) (*Assets, error) {
	a := &Assets{prefix: strings.TrimSuffix(prefix, "/") + "/", byName: map[string]string{}, byHash: map[string]string{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		a.byName[p], a.byHash[hashed] = hashed, p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	return a, nil
}

// URL returns the URL of an embedded file; it panics on a name that is not
// embedded, so that a typo in a template fails at start, not in a browser.
func (a *Assets) URL(name string) string {
	h, ok := a.byName[name]
	if !ok {
		panic("static: no file " + name)
	}
	return a.prefix + h
}

// ServeHTTP serves a file by its hashed name, cached for a year: the name
// changes when the content does.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hashed := strings.TrimPrefix(r.URL.Path, a.prefix)
	name, ok := a.byHash[hashed]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, _ := files.ReadFile(name)
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// Said up front: a HEAD gets it too, where net/http cannot count a
	// body it does not send past its buffer.
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// Read returns an embedded file's content.
func (a *Assets) Read(name string) ([]byte, error) { return files.ReadFile(name) }
