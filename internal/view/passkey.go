package view

import (
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

// Passkey is what its owner may see of a passkey: never its credential
// id, public key or counter.
type Passkey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	// Synced is true for a backup-eligible credential, one that can
	// travel between the user's devices (a password manager's passkey).
	Synced       bool     `json:"synced"`
	UserVerified bool     `json:"user_verified"`
	Attachment   string   `json:"attachment"`
	Transports   []string `json:"transports"`
}

// NewPasskey returns the view of p.
func NewPasskey(p *store.Passkey) Passkey {
	transports := p.Transports
	if transports == nil {
		transports = []string{}
	}
	return Passkey{
		ID: p.ID.String(), Name: p.Name, CreatedAt: p.CreatedAt, LastUsedAt: p.LastUsedAt,
		Synced: p.BackupEligible, UserVerified: p.UserVerified, Attachment: p.Attachment, Transports: transports,
	}
}
