package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// Pruned says how many rows one PruneStorage deleted, per table.
type Pruned struct {
	Sessions       int64
	Tombstones     int64
	OneTimeTokens  int64
	LoginThrottles int64
	// AuthorizationCodes counts OAuth authorization codes.
	AuthorizationCodes int64
	// MFAChallenges counts pending logins (mfa_token) that expired.
	MFAChallenges int64
	// WebAuthnChallenges counts passkey ceremonies never finished.
	WebAuthnChallenges int64
}

// CodeReplayWindow is how long an authorization code is kept after it
// expired: a replay within it is recognised and revokes what the code's
// exchange produced (RFC 6749 s4.1.2); later, the code is simply unknown.
const CodeReplayWindow = 24 * time.Hour

// Total is the number of rows deleted.
func (p Pruned) Total() int64 {
	return p.Sessions + p.Tombstones + p.OneTimeTokens + p.LoginThrottles + p.AuthorizationCodes +
		p.MFAChallenges + p.WebAuthnChallenges
}

// PruneStorage deletes what no rule needs any more, so that storage stays
// at its live size however long Tessera runs:
//   - sessions that ended (revoked, idle-expired or past their absolute
//     lifetime) longer ago than the longest access TTL in force plus the
//     verifiers' largest leeway: none of their access tokens can still be
//     valid, so neither Tessera nor the revocation feed needs them;
//   - tombstones of deleted sessions older than MaxAccessTTL plus that
//     leeway, the feed's own look-back (a deleted client's TTL is no
//     longer known, so the longest possible one is kept);
//   - one-time tokens past their expiry, used or not;
//   - login-throttle counters whose window is over;
//   - authorization codes expired longer ago than CodeReplayWindow;
//   - pending logins (mfa_token) past their expiry, used or not;
//   - passkey ceremonies (WebAuthn challenges) past their expiry.
//
// Each table is pruned in bounded batches; running it on every replica at
// once is harmless.
func (s *Service) PruneStorage(ctx context.Context) (Pruned, error) {
	now := s.now().UTC()
	var p Pruned
	ttl, err := s.longestAccessTTL(ctx)
	if err != nil {
		return p, fmt.Errorf("prune storage: %w", err)
	}
	if p.Sessions, err = s.store.PruneSessions(ctx, now.Add(-ttl-jwtverify.MaxLeeway)); err != nil {
		return p, fmt.Errorf("prune storage: %w", err)
	}
	if p.Tombstones, err = s.store.PruneSessionTombstones(ctx, now.Add(-MaxAccessTTL-jwtverify.MaxLeeway)); err != nil {
		return p, fmt.Errorf("prune storage: %w", err)
	}
	if p.OneTimeTokens, err = s.store.PruneOneTimeTokens(ctx, now); err != nil {
		return p, fmt.Errorf("prune storage: %w", err)
	}
	if p.LoginThrottles, err = s.store.PruneLoginThrottles(ctx, now.Add(-s.settings.LoginFailureWindow)); err != nil {
		return p, fmt.Errorf("prune storage: %w", err)
	}
	if p.AuthorizationCodes, err = s.store.PruneAuthorizationCodes(ctx, now.Add(-CodeReplayWindow)); err != nil {
		return p, fmt.Errorf("prune storage: %w", err)
	}
	if p.MFAChallenges, err = s.store.PruneMFAChallenges(ctx, now); err != nil {
		return p, fmt.Errorf("prune storage: %w", err)
	}
	if p.WebAuthnChallenges, err = s.store.PruneWebAuthnChallenges(ctx, now); err != nil {
		return p, fmt.Errorf("prune storage: %w", err)
	}
	return p, nil
}

// longestAccessTTL is the longest access-token lifetime any client, or the
// server default, gives today, at most MaxAccessTTL.
func (s *Service) longestAccessTTL(ctx context.Context) (time.Duration, error) {
	longest := s.settings.AccessTTL
	after := ""
	for {
		page, err := s.store.ListClients(ctx, after, MaxPageSize)
		if err != nil {
			return 0, fmt.Errorf("list clients: %w", err)
		}
		for _, c := range page {
			longest = max(longest, c.AccessTTL)
		}
		if len(page) < MaxPageSize {
			return min(longest, MaxAccessTTL), nil
		}
		after = page[len(page)-1].ID
	}
}
