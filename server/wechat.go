package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/domain"
)

// WeChat configures login for WeChat mini-programs. Without an AppID and
// a Secret, POST /api/players/wechat answers 501 not_configured.
type WeChat struct {
	AppID  string
	Secret string
	// APIBase is where jscode2session is asked; tests point it at a stand-in.
	APIBase string
	// Client makes the call; nil means a client with a 10 s timeout.
	Client *http.Client
}

// DefaultWeChatAPI is WeChat's API.
const DefaultWeChatAPI = "https://api.weixin.qq.com"

func (w WeChat) configured() bool { return w.AppID != "" && w.Secret != "" }

// WeChatStore is what WeChat login needs from the store.
type WeChatStore interface {
	PlayerForOpenID(ctx context.Context, openID, name string) (domain.Player, error)
}

type session struct {
	OpenID string `json:"openid"`
	// SessionKey is read and dropped: it never leaves this function.
	SessionKey string `json:"session_key"`
	ErrCode    int    `json:"errcode"`
	ErrMsg     string `json:"errmsg"`
}

// code2Session trades a wx.login code for the user's openid.
func (w WeChat) code2Session(ctx context.Context, code string) (string, error) {
	q := url.Values{"appid": {w.AppID}, "secret": {w.Secret}, "js_code": {code}, "grant_type": {"authorization_code"}}
	base := strings.TrimSuffix(w.APIBase, "/")
	if base == "" {
		base = DefaultWeChatAPI
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/sns/jscode2session?"+q.Encode(), nil)
	if err != nil {
		return "", errors.New("server: wechat: bad API base")
	}
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		// The error text holds the URL, and the URL holds the secret: say
		// what failed without it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("server: wechat: jscode2session: %w", err)
	}
	defer resp.Body.Close()
	var s session
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&s); err != nil {
		return "", fmt.Errorf("server: wechat: jscode2session: status %d, unreadable reply", resp.StatusCode)
	}
	if s.ErrCode != 0 || s.OpenID == "" {
		return "", &wechatRefusal{code: s.ErrCode, msg: s.ErrMsg}
	}
	return s.OpenID, nil
}

type wechatRefusal struct {
	code int
	msg  string
}

func (e *wechatRefusal) Error() string {
	return fmt.Sprintf("wechat refused the code: %d %s", e.code, e.msg)
}

type wechatLoginReq struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func (s *Server) wechatLogin(c *gin.Context) {
	if s.cfg.Identity != nil {
		s.abort(c, errHostIdentity)
		return
	}
	w := s.cfg.WeChat
	if !w.configured() || s.cfg.WeChatStore == nil {
		s.abort(c, errorf(http.StatusNotImplemented, "not_configured", "WeChat login is not configured on this server (--wechat-appid, --wechat-secret)"))
		return
	}
	var req wechatLoginReq
	if err := s.decode(c, &req); err != nil {
		s.abort(c, err)
		return
	}
	if req.Code == "" || len(req.Code) > 256 {
		s.abort(c, errorf(http.StatusBadRequest, "bad_request", "code must be the code of wx.login"))
		return
	}
	name := "WeChat player"
	if strings.TrimSpace(req.Name) != "" {
		var err error
		if name, err = cleanName(req.Name); err != nil {
			s.abort(c, err)
			return
		}
	}
	openID, err := w.code2Session(c.Request.Context(), req.Code)
	var refused *wechatRefusal
	if errors.As(err, &refused) {
		s.log.Warn("server: wechat login refused", "errcode", refused.code)
		s.abort(c, errorf(http.StatusUnauthorized, "wechat_refused", fmt.Sprintf("WeChat refused the code (errcode %d)", refused.code)))
		return
	}
	if err != nil {
		s.log.Error("server: wechat login", "err", err)
		s.abort(c, errorf(http.StatusBadGateway, "wechat_unavailable", "cannot reach WeChat now"))
		return
	}
	if s.refuseBanned(c, domain.BanCheck{OpenID: openID, Address: c.ClientIP()}) {
		return
	}
	p, err := s.cfg.WeChatStore.PlayerForOpenID(c.Request.Context(), openID, name)
	if err != nil {
		s.abort(c, err)
		return
	}
	if p.Banned() {
		s.abort(c, errBanned)
		return
	}
	c.JSON(http.StatusOK, gin.H{"player_id": p.ID, "name": p.Name, "token": s.tokens.Issue(p.ID)})
}
