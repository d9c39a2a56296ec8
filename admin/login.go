package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/domain"
)

// Words of the sign-in pages: their catalogue keys (i18n/*.json); the
// pages' Error is a key, which the template looks up.
const (
	msgNoPassword = "login.no_password"
	msgSetupDone  = "login.setup_done"
	msgSetupBad   = "login.setup_bad"
	msgLinkBad    = "login.link_bad"
	msgStoreDown  = "login.store_down"
)

// announceSetup logs the setup link while no password is set. A link lasts
// until it is used or a password is set, across restarts: only its hash is
// stored, so a restart cannot log it again, and says where to find it.
func (a *Admin) announceSetup(ctx context.Context) error {
	set, err := a.auth.passwordSet(ctx)
	if err != nil {
		return err
	}
	if set {
		return nil
	}
	n, err := a.cfg.Store.AdminTokens(ctx, domain.AdminSetup)
	if err != nil {
		return err
	}
	if n > 0 {
		a.log.Warn("admin: no admin password yet; the setup link logged when it was made still works, "+
			"or run `goldmine admin set-password` (or `goldmine admin login-link` for a new setup link)", "links", n)
		return nil
	}
	link, err := NewSetupLink(ctx, a.cfg.Store)
	if err != nil {
		return err
	}
	// The only time a secret is logged, on purpose: it is the way in for
	// the first admin, and it works once.
	a.log.Warn("admin: no admin password yet; set one at this one-time link", "url", a.cfg.BaseURL+a.cfg.Prefix+link)
	return nil
}

func (a *Admin) loginPage(c *gin.Context) {
	set, err := a.auth.passwordSet(c.Request.Context())
	switch {
	case err != nil:
		a.render(c, http.StatusServiceUnavailable, "login", map[string]any{"Error": msgStoreDown})
	case !set:
		a.render(c, http.StatusOK, "login", map[string]any{"Error": msgNoPassword})
	default:
		a.render(c, http.StatusOK, "login", nil)
	}
}

func (a *Admin) loginPost(c *gin.Context) {
	ip := c.ClientIP()
	// The attempt is counted before the body is read or the password
	// hashed (throttle.go): a throttled address gets 429 on its headers.
	att := a.auth.throttle.reserve(ip)
	if att == nil {
		a.log.Warn("admin: login throttled", "ip", ip)
		c.Header("Retry-After", "60")
		// The body is never read: closing spares draining it, which a
		// client that trickles it would make last.
		c.Header("Connection", "close")
		a.render(c, http.StatusTooManyRequests, "login", map[string]any{"Error": "login.throttled"})
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		// A body cut at its deadline, or malformed: the attempt stays
		// counted, and no password is checked.
		a.log.Warn("admin: login form not read", "ip", ip, "err", err)
		c.Header("Connection", "close")
		a.render(c, http.StatusBadRequest, "login", map[string]any{"Error": "login.bad_form"})
		return
	}
	token, ok, err := a.auth.login(c.Request.Context(), att, c.PostForm("password"))
	if errors.Is(err, errLoginBusy) || errors.Is(err, context.Canceled) {
		a.log.Warn("admin: login not checked", "ip", ip, "err", err)
		c.Header("Retry-After", "10")
		a.render(c, http.StatusServiceUnavailable, "login", map[string]any{"Error": "login.busy"})
		return
	}
	if err != nil {
		a.log.Error("admin: login", "ip", ip, "err", err)
		a.render(c, http.StatusServiceUnavailable, "login", map[string]any{"Error": msgStoreDown})
		return
	}
	if !ok {
		a.log.Warn("admin: login failed", "ip", ip)
		a.render(c, http.StatusUnauthorized, "login", map[string]any{"Error": "login.wrong"})
		return
	}
	a.log.Info("admin: logged in", "ip", ip)
	a.setCookie(c, token, int(SessionIdle.Seconds()))
	c.Redirect(http.StatusSeeOther, a.path("/"))
}

// setCookie sets the session cookie: HttpOnly, SameSite=Strict, Secure over
// TLS. maxAge < 0 deletes it.
func (a *Admin) setCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: cookieName, Value: value, Path: a.path(""), MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(c.Request)})
}

