package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/acme/autocert"
)

// tlsSetup is how the main listener serves: plain HTTP, a certificate of
// the operator's, or certificates from Let's Encrypt.
type tlsSetup struct {
	config *tls.Config
	// challenge, with ACME, serves HTTP-01 challenges and redirects the
	// rest to HTTPS; it runs on --http-addr.
	challenge http.Handler
}

// newTLS prepares TLS from the configuration. With ACME the certificate
// cache lives next to the database, so that a restart does not ask Let's
// Encrypt again (it rate-limits).
func newTLS(cfg config) (tlsSetup, error) {
	switch {
	case cfg.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return tlsSetup{}, fmt.Errorf("tls: %w", err)
		}
		return tlsSetup{config: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}, nil
	case cfg.ACMEDomain != "":
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(list(cfg.ACMEDomain)...),
			Cache:      autocert.DirCache(acmeCacheDir(cfg.DB)),
			Email:      cfg.ACMEEmail,
		}
		c := m.TLSConfig()
		c.MinVersion = tls.VersionTLS12
		return tlsSetup{config: c, challenge: m.HTTPHandler(redirectToHTTPS(cfg.Addr))}, nil
	}
	return tlsSetup{}, nil
}

// acmeCacheDir is the directory beside the database where certificates
// are kept.
func acmeCacheDir(db string) string { return filepath.Join(filepath.Dir(db), "acme-cache") }

// redirectToHTTPS sends plain-HTTP requests to the same URL on HTTPS, on
// the port of the HTTPS listener.
func redirectToHTTPS(httpsAddr string) http.Handler {
	_, port, _ := net.SplitHostPort(httpsAddr)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			host = h
		}
		if port != "" && port != "443" {
			host = net.JoinHostPort(host, port)
		}
		target := "https://" + host + r.URL.RequestURI()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// Only safe requests are redirected: a POST sent in clear has
			// already leaked its body.
			http.Error(w, "use HTTPS", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
}

func (t tlsSetup) scheme() string {
	if t.config != nil {
		return "https"
	}
	return "http"
}

func logTLS(log *slog.Logger, cfg config, t tlsSetup) {
	switch {
	case cfg.ACMEDomain != "":
		log.Info("goldmine: TLS from Let's Encrypt", "domains", strings.Join(list(cfg.ACMEDomain), ","),
			"cache", acmeCacheDir(cfg.DB), "http_addr", cfg.HTTPAddr)
	case t.config != nil:
		log.Info("goldmine: TLS with the given certificate", "cert", cfg.TLSCert)
	}
}
