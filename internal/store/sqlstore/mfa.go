package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/tessera-id/tessera/internal/store"
)

// SaveTOTP upserts the pending secret in one statement: the update only
// happens while the stored secret is unconfirmed, so a confirmed one is
// never overwritten.
func (db *DB) SaveTOTP(ctx context.Context, t *store.TOTP) error {
	const q = `INSERT INTO mfa_totp (user_id, secret_enc, last_step, created_at, confirmed_at)
		VALUES (?, ?, 0, ?, NULL)
		ON CONFLICT (user_id) DO UPDATE SET secret_enc = excluded.secret_enc, last_step = 0,
			created_at = excluded.created_at, confirmed_at = NULL
		WHERE mfa_totp.confirmed_at IS NULL`
	n, err := db.exec(ctx, q, t.UserID, t.SecretEnc, sqlTime(t.CreatedAt))
	if err != nil {
		return db.flavor.wrap("save totp", err)
	}
	if n == 0 {
		return fmt.Errorf("save totp: %w", &store.ConflictError{Field: "totp"})
	}
	t.LastStep, t.ConfirmedAt = 0, nil
	return nil
}

// GetTOTP returns the user's secret or store.ErrNotFound.
func (db *DB) GetTOTP(ctx context.Context, userID uuid.UUID) (*store.TOTP, error) {
	const q = `SELECT user_id, secret_enc, last_step, created_at, confirmed_at FROM mfa_totp WHERE user_id = ?`
	var t store.TOTP
	// Prepared: every sign-in asks.
	err := db.preparedRow(ctx, db.r, q, userID).Scan(&t.UserID, &t.SecretEnc, &t.LastStep,
		timeDest{&t.CreatedAt}, nullTimeDest{&t.ConfirmedAt})
	if err != nil {
		return nil, db.flavor.wrap("get totp", err)
	}
	return &t, nil
}

// ConfirmTOTP activates the pending secret and replaces the recovery codes
// in one transaction.
func (db *DB) ConfirmTOTP(ctx context.Context, userID uuid.UUID, secretEnc []byte, now time.Time, step int64, codes []store.RecoveryCode) error {
	const q = `UPDATE mfa_totp SET confirmed_at = ?, last_step = ?
		WHERE user_id = ? AND secret_enc = ? AND confirmed_at IS NULL`
	return db.inTx(ctx, "confirm totp", func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, db.flavor.rebind(q), sqlTime(now), step, userID, secretEnc)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = db.totpStaleOrMissing(ctx, tx, userID)
			}
			return err
		}
		return db.replaceCodes(ctx, tx, userID, codes)
	})
}