func (a *Admin) logout(c *gin.Context) {
	if ck, err := c.Cookie(cookieName); err == nil {
		if err := a.auth.logout(c.Request.Context(), ck); err != nil {
			a.log.Error("admin: logout", "err", err)
		}
	}
	a.setCookie(c, "", -1)
	c.Header("HX-Redirect", a.path("/login"))
	c.Redirect(http.StatusSeeOther, a.path("/login"))
}

func linkToken(c *gin.Context) string {
	if t := c.Query("token"); t != "" {
		return t
	}
	return c.PostForm("token")
}

// refuseSetup answers a setup link that does not work, saying truly why.
func (a *Admin) refuseSetup(c *gin.Context) {
	msg := msgSetupBad
	if set, err := a.auth.passwordSet(c.Request.Context()); err != nil {
		msg = msgStoreDown
	} else if set {
		msg = msgSetupDone
	}
	a.render(c, http.StatusNotFound, "login", map[string]any{"Error": msg})
}

func (a *Admin) setupPage(c *gin.Context) {
	token := linkToken(c)
	ok, err := a.cfg.Store.AdminTokenValid(c.Request.Context(), hashToken(token), domain.AdminSetup)
	if err != nil || !ok {
		a.refuseSetup(c)
		return
	}
	a.render(c, http.StatusOK, "setup", map[string]any{"Token": token})
}

func (a *Admin) setupPost(c *gin.Context) {
	token := linkToken(c)
	// A cheap look first: a post with no good link must not cost a
	// bcrypt. The link is used up below, in the same transaction as the
	// password, so that of concurrent posts one wins.
	if ok, err := a.cfg.Store.AdminTokenValid(c.Request.Context(), hashToken(token), domain.AdminSetup); err != nil || !ok {
		a.refuseSetup(c)
		return
	}
	pw, again := c.PostForm("password"), c.PostForm("again")
	data := map[string]any{"Token": token}
	if pw != again {
		data["Error"] = "setup.differ"
		a.render(c, http.StatusBadRequest, "setup", data)
		return
	}
	hash, err := hashPassword(pw)
	if errors.Is(err, ErrBadPassword) {
		data["Error"] = "setup.length"
		a.render(c, http.StatusBadRequest, "setup", data)
		return
	}
	if err == nil {
		// Using the link and storing the password are one transaction:
		// of concurrent posts of one link, exactly one sets it.
		err = a.cfg.Store.SetAdminPasswordWith(c.Request.Context(), hashToken(token), hash)
	}
	switch {
	case errors.Is(err, domain.ErrNotFound):
		a.refuseSetup(c)
	case err != nil:
		a.log.Error("admin: set password", "err", err)
		data["Error"] = "setup.store_failed"
		a.render(c, http.StatusServiceUnavailable, "setup", data)
	default:
		a.log.Info("admin: password set through the setup link", "ip", c.ClientIP())
		a.record(c, "set_password", "admin", "setup link")
		c.Redirect(http.StatusSeeOther, a.path("/login"))
	}
}

// linkPage shows a login link's button. Using the link takes a POST, so
// that a chat app's preview of the URL does not use it up.
func (a *Admin) linkPage(c *gin.Context) {
	token := linkToken(c)
	ok, err := a.cfg.Store.AdminTokenValid(c.Request.Context(), hashToken(token), domain.AdminLogin)
	if err != nil || !ok {
		a.render(c, http.StatusNotFound, "login", map[string]any{"Error": msgLinkBad})
		return
	}
	a.render(c, http.StatusOK, "link", map[string]any{"Token": token})
}

// linkPost uses a login link. It is not throttled like the password: it is
// the operator's way in while someone else's failures block the address.
func (a *Admin) linkPost(c *gin.Context) {
	ip := c.ClientIP()
	token, err := a.auth.openSessionWith(c.Request.Context(), linkToken(c), domain.AdminLogin, ip, "login link")
	if errors.Is(err, domain.ErrNotFound) {
		a.render(c, http.StatusNotFound, "login", map[string]any{"Error": msgLinkBad})
		return
	}
	if err != nil {
		a.log.Error("admin: login link", "err", err)
		a.render(c, http.StatusServiceUnavailable, "login", map[string]any{"Error": msgStoreDown})
		return
	}
	a.log.Info("admin: logged in with a login link", "ip", ip)
	a.record(c, "login_link", "admin", "ip "+ip)
	a.setCookie(c, token, int(SessionIdle.Seconds()))
	c.Redirect(http.StatusSeeOther, a.path("/"))
}
