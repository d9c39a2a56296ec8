package admin

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/backups"
)

// Backups is what the console needs of the backup scheduler.
type Backups interface {
	List() ([]backups.Backup, error)
	BackupNow(ctx context.Context) (backups.Backup, error)
	Status() backups.Status
}

// registerBackups adds the backups page: the list, and "back up now".
func (a *Admin) registerBackups(in gin.IRouter) {
	in.GET("/backups", a.backupsPage)
	in.POST("/backups", a.backupNow)
}

func (a *Admin) backupsData(c *gin.Context) (map[string]any, bool) {
	data := map[string]any{"Enabled": a.cfg.Backups != nil}
	if a.cfg.Backups == nil {
		return data, true
	}
	list, err := a.cfg.Backups.List()
	if err != nil {
		a.log.Error("admin: list backups", "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return nil, false
	}
	st := a.cfg.Backups.Status()
	data["Backups"], data["Status"] = list, st
	if st.Err != nil {
		data["LastErr"] = st.Err.Error()
	}
	return data, true
}

func (a *Admin) backupsPage(c *gin.Context) {
	if data, ok := a.backupsData(c); ok {
		a.render(c, http.StatusOK, "backups", data)
	}
}

// backupNow takes a backup at once and answers with the list fragment.
func (a *Admin) backupNow(c *gin.Context) {
	if a.cfg.Backups == nil {
		a.say(c, http.StatusConflict, "backups.disabled")
		return
	}
	b, err := a.cfg.Backups.BackupNow(c.Request.Context())
	status, notice := http.StatusOK, ""
	if err != nil {
		a.log.Warn("admin: backup failed", "err", err)
		status, notice = http.StatusInternalServerError, a.tr(c, "backups.failed", err)
	} else {
		a.record(c, "backup", b.Name, "")
		notice = a.tr(c, "backups.done", b.Name)
	}
	data, ok := a.backupsData(c)
	if !ok {
		return
	}
	data["Notice"] = notice
	if c.GetHeader("HX-Request") != "" {
		a.renderBlock(c, status, "backups", "backup-list", data)
		return
	}
	a.render(c, status, "backups", data)
}
