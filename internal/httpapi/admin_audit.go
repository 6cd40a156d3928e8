package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/view"
)

func (s *Server) adminAuditLog(c *gin.Context) {
	in, err := pageInput(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	f, err := auditFilter(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	page, err := s.auth.AdminAuditLog(c.Request.Context(), f, in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewAdminList("events", page, view.NewAdminAuditEvent))
}

// auditFilter reads ?user_id=, ?event= and ?since= (RFC 3339).
func auditFilter(c *gin.Context) (auth.AuditFilter, error) {
	var f auth.AuditFilter
	bad := map[string][]string{}
	if v := c.Query("user_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			bad["user_id"] = []string{"must be a user id"}
		}
		f.UserID = &id
	}
	if f.Event = c.Query("event"); len(f.Event) > 100 {
		bad["event"] = []string{"must be at most 100 bytes"}
	}
	if v := c.Query("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			bad["since"] = []string{"must be an RFC 3339 time such as 2030-01-02T15:04:05Z"}
		} else if y := t.UTC().Year(); y < 1 || y > 9999 {
			// RFC 3339 writes years 0000-9999 in any offset; the store
			// keeps UTC times of years 1-9999 and refuses others.
			bad["since"] = []string{"must be a time between the years 1 and 9999 (UTC)"}
		}
		f.Since = t
	}
	if len(bad) > 0 {
		return f, auth.Invalid(bad)
	}
	return f, nil
}
