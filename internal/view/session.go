package view

import (
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

// Session is what any caller may see of a device session: never its nonce
// or secret hash. The user's own list and the admin views embed it.
type Session struct {
	ID            string    `json:"id"`
	ClientID      string    `json:"client_id"`
	Kind          string    `json:"kind"`
	DeviceName    string    `json:"device_name"`
	UserAgent     string    `json:"user_agent"`
	IP            string    `json:"ip"`
	CreatedAt     time.Time `json:"created_at"`
	LastUsedAt    time.Time `json:"last_used_at"`
	IdleExpiresAt time.Time `json:"idle_expires_at"`
	ExpiresAt     time.Time `json:"expires_at"`
}

// NewSession returns the view of s.
func NewSession(s *store.Session) Session {
	return Session{
		ID: s.ID.String(), ClientID: s.ClientID, Kind: s.Kind, DeviceName: s.DeviceName,
		UserAgent: s.UserAgent, IP: s.IP, CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt,
		IdleExpiresAt: s.IdleExpiresAt, ExpiresAt: s.ExpiresAt,
	}
}
