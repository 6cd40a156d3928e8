package auth

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/identifier"
	"github.com/tessera-id/tessera/internal/password"
	"github.com/tessera-id/tessera/internal/store"
)

// Outcomes of an import step.
const (
	ImportCreated   = "created"
	ImportUpdated   = "updated"
	ImportUnchanged = "unchanged"
	ImportSkipped   = "skipped"
)

// unusableHash is stored for an imported account whose password cannot be
// verified here: no password matches it (VerifyForeign's ErrUnusable), so
// the account must reset its password.
const unusableHash = "!"

// ImportedUser is an account as another system knew it.
type ImportedUser struct {
	// ExternalID names the account in that system ("django:42"); a second
	// import of the same id updates the account instead of adding one.
	ExternalID          string
	Email, Username     string
	FirstName, LastName string
	// PasswordHash is the other system's encoded hash (see
	// password.VerifyForeign), Tessera's own argon2id PHC string, or empty.
	PasswordHash  string
	IsActive      bool
	IsAdmin       bool
	EmailVerified bool
	Groups        []string
	// CreatedAt is zero when unknown (the import's time is used).
	CreatedAt   time.Time
	LastLoginAt *time.Time
}

// ImportOptions tune every import step.
type ImportOptions struct {
	// AllowLegacyHashes keeps md5, sha1 and unsalted digests; without it
	// such an account is imported with an unusable password.
	AllowLegacyHashes bool
	// DryRun checks and reports but writes nothing.
	DryRun bool
}

// ImportResult is what one import step did. Reason says why a step was
// skipped; MustReset, on an account that was written, says why its
// password cannot be used (the person must reset it).
type ImportResult struct {
	Outcome   string
	Reason    string
	MustReset string
}

func skipped(format string, args ...any) ImportResult {
	return ImportResult{Outcome: ImportSkipped, Reason: fmt.Sprintf(format, args...)}
}

// ImportUser creates or updates the account imported as in.ExternalID.
//
// The rules: an e-mail (or username) that collides under Tessera's
// normalisation with another account skips the row, naming the holder; a
// missing or invalid e-mail skips it. A password hash Tessera cannot verify
// (Django's unusable "!", a legacy digest without AllowLegacyHashes, an
// unknown format, bad syntax or costs beyond VerifyForeign's bounds, none)
// imports the account with an unusable password, reported in MustReset.
// On an update, a hash Tessera already replaced with its own argon2id (the
// person signed in since) is kept, as are the later last-login time and an
// earlier verification; every other field follows the source. An account
// the source deactivated loses its sessions.
func (s *Service) ImportUser(ctx context.Context, in ImportedUser, opts ImportOptions) (ImportResult, error) {
	if in.ExternalID == "" {
		return skipped("no external id"), nil
	}
	emailNorm, err := identifier.NormalizeEmail(in.Email)
	if strings.TrimSpace(in.Email) == "" {
		return skipped("no e-mail address"), nil
	}
	if err != nil {
		return skipped("invalid e-mail %q: %v", in.Email, err), nil
	}
	var username, usernameNorm *string
	if name := strings.TrimSpace(in.Username); name != "" {
		n, err := identifier.NormalizeUsername(name)
		if err != nil {
			return skipped("invalid username %q: %v", in.Username, err), nil
		}
		username, usernameNorm = &name, &n
	}
	hash, mustReset := s.importableHash(in.PasswordHash, opts.AllowLegacyHashes)
	old, err := s.store.GetUserByExternalID(ctx, in.ExternalID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return ImportResult{}, fmt.Errorf("import user: %w", err)
	}
	now := s.now().UTC()
	u := &store.User{ID: newID(), CreatedAt: now, PasswordChangedAt: now, PasswordHash: hash}
	if old != nil {
		cp := *old
		u = &cp
		if !password.IsForeign(old.PasswordHash) && hash != old.PasswordHash {
			// Signed in (or changed the password) here since: ours wins.
			u.PasswordHash, mustReset = old.PasswordHash, ""
		} else {
			u.PasswordHash = hash
		}
	} else if !in.CreatedAt.IsZero() {
		u.CreatedAt = in.CreatedAt.UTC().Truncate(time.Microsecond)
	}
	u.Email, u.EmailNormalized = strings.TrimSpace(in.Email), emailNorm
	u.Username, u.UsernameNormalized = username, usernameNorm
	u.FirstName, u.LastName = in.FirstName, in.LastName
	u.IsActive, u.IsAdmin = in.IsActive, in.IsAdmin
	u.Groups = normalizedGroups(in.Groups)
	u.ExternalID = &in.ExternalID
	if in.LastLoginAt != nil && (u.LastLoginAt == nil || in.LastLoginAt.After(*u.LastLoginAt)) {
		// Stored times keep microseconds; cut here so a re-import compares equal.
		t := in.LastLoginAt.UTC().Truncate(time.Microsecond)
		u.LastLoginAt = &t
	}
	if in.EmailVerified && u.EmailVerifiedAt == nil {
		u.EmailVerifiedAt = &now
	}
	if old != nil && reflect.DeepEqual(old, u) {
		return ImportResult{Outcome: ImportUnchanged, MustReset: mustReset}, nil
	}
	u.UpdatedAt = now
	res := ImportResult{Outcome: ImportCreated, MustReset: mustReset}
	if old != nil {
		res.Outcome = ImportUpdated
	}
	if err := s.writeImported(ctx, old, u, opts); err != nil {
		return s.importConflict(ctx, err, in)
	}
	return res, nil
}

