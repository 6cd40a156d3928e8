package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/identifier"
	"github.com/tessera-id/tessera/internal/store"
)

// UserPatch changes an account's flags; nil fields stay as they are.
type UserPatch struct {
	IsActive      *bool
	IsAdmin       *bool
	EmailVerified *bool
}

// CreateUserInput is an account made by an operator or an admin.
type CreateUserInput struct {
	Email    string
	Username string // optional
	Password string
	IsAdmin  bool
	// EmailVerified marks the address as confirmed: the operator vouches
	// for it.
	EmailVerified bool
}

// EndedAccess says what ending a user's access revoked.
type EndedAccess struct {
	SessionsRevoked int
	TokenRevoked    bool
}

// AdminListUsers returns a page of users, newest first, whose e-mail
// starts with emailPrefix (compared case-insensitively, after the same
// NFKC case folding e-mails get).
func (s *Service) AdminListUsers(ctx context.Context, emailPrefix string, in PageInput) (Page[store.User], error) {
	return s.AdminSearchUsers(ctx, UserFilter{EmailPrefix: emailPrefix}, in)
}

// AdminGetUser returns the user with id, or not_found.
func (s *Service) AdminGetUser(ctx context.Context, id uuid.UUID) (*store.User, error) {
	u, err := s.store.GetUser(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(CodeNotFound, "no such user")
	}
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

// AdminFindUser returns the user named by ref: a user id or an e-mail
// address (as the command line takes them).
func (s *Service) AdminFindUser(ctx context.Context, ref string) (*store.User, error) {
	if id, err := uuid.Parse(ref); err == nil {
		return s.AdminGetUser(ctx, id)
	}
	u, err := s.lookupUser(ctx, ref, "")
	if errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(CodeNotFound, "no user with e-mail %q", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// AdminCreateUser creates an account without logging it in, checking the
// same rules as Register (which also opens a session, so it cannot be
// reused here).
func (s *Service) AdminCreateUser(ctx context.Context, a Actor, in CreateUserInput) (*store.User, error) {
	u, err := s.newUser(in)
	if err != nil {
		return nil, err
	}
	if u.PasswordHash, err = s.hasher.Hash(ctx, in.Password); err != nil {
		return nil, s.hashError(err)
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		var ce *store.ConflictError
		if errors.As(err, &ce) && ce.Field == "username" {
			return nil, &Error{Code: CodeUsernameTaken, Message: "this username is taken",
				Fields: map[string][]string{"username": {"is taken"}}}
		}
		if errors.As(err, &ce) {
			return nil, &Error{Code: CodeEmailTaken, Message: "an account with this e-mail exists",
				Fields: map[string][]string{"email": {"is taken"}}}
		}
		return nil, fmt.Errorf("create user: %w", err)
	}
	s.auditAs(ctx, "admin_user_created", a, u.ID, uuid.Nil, map[string]string{
		"email": u.Email, "is_admin": strconv.FormatBool(u.IsAdmin)})
	return u, nil
}

// newUser validates in and returns the account to store, without its
// password hash.
func (s *Service) newUser(in CreateUserInput) (*store.User, error) {
	fe := fieldErrors{}
	email, err := identifier.NormalizeEmail(in.Email)
	if in.Email == "" {
		fe.add("email", "this field is required")
	} else if err != nil {
		fe.add("email", err.Error())
	}
	now := s.now().UTC()
	u := &store.User{ID: newID(), Email: strings.TrimSpace(in.Email), EmailNormalized: email,
		IsActive: true, IsAdmin: in.IsAdmin, CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now}
	if in.Username != "" {
		n, err := identifier.NormalizeUsername(in.Username)
		if err != nil {
			fe.add("username", err.Error())
		}
		raw := strings.TrimSpace(in.Username)
		u.Username, u.UsernameNormalized = &raw, &n
	}
	if in.Password == "" {
		fe.add("password", "this field is required")
	} else {
		for _, p := range s.policy.Check(in.Password) {
			fe.add("password", p)
		}
	}
	if in.EmailVerified {
		u.EmailVerifiedAt = &now
	}
	return u, fe.err()
}

// AdminUpdateUser applies p, writing only the flags that change, so it
// never undoes a concurrent change of anything else. Deactivating a user
// ends every session and the classic token at once; demoting an admin ends
// their sessions too, because the access tokens they hold carry the admin
// role to resource servers that verify offline. An admin cannot deactivate
// or demote themselves (conflict): another admin, or an operator, must.
func (s *Service) AdminUpdateUser(ctx context.Context, a Actor, id uuid.UUID, p UserPatch) (*store.User, error) {
	if id == a.UserID && ((p.IsActive != nil && !*p.IsActive) || (p.IsAdmin != nil && !*p.IsAdmin)) {
		return nil, Errorf(CodeConflict, "you cannot deactivate or demote your own account")
	}
	u, err := s.AdminGetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	f, changes := userFlags(u, p, s.now().UTC())
	if len(changes) == 0 {
		return u, nil
	}
	if u, err = s.store.UpdateUserFlags(ctx, id, f); err != nil {
		return nil, fmt.Errorf("update user: %w", err)
	}
	deactivated := f.IsActive != nil && !*f.IsActive
	if demoted := f.IsAdmin != nil && !*f.IsAdmin; deactivated || demoted {
		reason := "user_deactivated"
		if !deactivated {
			reason = "admin_role_removed"
		}
		ended, err := s.endAccess(ctx, id, deactivated, reason)
		if err != nil {
			return nil, err
		}
		changes["sessions_revoked"] = strconv.Itoa(ended.SessionsRevoked)
		changes["token_revoked"] = strconv.FormatBool(ended.TokenRevoked)
	}
	s.auditAs(ctx, "admin_user_updated", a, id, uuid.Nil, changes)
	return u, nil
}

// userFlags keeps the parts of p that change u, as the store's flags and
// as audit details.
func userFlags(u *store.User, p UserPatch, now time.Time) (store.UserFlags, map[string]string) {
	f, changes := store.UserFlags{UpdatedAt: now}, map[string]string{}
	if p.IsActive != nil && *p.IsActive != u.IsActive {
		f.IsActive, changes["is_active"] = p.IsActive, strconv.FormatBool(*p.IsActive)
	}
	if p.IsAdmin != nil && *p.IsAdmin != u.IsAdmin {
		f.IsAdmin, changes["is_admin"] = p.IsAdmin, strconv.FormatBool(*p.IsAdmin)
	}
	if p.EmailVerified != nil && *p.EmailVerified != (u.EmailVerifiedAt != nil) {
		f.SetEmailVerified, changes["email_verified"] = true, strconv.FormatBool(*p.EmailVerified)
		if *p.EmailVerified {
			f.EmailVerifiedAt = &now
		}
	}
	return f, changes
}

// AdminDeleteUser deletes the account, its sessions and its classic
// token. An admin cannot delete their own account (conflict).
func (s *Service) AdminDeleteUser(ctx context.Context, a Actor, id uuid.UUID) error {
	if id == a.UserID {
		return Errorf(CodeConflict, "you cannot delete your own account")
	}
	u, err := s.AdminGetUser(ctx, id)
	if err != nil {
		return err
	}
	// Revoked first, so the sessions end even if the delete fails.
	ended, err := s.endAccess(ctx, id, false, "admin_user_deleted")
	if err != nil {
		return err
	}
	// The store tombstones every session it removes, so offline verifiers
	// keep refusing their access tokens until those expire.
	if err := s.store.DeleteUser(ctx, id, s.now().UTC()); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("delete user: %w", err)
	}
	s.auditAs(ctx, "admin_user_deleted", a, id, uuid.Nil, map[string]string{
		"email": u.Email, "sessions_revoked": strconv.Itoa(ended.SessionsRevoked)})
	return nil
}

// AdminLogoutUser ends every session of the user and revokes the classic
// token.
func (s *Service) AdminLogoutUser(ctx context.Context, a Actor, id uuid.UUID) (EndedAccess, error) {
	if _, err := s.AdminGetUser(ctx, id); err != nil {
		return EndedAccess{}, err
	}
	ended, err := s.endAccess(ctx, id, true, "admin_logout")
	if err != nil {
		return EndedAccess{}, err
	}
	s.auditAs(ctx, "admin_user_logout", a, id, uuid.Nil, map[string]string{
		"sessions_revoked": strconv.Itoa(ended.SessionsRevoked), "token_revoked": strconv.FormatBool(ended.TokenRevoked)})
	return ended, nil
}

// endAccess revokes every session of the user and, with token, deletes
// the classic token.
func (s *Service) endAccess(ctx context.Context, id uuid.UUID, token bool, reason string) (EndedAccess, error) {
	n, err := s.store.RevokeUserSessions(ctx, id, uuid.Nil, s.now().UTC(), reason)
	if err != nil {
		return EndedAccess{}, fmt.Errorf("end access: %w", err)
	}
	ended := EndedAccess{SessionsRevoked: n}
	if !token {
		return ended, nil
	}
	switch err := s.store.DeleteAuthToken(ctx, id); {
	case err == nil:
		ended.TokenRevoked = true
	case !errors.Is(err, store.ErrNotFound):
		return ended, fmt.Errorf("end access: %w", err)
	}
	return ended, nil
}

// AdminUserToken returns the user's classic token, as `tessera users
// token` prints it (Django REST Framework's drf_create_token): the existing
// key, a new one when the user has none, or a replacement with rotate.
func (s *Service) AdminUserToken(ctx context.Context, a Actor, u *store.User, clientID string, rotate bool) (*ClassicToken, error) {
	dev := a.Device
	dev.ClientID = clientID
	get, event := s.ObtainClassicToken, "admin_token_shown"
	if rotate {
		get, event = s.RotateClassicToken, "admin_token_rotated"
	}
	t, err := get(ctx, u, dev)
	if err != nil {
		return nil, err
	}
	s.auditAs(ctx, event, a, u.ID, uuid.Nil, nil)
	return t, nil
}

// AdminRevokeUserToken deletes the user's classic token at once; the
// next request with it is refused. No token is not_found.
func (s *Service) AdminRevokeUserToken(ctx context.Context, a Actor, id uuid.UUID) error {
	if _, err := s.AdminGetUser(ctx, id); err != nil {
		return err
	}
	err := s.store.DeleteAuthToken(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Errorf(CodeNotFound, "there is no classic token to revoke")
	}
	if err != nil {
		return fmt.Errorf("revoke classic token: %w", err)
	}
	s.auditAs(ctx, "admin_token_revoked", a, id, uuid.Nil, nil)
	return nil
}

// AdminSendPasswordReset mails the user a password-reset link, through
// the very path a reset asked for by the user takes (RequestPasswordReset:
// an inactive account gets no mail). Their password and sessions are
// untouched until they use the link.
func (s *Service) AdminSendPasswordReset(ctx context.Context, a Actor, id uuid.UUID) error {
	u, err := s.AdminGetUser(ctx, id)
	if err != nil {
		return err
	}
	if !u.IsActive {
		return Errorf(CodeConflict, "this account is deactivated: activate it first")
	}
	if err := s.RequestPasswordReset(ctx, u.Email, a.Device); err != nil {
		return err
	}
	s.auditAs(ctx, "admin_password_reset_sent", a, id, uuid.Nil, nil)
	return nil
}
