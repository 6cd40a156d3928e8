package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tessera-id/tessera/internal/identifier"
	"github.com/tessera-id/tessera/internal/store"
)

// UpdateMeInput is a partial update of the caller's profile; nil fields are
// left as they are.
type UpdateMeInput struct {
	// Username sets the username; an empty string removes it.
	Username *string
	// FirstName and LastName set the names (given_name and family_name);
	// an empty string clears one. At most 150 characters each, as Django
	// allows, without control characters.
	FirstName *string
	LastName  *string
	// Email asks to move the account to another address. It needs
	// CurrentPassword and takes effect when the key mailed to the new
	// address is used (at once when verification is "none").
	Email           *string
	CurrentPassword string
	Device          Device
}

// UpdateMe applies in to the caller's account and returns the result.
func (s *Service) UpdateMe(ctx context.Context, p *Principal, in UpdateMeInput) (*store.User, error) {
	u := *p.User
	var change *emailChange
	applied := false
	if in.Email != nil {
		c, err := s.prepareEmailChange(ctx, &u, *in.Email, in.CurrentPassword, in.Device)
		if err != nil {
			return nil, err
		}
		// The password check took a hash's time and UpdateUser writes every
		// field: go on from the row as it is now, lest a deactivation made
		// meanwhile be undone.
		cur, err := s.activeUser(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		u = *cur
		change, applied = c, c.applyNow(&u, s.settings.EmailVerification)
	}
	if in.Username != nil {
		raw := strings.TrimSpace(*in.Username)
		if raw == "" {
			u.Username, u.UsernameNormalized = nil, nil
		} else {
			n, err := identifier.NormalizeUsername(raw)
			if err != nil {
				return nil, Invalid(map[string][]string{"username": {err.Error()}})
			}
			u.Username, u.UsernameNormalized = &raw, &n
		}
	}
	if err := setNames(&u, in.FirstName, in.LastName); err != nil {
		return nil, err
	}
	u.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateUser(ctx, &u); err != nil {
		var ce *store.ConflictError
		if errors.As(err, &ce) && ce.Field == "email" {
			return nil, errEmailTaken
		}
		if errors.Is(err, store.ErrConflict) {
			return nil, &Error{Code: CodeUsernameTaken, Message: "this username is taken",
				Fields: map[string][]string{"username": {"is taken"}}}
		}
		return nil, fmt.Errorf("update me: %w", err)
	}
	if change != nil {
		if err := s.emailChangeRequested(ctx, &u, change, applied, in.Device); err != nil {
			return nil, err
		}
	}
	return &u, nil
}

// MaxNameLength is the longest first or last name, in characters: Django's
// limit, so that no imported name is cut.
const MaxNameLength = 150

// setNames applies the names that are not nil, trimmed, or a field error.
func setNames(u *store.User, first, last *string) error {
	fields := map[string][]string{}
	for _, f := range []struct {
		field string
		in    *string
		out   *string
	}{{"first_name", first, &u.FirstName}, {"last_name", last, &u.LastName}} {
		if f.in == nil {
			continue
		}
		name, err := CleanName(*f.in)
		if err != nil {
			fields[f.field] = []string{err.Error()}
			continue
		}
		*f.out = name
	}
	if len(fields) > 0 {
		return Invalid(fields)
	}
	return nil
}

// CleanName trims a first or last name and checks it: valid UTF-8, no
// control characters, at most MaxNameLength characters.
func CleanName(raw string) (string, error) {
	name := strings.TrimSpace(raw)
	switch {
	case !utf8.ValidString(name):
		return "", errors.New("is not valid text")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", errors.New("must not contain control characters")
	case utf8.RuneCountInString(name) > MaxNameLength:
		return "", fmt.Errorf("must be at most %d characters", MaxNameLength)
	}
	return name, nil
}
