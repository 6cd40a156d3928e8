package sqlstore

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

const consentColumns = `user_id, client_id, scopes, granted_at`

func scanConsent(sc rowScanner, c *store.Consent) error {
	var scopes string
	if err := sc.Scan(&c.UserID, &c.ClientID, &scopes, timeDest{&c.GrantedAt}); err != nil {
		return err
	}
	var err error
	c.Scopes, err = decodeList(scopes)
	return err
}

// GetConsent returns the user's consent to the client.
func (db *DB) GetConsent(ctx context.Context, userID uuid.UUID, clientID string) (*store.Consent, error) {
	if !validText(clientID) {
		return nil, fmt.Errorf("get consent: %w", store.ErrNotFound)
	}
	var c store.Consent
	q := `SELECT ` + consentColumns + ` FROM consents WHERE user_id = ? AND client_id = ?`
	if err := scanConsent(db.preparedRow(ctx, db.r, q, userID, clientID), &c); err != nil {
		return nil, db.flavor.wrap("get consent", err)
	}
	return &c, nil
}

// UpsertConsent inserts c or replaces the scopes and time of the user's
// consent to the client, in one statement both databases understand, and
// then holds in c what was stored.
func (db *DB) UpsertConsent(ctx context.Context, c *store.Consent) error {
	scopes, err := encodeList(c.Scopes)
	if err != nil {
		return db.flavor.wrap("upsert consent", err)
	}
	q := `INSERT INTO consents (` + consentColumns + `) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at
		RETURNING ` + consentColumns
	row := db.w.QueryRowContext(ctx, db.flavor.rebind(q), c.UserID, c.ClientID, scopes, sqlTime(c.GrantedAt))
	if err := scanConsent(row, c); err != nil {
		return db.flavor.wrap("upsert consent", err)
	}
	return nil
}

// ListConsents returns the user's consents ordered by client_id.
func (db *DB) ListConsents(ctx context.Context, userID uuid.UUID) ([]store.Consent, error) {
	q := `SELECT ` + consentColumns + ` FROM consents WHERE user_id = ? ORDER BY client_id`
	return queryAll(ctx, db, "list consents", q, []any{userID}, scanConsent)
}

// DeleteConsent removes the user's consent to the client.
func (db *DB) DeleteConsent(ctx context.Context, userID uuid.UUID, clientID string) error {
	if !validText(clientID) {
		return fmt.Errorf("delete consent: %w", store.ErrNotFound)
	}
	return db.execOne(ctx, "delete consent", `DELETE FROM consents WHERE user_id = ? AND client_id = ?`,
		userID, clientID)
}
