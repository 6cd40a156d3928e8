package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

const clientColumns = `client_id, name, allowed_delivery, access_ttl_seconds, idle_ttl_seconds,
	max_ttl_seconds, cors_origins, audiences, redirect_uris, post_logout_redirect_uris, client_type,
	first_party, grant_types, scopes, logout_ends_sessions, require_mfa, secret_hash, secret_created_at,
	created_at, updated_at`

// scanClient reads clientColumns, in order, into c.
func scanClient(sc rowScanner, c *store.Client) error {
	var (
		accessTTL, idle, maxTTL int64
		lists                   [7]string
	)
	err := sc.Scan(&c.ID, &c.Name, &lists[0], &accessTTL, &idle, &maxTTL, &lists[1], &lists[2],
		&lists[3], &lists[4], &c.Type, &c.FirstParty, &lists[5], &lists[6], &c.LogoutEndsSessions,
		&c.RequireMFA, &c.SecretHash, nullTimeDest{&c.SecretCreatedAt}, timeDest{&c.CreatedAt}, timeDest{&c.UpdatedAt})
	if err != nil {
		return err
	}
	c.AccessTTL = time.Duration(accessTTL) * time.Second
	c.IdleTTL = time.Duration(idle) * time.Second
	c.MaxTTL = time.Duration(maxTTL) * time.Second
	for i, dst := range []*[]string{&c.AllowedDelivery, &c.CORSOrigins, &c.Audiences, &c.RedirectURIs,
		&c.PostLogoutRedirectURIs, &c.GrantTypes, &c.Scopes} {
		if *dst, err = decodeList(lists[i]); err != nil {
			return err
		}
	}
	return nil
}

// clientArgs are c's columns after client_id, in clientColumns order but
// without secret_hash, secret_created_at and created_at: name, lists as
// JSON arrays, TTLs in whole seconds.
func clientArgs(c *store.Client) ([]any, error) {
	var lists [7]string
	for i, l := range [][]string{c.AllowedDelivery, c.CORSOrigins, c.Audiences, c.RedirectURIs,
		c.PostLogoutRedirectURIs, c.GrantTypes, c.Scopes} {
		var err error
		if lists[i], err = encodeList(l); err != nil {
			return nil, err
		}
	}
	return []any{c.Name, lists[0], int64(c.AccessTTL / time.Second), int64(c.IdleTTL / time.Second),
		int64(c.MaxTTL / time.Second), lists[1], lists[2], lists[3], lists[4], c.Type, c.FirstParty,
		lists[5], lists[6], c.LogoutEndsSessions, c.RequireMFA}, nil
}

// ListClients returns at most limit clients ordered by client_id, after
// the client_id after.
func (db *DB) ListClients(ctx context.Context, after string, limit int) ([]store.Client, error) {
	q := `SELECT ` + clientColumns + ` FROM clients WHERE client_id > ? ORDER BY client_id LIMIT ?`
	return queryAll(ctx, db, "list clients", q, []any{after, limit}, scanClient)
}

// CreateClient inserts c and then holds in c what was stored; a taken
// client_id is a *store.ConflictError ("client_id").
func (db *DB) CreateClient(ctx context.Context, c *store.Client) error {
	args, err := clientArgs(c)
	if err != nil {
		return db.flavor.wrap("create client", err)
	}
	q := `INSERT INTO clients (` + clientColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING ` + clientColumns
	args = append(append([]any{c.ID}, args...), nullBytes(c.SecretHash), nullTime(c.SecretCreatedAt),
		sqlTime(c.CreatedAt), sqlTime(c.UpdatedAt))
	if err := scanClient(db.w.QueryRowContext(ctx, db.flavor.rebind(q), args...), c); err != nil {
		return db.flavor.wrap("create client", err)
	}
	return nil
}

// UpdateClient writes every field of c but ID, CreatedAt and the secret,
// then holds in c what was stored. Unknown client_id: store.ErrNotFound.
func (db *DB) UpdateClient(ctx context.Context, c *store.Client) error {
	if !validText(c.ID) {
		return fmt.Errorf("update client: %w", store.ErrNotFound)
	}
	args, err := clientArgs(c)
	if err != nil {
		return db.flavor.wrap("update client", err)
	}
	q := `UPDATE clients SET name = ?, allowed_delivery = ?, access_ttl_seconds = ?,
		idle_ttl_seconds = ?, max_ttl_seconds = ?, cors_origins = ?, audiences = ?, redirect_uris = ?,
		post_logout_redirect_uris = ?, client_type = ?, first_party = ?, grant_types = ?, scopes = ?,
		logout_ends_sessions = ?, require_mfa = ?, updated_at = ?
		WHERE client_id = ? RETURNING ` + clientColumns
	args = append(args, sqlTime(c.UpdatedAt), c.ID)
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.flavor.wrap("update client", err)
	}
	if err := scanClient(tx.QueryRowContext(ctx, db.flavor.rebind(q), args...), c); err != nil {
		return db.flavor.wrap("update client", errors.Join(err, tx.Rollback()))
	}
	// The client's sessions keep its idle lifetime and type for refresh:
	// a change applies to each of them from its next refresh.
	keep := `UPDATE sessions SET client_idle_ttl_seconds = ?, client_confidential = ?
		WHERE client_id = ? AND revoked_at IS NULL
			AND (client_idle_ttl_seconds <> ? OR client_confidential <> ?)`
	conf := c.Type == store.ClientConfidential
	idle := int64(c.IdleTTL / time.Second)
	if _, err := tx.ExecContext(ctx, db.flavor.rebind(keep), idle, conf, c.ID, idle, conf); err != nil {
		return db.flavor.wrap("update client", errors.Join(err, tx.Rollback()))
	}
	if err := tx.Commit(); err != nil {
		return db.flavor.wrap("update client", err)
	}
	return nil
}

// DeleteClient removes the client and its sessions in one transaction
// (sessions reference their client), after tombstoning the sessions, and
// says how many of them were unrevoked.
func (db *DB) DeleteClient(ctx context.Context, id string, now time.Time) (n int, err error) {
	if !validText(id) {
		return 0, fmt.Errorf("delete client: %w", store.ErrNotFound)
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, db.flavor.wrap("delete client", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	if err := db.lockAndTombstone(ctx, tx, "clients", "client_id", "client_id", id, now); err != nil {
		return 0, db.flavor.wrap("delete client", err)
	}
	var live int
	q := `SELECT COUNT(*) FROM sessions WHERE client_id = ? AND revoked_at IS NULL`
	if err := tx.QueryRowContext(ctx, db.flavor.rebind(q), id).Scan(&live); err != nil {
		return 0, db.flavor.wrap("delete client", err)
	}
	if _, err := tx.ExecContext(ctx, db.flavor.rebind(`DELETE FROM sessions WHERE client_id = ?`), id); err != nil {
		return 0, db.flavor.wrap("delete client", err)
	}
	res, err := tx.ExecContext(ctx, db.flavor.rebind(`DELETE FROM clients WHERE client_id = ?`), id)
	if err != nil {
		return 0, db.flavor.wrap("delete client", err)
	}
	gone, err := res.RowsAffected()
	if err == nil && gone == 0 {
		err = sql.ErrNoRows
	}
	if err != nil {
		return 0, db.flavor.wrap("delete client", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, db.flavor.wrap("delete client", err)
	}
	return live, nil
}
