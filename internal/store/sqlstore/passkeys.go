package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

const passkeyColumns = `id, user_id, credential_id, public_key, attestation, aaguid, sign_count, transports,
	attachment, backup_eligible, backup_state, user_verified, name, created_at, last_used_at`

func scanPasskey(sc rowScanner, p *store.Passkey) error {
	var count int64
	if err := sc.Scan(&p.ID, &p.UserID, &p.CredentialID, &p.PublicKey, &p.Attestation, &p.AAGUID, &count,
		listDest{&p.Transports}, &p.Attachment, &p.BackupEligible, &p.BackupState, &p.UserVerified, &p.Name,
		timeDest{&p.CreatedAt}, nullTimeDest{&p.LastUsedAt}); err != nil {
		return err
	}
	if count < 0 || count > 1<<32-1 {
		return fmt.Errorf("scan passkey: sign count %d out of range", count)
	}
	p.SignCount = uint32(count)
	return nil
}

// CreatePasskey inserts p.
func (db *DB) CreatePasskey(ctx context.Context, p *store.Passkey) error {
	transports, err := encodeList(p.Transports)
	if err != nil {
		return db.flavor.wrap("create passkey", err)
	}
	q := `INSERT INTO passkeys (` + passkeyColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	_, err = db.exec(ctx, q, p.ID, p.UserID, p.CredentialID, p.PublicKey, p.Attestation, nullBytes(p.AAGUID),
		int64(p.SignCount), transports, p.Attachment, p.BackupEligible, p.BackupState, p.UserVerified, p.Name,
		sqlTime(p.CreatedAt), nullTime(p.LastUsedAt))
	if err != nil {
		return db.flavor.wrap("create passkey", err)
	}
	return nil
}

// ListPasskeys returns the user's passkeys, oldest first.
func (db *DB) ListPasskeys(ctx context.Context, userID uuid.UUID) ([]store.Passkey, error) {
	const q = `SELECT ` + passkeyColumns + ` FROM passkeys WHERE user_id = ? ORDER BY created_at, id`
	return preparedList(ctx, db, db.r, "list passkeys", q, []any{userID}, scanPasskey)
}

// GetPasskeyByCredentialID finds a passkey by its credential id.
func (db *DB) GetPasskeyByCredentialID(ctx context.Context, credentialID []byte) (*store.Passkey, error) {
	var p store.Passkey
	q := `SELECT ` + passkeyColumns + ` FROM passkeys WHERE credential_id = ?`
	if err := scanPasskey(db.r.QueryRowContext(ctx, db.flavor.rebind(q), credentialID), &p); err != nil {
		return nil, db.flavor.wrap("get passkey", err)
	}
	return &p, nil
}

// RenamePasskey sets the name of the user's passkey.
func (db *DB) RenamePasskey(ctx context.Context, userID, id uuid.UUID, name string) error {
	return db.execOne(ctx, "rename passkey", `UPDATE passkeys SET name = ? WHERE id = ? AND user_id = ?`,
		name, id, userID)
}

// DeletePasskey removes the user's passkey.
func (db *DB) DeletePasskey(ctx context.Context, userID, id uuid.UUID) error {
	return db.execOne(ctx, "delete passkey", `DELETE FROM passkeys WHERE id = ? AND user_id = ?`, id, userID)
}

// UsePasskey moves the passkey's counter from seen to count in one
// conditional UPDATE; a row whose counter moved meanwhile is ErrStale.
func (db *DB) UsePasskey(ctx context.Context, id uuid.UUID, seen, count uint32, backupState bool, now time.Time) error {
	n, err := db.exec(ctx, `UPDATE passkeys SET sign_count = ?, backup_state = ?, last_used_at = ?
		WHERE id = ? AND sign_count = ?`, int64(count), backupState, sqlTime(now), id, int64(seen))
	if err != nil {
		return db.flavor.wrap("use passkey", err)
	}
	if n == 1 {
		return nil
	}
	var one int
	err = db.r.QueryRowContext(ctx, db.flavor.rebind(`SELECT 1 FROM passkeys WHERE id = ?`), id).Scan(&one)
	if err != nil {
		return db.flavor.wrap("use passkey", err)
	}
	return fmt.Errorf("use passkey: %w", store.ErrStale)
}

const challengeColumns = `challenge_hash, purpose, user_id, session_data, created_at, expires_at`

func scanChallenge(sc rowScanner, c *store.WebAuthnChallenge) error {
	var data string
	if err := sc.Scan(&c.Hash, &c.Purpose, nullUUIDDest{&c.UserID}, &data,
		timeDest{&c.CreatedAt}, timeDest{&c.ExpiresAt}); err != nil {
		return err
	}
	c.SessionData = []byte(data)
	return nil
}

// CreateWebAuthnChallenge inserts c.
func (db *DB) CreateWebAuthnChallenge(ctx context.Context, c *store.WebAuthnChallenge) error {
	q := `INSERT INTO webauthn_challenges (` + challengeColumns + `) VALUES (?, ?, ?, ?, ?, ?)`
	if _, err := db.exec(ctx, q, c.Hash, c.Purpose, nullUUID(c.UserID), string(c.SessionData),
		sqlTime(c.CreatedAt), sqlTime(c.ExpiresAt)); err != nil {
		return db.flavor.wrap("create webauthn challenge", err)
	}
	return nil
}

// TakeWebAuthnChallenge deletes the challenge and returns it, in one
// DELETE ... RETURNING, so that only one caller can have it.
func (db *DB) TakeWebAuthnChallenge(ctx context.Context, hash []byte, purpose string, userID uuid.UUID, now time.Time) (*store.WebAuthnChallenge, error) {
	q := `DELETE FROM webauthn_challenges WHERE challenge_hash = ? AND purpose = ? AND expires_at > ?`
	args := []any{hash, purpose, sqlTime(now)}
	if userID != uuid.Nil {
		q += ` AND user_id = ?`
		args = append(args, userID)
	}
	var c store.WebAuthnChallenge
	row := db.w.QueryRowContext(ctx, db.flavor.rebind(q+` RETURNING `+challengeColumns), args...)
	if err := scanChallenge(row, &c); err != nil {
		return nil, db.flavor.wrap("take webauthn challenge", err)
	}
	return &c, nil
}

// PruneWebAuthnChallenges deletes challenges that expired before before.
func (db *DB) PruneWebAuthnChallenges(ctx context.Context, before time.Time) (int64, error) {
	return db.pruneLoop(ctx, "prune webauthn challenges", "webauthn_challenges", "challenge_hash",
		`expires_at < ?`, sqlTime(before))
}
