package web

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/view"
)

// auditTimeLayout is what the audit filters' time fields send
// (<input type="datetime-local">, read as UTC).
const auditTimeLayout = "2006-01-02T15:04"

// auditFilter reads the audit log's filters from the query: event, user
// (an id or an e-mail), since and until. Bad values are field errors.
func (p *Pages) auditFilter(c *gin.Context) (auth.AuditFilter, url.Values, Errors) {
	var f auth.AuditFilter
	kept := url.Values{}
	errs := Errors{Fields: map[string]string{}}
	if ev := strings.TrimSpace(c.Query("event")); ev != "" {
		kept.Set("event", ev)
		f.Event = ev
		if !auth.EventName(ev) {
			errs.Fields["event"] = p.msg.text("admin.audit.bad_event")
		}
	}
	if ref := strings.TrimSpace(c.Query("user")); ref != "" {
		kept.Set("user", ref)
		u, err := p.auth.AdminFindUser(c.Request.Context(), ref)
		if err != nil {
			errs.Fields["user"] = p.msg.text("admin.audit.no_user")
			// No user matches: the log shows nothing rather than everything.
			none := uuid.Nil
			f.UserID = &none
		} else {
			f.UserID = &u.ID
		}
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		v := c.Query(t.name)
		if v == "" {
			continue
		}
		kept.Set(t.name, v)
		at, err := time.Parse(auditTimeLayout, v)
		if err != nil {
			errs.Fields[t.name] = p.msg.text("admin.audit.bad_time")
			continue
		}
		*t.dst = at.UTC()
	}
	if len(errs.Fields) > 0 {
		errs.Summary = p.msg.text("form.problem")
	}
	return f, kept, errs
}

func (p *Pages) adminAudit(c *gin.Context, b *auth.BrowserSignIn, _ auth.Actor) {
	f, kept, errs := p.auditFilter(c)
	v := AdminAuditView{Page: p.adminShell(b, "/admin/audit"), Event: kept.Get("event"), User: kept.Get("user"),
		Since: kept.Get("since"), Until: kept.Get("until"), ExportHref: "/admin/audit/export" + query(kept)}
	v.Errors = errs
	status := http.StatusOK
	if errs.Any() {
		status = http.StatusBadRequest
	}
	var page auth.Page[store.AuditEvent]
	var err error
	if errs.Fields["event"] == "" { // no event has such a name: nothing to list
		page, err = p.auth.AdminAuditLog(c.Request.Context(), f, auth.PageInput{Cursor: cursorParam(c, "cursor")})
	}
	if err != nil {
		if v.Errors, err = p.adminErrorsOK(c, err); err != nil {
			return
		}
		status = c.Writer.Status()
	}
	v.Events = page.Items
	if page.NextCursor != "" {
		next := cloneValues(kept)
		next.Set("cursor", page.NextCursor)
		v.NextHref = "/admin/audit" + query(next)
	}
	p.render(c, status, "admin_audit", v)
}

// adminAuditExport streams the filtered log as JSON lines, one event a
// line in the admin API's shape, newest first, as a download. It writes as it reads, one page of
// events at a time, so the export of a large log never sits in memory.
func (p *Pages) adminAuditExport(c *gin.Context, _ *auth.BrowserSignIn, _ auth.Actor) {
	f, _, errs := p.auditFilter(c)
	if errs.Any() {
		c.Data(http.StatusBadRequest, "text/plain; charset=utf-8", []byte(p.msg.text("admin.audit.bad_filter")+"\n"))
		return
	}
	name := "tessera-audit-" + p.now().UTC().Format("20060102T150405Z") + ".jsonl"
	c.Header("Content-Type", "application/jsonl; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Status(http.StatusOK)
	w := bufio.NewWriter(c.Writer)
	enc := json.NewEncoder(w)
	err := p.auth.AdminAuditExport(c.Request.Context(), f, func(e store.AuditEvent) error {
		return enc.Encode(view.NewAdminAuditEvent(&e))
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		// The answer has started: all that is left is to say so in the log.
		p.log.ErrorContext(c.Request.Context(), "audit export cut short", "request_id", requestID(c), "err", err)
	}
}
