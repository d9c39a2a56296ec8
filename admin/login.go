package admin

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
)

func (a *Admin) loginPage(c *gin.Context) {
	if a.auth.setupToken() != "" {
		a.render(c, http.StatusOK, "login", map[string]any{"Error": "No admin password is set yet: use the setup link from the server's log."})
		return
	}
	a.render(c, http.StatusOK, "login", nil)
}

func (a *Admin) loginPost(c *gin.Context) {
	ip := c.ClientIP()
	if a.auth.throttled(ip) {
		a.log.Warn("admin: login throttled", "ip", ip)
		c.Header("Retry-After", "60")
		a.render(c, http.StatusTooManyRequests, "login", map[string]any{"Error": "Too many failed logins: wait a minute."})
		return
	}
	id, ok := a.auth.login(ip, c.PostForm("password"))
	if !ok {
		a.log.Warn("admin: login failed", "ip", ip)
		a.render(c, http.StatusUnauthorized, "login", map[string]any{"Error": "Wrong password."})
		return
	}
	a.log.Info("admin: logged in", "ip", ip)
	a.setCookie(c, id, int(SessionIdle.Seconds()))
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
		a.auth.logout(ck)
	}
	a.setCookie(c, "", -1)
	c.Header("HX-Redirect", a.path("/login"))
	c.Redirect(http.StatusSeeOther, a.path("/login"))
}

func (a *Admin) validSetup(c *gin.Context) bool {
	want := a.auth.setupToken()
	got := c.Query("token")
	if got == "" {
		got = c.PostForm("token")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (a *Admin) setupPage(c *gin.Context) {
	if !a.validSetup(c) {
		a.render(c, http.StatusNotFound, "login", map[string]any{"Error": "This setup link is not valid (a password may already be set)."})
		return
	}
	a.render(c, http.StatusOK, "setup", map[string]any{"Token": c.Query("token")})
}

func (a *Admin) setupPost(c *gin.Context) {
	if !a.validSetup(c) {
		a.render(c, http.StatusNotFound, "login", map[string]any{"Error": "This setup link is not valid (a password may already be set)."})
		return
	}
	pw, again := c.PostForm("password"), c.PostForm("again")
	data := map[string]any{"Token": c.PostForm("token")}
	if pw != again {
		data["Error"] = "The two passwords differ."
		a.render(c, http.StatusBadRequest, "setup", data)
		return
	}
	switch err := a.auth.setPassword(c.Request.Context(), pw); {
	case errors.Is(err, errBadPassword):
		data["Error"] = "A password has 8 to 72 bytes."
	case err != nil:
		a.log.Error("admin: set password", "err", err)
		data["Error"] = "Could not store the password; see the server log."
	default:
		a.log.Info("admin: password set through the setup link", "ip", c.ClientIP())
		a.record(c, "set_password", "admin", "setup link")
		c.Redirect(http.StatusSeeOther, a.path("/login"))
		return
	}
	a.render(c, http.StatusBadRequest, "setup", data)
}