// writeImported stores u (creating it when old is nil) unless this is a
// dry run, in which case it only checks the uniqueness rules a write would
// break against what is stored.
func (s *Service) writeImported(ctx context.Context, old, u *store.User, opts ImportOptions) error {
	if opts.DryRun {
		if h, err := s.store.GetUserByEmail(ctx, u.EmailNormalized); err == nil && h.ID != u.ID {
			return &store.ConflictError{Field: "email"}
		}
		if u.UsernameNormalized != nil {
			if h, err := s.store.GetUserByUsername(ctx, *u.UsernameNormalized); err == nil && h.ID != u.ID {
				return &store.ConflictError{Field: "username"}
			}
		}
		return nil
	}
	if old == nil {
		return s.store.CreateUser(ctx, u)
	}
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return err
	}
	if old.IsActive && !u.IsActive {
		if _, err := s.endAccess(ctx, u.ID, false, "import_disabled"); err != nil {
			return err
		}
	}
	return nil
}

// importConflict turns a uniqueness conflict into a skip naming the
// account that holds the e-mail or username; other errors are returned.
func (s *Service) importConflict(ctx context.Context, err error, in ImportedUser) (ImportResult, error) {
	var ce *store.ConflictError
	if !errors.As(err, &ce) {
		return ImportResult{}, fmt.Errorf("import user: %w", err)
	}
	var holder *store.User
	switch ce.Field {
	case "email":
		n, _ := identifier.NormalizeEmail(in.Email)
		holder, _ = s.store.GetUserByEmail(ctx, n)
	case "username":
		n, _ := identifier.NormalizeUsername(in.Username)
		holder, _ = s.store.GetUserByUsername(ctx, n)
	}
	who := "another account"
	if holder != nil && holder.ExternalID != nil {
		who = *holder.ExternalID
	} else if holder != nil {
		who = "an account made in Tessera"
	}
	return skipped("%s collides with %s under Tessera's normalisation", ce.Field, who), nil
}

// importableHash returns the hash to store for encoded and, when it cannot
// be used, why (the person must reset the password).
func (s *Service) importableHash(encoded string, allowLegacy bool) (hash, mustReset string) {
	if encoded == "" {
		return unusableHash, "no password"
	}
	if !password.IsForeign(encoded) {
		if s.hasher.Classify(encoded) == password.SchemeUnknown {
			return unusableHash, "malformed argon2id hash"
		}
		return encoded, ""
	}
	name, err := password.Scheme(encoded, allowLegacy)
	switch {
	case errors.Is(err, password.ErrUnusable):
		return encoded, "unusable password (Django's \"!\")"
	case errors.Is(err, password.ErrLegacyHash) && name != "crypt":
		return unusableHash, "legacy " + name + " hash refused (--allow-legacy-hashes keeps it)"
	case err != nil:
		return unusableHash, name + " hash not supported"
	}
	// Scheme reads the layout only: a hash of a known scheme whose syntax
	// or costs VerifyForeign refuses would match no password at login.
	if err := password.CheckForeign(encoded, password.ForeignOptions{AllowLegacy: allowLegacy}); err != nil {
		return unusableHash, "malformed or unsupported " + name + " hash"
	}
	return encoded, ""
}

// normalizedGroups trims, drops empty names and "admin" (the role of
// IsAdmin alone), and keeps the order of first appearance, each once.
func normalizedGroups(groups []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range groups {
		g = strings.TrimSpace(g)
		if g == "" || g == store.RoleAdmin || seen[g] {
			continue
		}
		seen[g] = true
		out = append(out, g)
	}
	return out
}

// ImportRef names an imported account in a later record of the same
// export: by external id, or (Django's natural keys) by username.
type ImportRef struct {
	ExternalID string
	Username   string
}

// importedUser finds the account ref names; a username only finds an
// account that was imported (it has an external id).
func (s *Service) importedUser(ctx context.Context, ref ImportRef) (*store.User, error) {
	if ref.ExternalID != "" {
		return s.store.GetUserByExternalID(ctx, ref.ExternalID)
	}
	n, err := identifier.NormalizeUsername(ref.Username)
	if err != nil {
		return nil, store.ErrNotFound
	}
	u, err := s.store.GetUserByUsername(ctx, n)
	if err == nil && u.ExternalID == nil {
		return nil, store.ErrNotFound
	}
	return u, err
}

// ImportEmailAddress applies another system's record of a verified
// address (allauth's EmailAddress): the account is marked verified when
// the address is its e-mail under normalisation and it was not yet. An
// unverified or other address changes nothing.
func (s *Service) ImportEmailAddress(ctx context.Context, ref ImportRef, email string, verified bool, opts ImportOptions) (ImportResult, error) {
	u, err := s.importedUser(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return skipped("e-mail address of %s, an account not imported", ref), nil
	}
	if err != nil {
		return ImportResult{}, fmt.Errorf("import e-mail address: %w", err)
	}
	n, err := identifier.NormalizeEmail(email)
	if !verified || err != nil || n != u.EmailNormalized || u.EmailVerifiedAt != nil {
		return ImportResult{Outcome: ImportUnchanged}, nil
	}
	if opts.DryRun {
		return ImportResult{Outcome: ImportUpdated}, nil
	}
	now := s.now().UTC()
	u.EmailVerifiedAt, u.UpdatedAt = &now, now
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return ImportResult{}, fmt.Errorf("import e-mail address: %w", err)
	}
	return ImportResult{Outcome: ImportUpdated}, nil
}

// String names the reference in reports.
func (r ImportRef) String() string {
	if r.ExternalID != "" {
		return r.ExternalID
	}
	return "username " + r.Username
}

// AuditImport records that an operator ran an import, with its counts.
func (s *Service) AuditImport(ctx context.Context, a Actor, details map[string]string) {
	s.auditAs(ctx, "users_imported", a, uuid.Nil, uuid.Nil, details)
}
