package keys

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// State is where a key is in its life. Every replica reading the same dir
// with the same clock derives the same state, because it depends only on
// the keys' creation times (from their file names) and the clock.
type State string

// The states of a key, in order.
const (
	// StateNext: published in the JWKS, not signing yet.
	StateNext State = "next"
	// StateActive: the key that signs.
	StateActive State = "active"
	// StateRetiring: no longer signs, still published until every token it
	// signed has expired and every cached JWKS has been refreshed.
	StateRetiring State = "retiring"
	// StateRetired: neither published nor accepted. Its file may be deleted.
	StateRetired State = "retired"
)

// KeyInfo describes one key of the dir.
type KeyInfo struct {
	ID        string    // RFC 7638 thumbprint, the JWS "kid"
	Algorithm string    // from the key type, never from the file name
	State     State     // at the time asked
	Created   time.Time // from the file name, UTC
	// SignsFrom is when the key starts signing: Created for the oldest key,
	// Created + PublishDelay for the others.
	SignsFrom time.Time
	// PublishedUntil is when the key retires: the next key's SignsFrom +
	// RetireAfter; zero while no key follows it.
	PublishedUntil time.Time
	File           string // path of the PEM file
}

// entry is one loaded key with its precomputed schedule.
type entry struct {
	info       KeyInfo   // State left empty
	signsUntil time.Time // next key's SignsFrom; zero while open
	signing    *SigningKey
	verify     jwtverify.Key
	jwk        []byte // this key's JWKS member
}

// stateAt derives e's state at now. Intervals are half-open: a key is
// active from SignsFrom (inclusive) to signsUntil (exclusive).
func (e *entry) stateAt(now time.Time) State {
	switch {
	case !e.info.PublishedUntil.IsZero() && !now.Before(e.info.PublishedUntil):
		return StateRetired
	case now.Before(e.info.SignsFrom):
		return StateNext
	case !e.signsUntil.IsZero() && !now.Before(e.signsUntil):
		return StateRetiring
	}
	return StateActive
}

// snapshot is an immutable view of the dir. Only the JWKS cache changes.
type snapshot struct {
	entries []*entry // by creation time, then file name
	byKID   map[string]*entry
	secret  []byte
	cache   atomic.Pointer[renderedJWKS]
}

type renderedJWKS struct {
	from int // index of the oldest published entry
	jwks JWKS
}

// schedule sorts entries and computes each one's signing and publishing
// window. SignsFrom never decreases along the sorted entries, so the keys
// published at any time are always a suffix of them.
func schedule(entries []*entry, opts Options) {
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i].info, entries[j].info
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created)
		}
		return a.File < b.File
	})
	for i, e := range entries {
		e.info.SignsFrom = e.info.Created
		if i > 0 {
			e.info.SignsFrom = e.info.Created.Add(opts.PublishDelay)
		}
	}
	for i, e := range entries[:len(entries)-1] {
		e.signsUntil = entries[i+1].info.SignsFrom
		e.info.PublishedUntil = e.signsUntil.Add(opts.RetireAfter)
	}
}

// signer returns the entry that signs at now: the newest one whose
// SignsFrom has come, or the oldest when none has.
func (s *snapshot) signer(now time.Time) *entry {
	for i := len(s.entries) - 1; i > 0; i-- {
		if !now.Before(s.entries[i].info.SignsFrom) {
			return s.entries[i]
		}
	}
	return s.entries[0]
}

// firstPublished is the index of the oldest entry not retired at now.
func (s *snapshot) firstPublished(now time.Time) int {
	i := 0
	for i < len(s.entries)-1 && s.entries[i].stateAt(now) == StateRetired {
		i++
	}
	return i
}

// jwks renders the published keys, reusing the last rendering while the
// published set is unchanged.
func (s *snapshot) jwks(now time.Time, maxAge time.Duration) JWKS {
	from := s.firstPublished(now)
	if c := s.cache.Load(); c != nil && c.from == from {
		return c.jwks
	}
	var body bytes.Buffer
	body.WriteString(`{"keys":[`)
	for i, e := range s.entries[from:] {
		if i > 0 {
			body.WriteByte(',')
		}
		body.Write(e.jwk)
	}
	body.WriteString(`]}`)
	sum := sha256.Sum256(body.Bytes())
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:]) + `"`
	cc := fmt.Sprintf("public, max-age=%d", int(maxAge/time.Second))
	c := &renderedJWKS{from: from, jwks: JWKS{
		Body: body.Bytes(), ETag: etag, MaxAge: maxAge, CacheControl: cc,
		CacheControlHeader: []string{cc}, ETagHeader: []string{etag},
	}}
	s.cache.Store(c)
	return c.jwks
}
