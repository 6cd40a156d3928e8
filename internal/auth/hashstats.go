package auth

import (
	"context"
	"fmt"

	"github.com/tessera-id/tessera/internal/password"
)

// HashStats counts accounts by the scheme of their password hash. Schemes
// maps password.SchemeCurrent, password.SchemeOldParams,
// password.SchemeUnusable, password.SchemeUnknown and each foreign scheme
// name (see password.Scheme) to its count.
type HashStats struct {
	Schemes map[string]int64
	// Total counts every account.
	Total int64
	// Foreign counts the hashes another system made that still wait for
	// their owner's next login to become argon2id.
	Foreign int64
	// Legacy counts the weak digests among them (md5, sha1, unsalted).
	Legacy int64
}

// PasswordHashStats counts the accounts' password hashes by scheme, so an
// operator can watch imported hashes turn into argon2id as people sign in.
// It reads every account once (a streamed query, nothing held per row).
func (s *Service) PasswordHashStats(ctx context.Context) (*HashStats, error) {
	counts, err := s.store.CountPasswordHashes(ctx, s.hasher.Classify)
	if err != nil {
		return nil, fmt.Errorf("password hash stats: %w", err)
	}
	st := &HashStats{Schemes: counts}
	for name, n := range counts {
		st.Total += n
		switch name {
		case password.SchemeCurrent, password.SchemeOldParams, password.SchemeUnusable, password.SchemeUnknown:
			continue
		}
		st.Foreign += n
		if password.IsLegacyScheme(name) {
			st.Legacy += n
		}
	}
	return st, nil
}