// inTx runs f in a write transaction, committed when f returns nil and
// rolled back otherwise; errors are wrapped with op.
func (db *DB) inTx(ctx context.Context, op string, f func(*sqlx.Tx) error) error {
	tx, err := db.w.BeginTxx(ctx, nil)
	if err != nil {
		return db.flavor.wrap(op, err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback() // the error that made us roll back is the one to report
		return db.flavor.wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return db.flavor.wrap(op, err)
	}
	return nil
}

func (db *DB) totpStaleOrMissing(ctx context.Context, tx *sqlx.Tx, userID uuid.UUID) error {
	var one int
	err := tx.QueryRowContext(ctx, db.flavor.rebind(`SELECT 1 FROM mfa_totp WHERE user_id = ?`), userID).Scan(&one)
	switch {
	case err == nil:
		return store.ErrStale
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	default:
		return err
	}
}

// UseTOTPStep moves last_step forward in one conditional UPDATE.
func (db *DB) UseTOTPStep(ctx context.Context, userID uuid.UUID, step int64) error {
	const q = `UPDATE mfa_totp SET last_step = ?
		WHERE user_id = ? AND last_step < ? AND confirmed_at IS NOT NULL`
	n, err := db.exec(ctx, q, step, userID, step)
	if err != nil {
		return db.flavor.wrap("use totp step", err)
	}
	if n == 0 {
		if _, err := db.GetTOTP(ctx, userID); err != nil {
			return err
		}
		return fmt.Errorf("use totp step: %w", store.ErrStale)
	}
	return nil
}

// DeleteTOTP removes the user's secret or returns store.ErrNotFound.
func (db *DB) DeleteTOTP(ctx context.Context, userID uuid.UUID) error {
	return db.execOne(ctx, "delete totp", `DELETE FROM mfa_totp WHERE user_id = ?`, userID)
}

// ReplaceRecoveryCodes swaps the user's codes in one transaction.
func (db *DB) ReplaceRecoveryCodes(ctx context.Context, userID uuid.UUID, codes []store.RecoveryCode) error {
	return db.inTx(ctx, "replace recovery codes", func(tx *sqlx.Tx) error {
		return db.replaceCodes(ctx, tx, userID, codes)
	})
}

func (db *DB) replaceCodes(ctx context.Context, tx *sqlx.Tx, userID uuid.UUID, codes []store.RecoveryCode) error {
	if _, err := tx.ExecContext(ctx, db.flavor.rebind(`DELETE FROM mfa_recovery_codes WHERE user_id = ?`), userID); err != nil {
		return err
	}
	const ins = `INSERT INTO mfa_recovery_codes (user_id, code_hash, created_at, used_at) VALUES (?, ?, ?, ?)`
	for _, c := range codes {
		if _, err := tx.ExecContext(ctx, db.flavor.rebind(ins), userID, c.CodeHash, sqlTime(c.CreatedAt), nullTime(c.UsedAt)); err != nil {
			return err
		}
	}
	return nil
}

// UseRecoveryCode marks one unused code used in one conditional UPDATE.
func (db *DB) UseRecoveryCode(ctx context.Context, userID uuid.UUID, hash []byte, now time.Time) error {
	return db.execOne(ctx, "use recovery code",
		`UPDATE mfa_recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		sqlTime(now), userID, hash)
}

// CountRecoveryCodes counts the user's unused codes.
func (db *DB) CountRecoveryCodes(ctx context.Context, userID uuid.UUID) (int, error) {
	var n int
	q := `SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = ? AND used_at IS NULL`
	if err := db.r.QueryRowContext(ctx, db.flavor.rebind(q), userID).Scan(&n); err != nil {
		return 0, db.flavor.wrap("count recovery codes", err)
	}
	return n, nil
}

// SecondFactors reads the three counts in one prepared statement.
func (db *DB) SecondFactors(ctx context.Context, userID uuid.UUID) (store.SecondFactors, error) {
	const q = `SELECT
		(SELECT COUNT(*) FROM mfa_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL),
		(SELECT COUNT(*) FROM passkeys WHERE user_id = $1),
		(SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL)`
	var f store.SecondFactors
	var totp int
	if err := db.preparedRow(ctx, db.r, q, userID).Scan(&totp, &f.Passkeys, &f.RecoveryCodes); err != nil {
		return f, db.flavor.wrap("second factors", err)
	}
	f.TOTP = totp > 0
	return f, nil
}

const mfaChallengeColumns = `id, token_hash, user_id, client_id, delivery, device_name, user_agent, ip,
	amr, attempts, created_at, expires_at, used_at`

func scanMFAChallenge(sc rowScanner, c *store.MFAChallenge) error {
	return sc.Scan(&c.ID, &c.TokenHash, &c.UserID, &c.ClientID, &c.Delivery, &c.DeviceName, &c.UserAgent,
		&c.IP, listDest{&c.AMR}, &c.Attempts, timeDest{&c.CreatedAt}, timeDest{&c.ExpiresAt}, nullTimeDest{&c.UsedAt})
}

// CreateMFAChallenge inserts c and then holds in c what was stored.
func (db *DB) CreateMFAChallenge(ctx context.Context, c *store.MFAChallenge) error {
	const q = `INSERT INTO mfa_challenges (` + mfaChallengeColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ` + mfaChallengeColumns
	amr, err := encodeList(c.AMR)
	if err != nil {
		return fmt.Errorf("create mfa challenge: %w", err)
	}
	row := db.w.QueryRowContext(ctx, db.flavor.rebind(q), c.ID, c.TokenHash, c.UserID, c.ClientID, c.Delivery,
		c.DeviceName, c.UserAgent, c.IP, amr, c.Attempts, sqlTime(c.CreatedAt), sqlTime(c.ExpiresAt), nullTime(c.UsedAt))
	if err := scanMFAChallenge(row, c); err != nil {
		return db.flavor.wrap("create mfa challenge", err)
	}
	return nil
}

// GetMFAChallenge returns the challenge whose token hash is hash.
func (db *DB) GetMFAChallenge(ctx context.Context, hash []byte) (*store.MFAChallenge, error) {
	if len(hash) == 0 {
		return nil, fmt.Errorf("get mfa challenge: %w", store.ErrNotFound)
	}
	var c store.MFAChallenge
	q := `SELECT ` + mfaChallengeColumns + ` FROM mfa_challenges WHERE token_hash = ?`
	if err := scanMFAChallenge(db.r.QueryRowContext(ctx, db.flavor.rebind(q), hash), &c); err != nil {
		return nil, db.flavor.wrap("get mfa challenge", err)
	}
	return &c, nil
}

// CountMFAAttempt counts one attempt in one conditional UPDATE.
func (db *DB) CountMFAAttempt(ctx context.Context, id uuid.UUID, max int, now time.Time) error {
	const q = `UPDATE mfa_challenges SET attempts = attempts + 1
		WHERE id = ? AND used_at IS NULL AND expires_at > ? AND attempts < ?`
	n, err := db.exec(ctx, q, id, sqlTime(now), max)
	if err == nil && n == 0 {
		err = db.staleOrMissing(ctx, "mfa_challenges", id)
	}
	if err != nil {
		return db.flavor.wrap("count mfa attempt", err)
	}
	return nil
}

// UseMFAChallenge marks the challenge used in one conditional UPDATE.
func (db *DB) UseMFAChallenge(ctx context.Context, id uuid.UUID, now time.Time) error {
	const q = `UPDATE mfa_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?`
	n, err := db.exec(ctx, q, sqlTime(now), id, sqlTime(now))
	if err == nil && n == 0 {
		err = db.staleOrMissing(ctx, "mfa_challenges", id)
	}
	if err != nil {
		return db.flavor.wrap("use mfa challenge", err)
	}
	return nil
}

// MarkSessionMFA stamps mfa_at and writes the session's methods.
func (db *DB) MarkSessionMFA(ctx context.Context, id uuid.UUID, now time.Time, amr []string) error {
	list, err := encodeList(amr)
	if err != nil {
		return fmt.Errorf("mark session mfa: %w", err)
	}
	return db.execOne(ctx, "mark session mfa", `UPDATE sessions SET mfa_at = ?, amr = ? WHERE id = ?`,
		sqlTime(now), list, id)
}

// PruneMFAChallenges deletes pending logins that expired before before.
func (db *DB) PruneMFAChallenges(ctx context.Context, before time.Time) (int64, error) {
	return db.pruneLoop(ctx, "prune mfa challenges", "mfa_challenges", "id", `expires_at < ?`, sqlTime(before))
}
