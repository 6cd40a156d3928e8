package jwtverify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// DiscoveryPath is where an issuer publishes its metadata (OpenID Connect
// Discovery 1.0 s4), appended to the issuer URL without its trailing slash.
const DiscoveryPath = "/.well-known/openid-configuration"

// discovery holds the members of the issuer metadata FromIssuer reads.
type discovery struct {
	Issuer                 string `json:"issuer"`
	JWKSURI                string `json:"jwks_uri"`
	RevocationFeedEndpoint string `json:"revocation_feed_endpoint"`
}

// FromIssuer builds a Verifier for the tokens issuerURL signs, as go-oidc's
// NewProvider does: it fetches issuerURL + DiscoveryPath, requires its
// "issuer" to equal issuerURL byte for byte (no trailing-slash or case
// leniency: the same string every token's iss must carry), and verifies
// with a RemoteKeySet on its jwks_uri. WithAudience is required as with
// NewVerifier; the issuer is issuerURL (a different WithIssuer is an
// error). With WithRevocationWatcher it also starts a RevocationWatcher on
// the metadata's revocation_feed_endpoint and waits until it has read the
// feed to its end (polling again while Poll returns ErrBehind, up to
// 10,000 pages), so the verifier knows every revocation made before.
//
// ctx bounds the discovery request and those first polls only: the key set
// and the watcher outlive it (they keep its values, not its deadline), so
// a start-up timeout does not break them later. Close stops the watcher.
// WithHTTPClient and WithClock given here reach the key set and watcher
// too, before WithKeySetOptions' and WithRevocationWatcher's own options.
func FromIssuer(ctx context.Context, issuerURL string, opts ...Option) (*Verifier, error) {
	cfg := newConfig(opts)
	if cfg.issuerForced && cfg.issuer != issuerURL {
		return nil, fmt.Errorf("jwtverify: WithIssuer(%q) differs from the issuer URL %q", cfg.issuer, issuerURL)
	}
	if cfg.watch && cfg.revocationsSet {
		return nil, errors.New("jwtverify: WithRevocationWatcher and WithRevocations are exclusive")
	}
	cfg.issuer = issuerURL
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	client := cfg.client
	if client == nil {
		client = defaultClient
	}
	meta, err := discover(ctx, client, issuerURL)
	if err != nil {
		return nil, err
	}
	if cfg.watch && meta.RevocationFeedEndpoint == "" {
		return nil, fmt.Errorf("jwtverify: %s publishes no revocation_feed_endpoint", issuerURL)
	}
	life := context.WithoutCancel(ctx)
	shared := []SharedOption{WithHTTPClient(client), WithClock(cfg.now)}
	keys := NewRemoteKeySet(life, meta.JWKSURI, append(toKeySetOptions(shared), cfg.keySetOpts...)...)
	v := newVerifier(keys, cfg)
	if !cfg.watch {
		return v, nil
	}
	wopts := append(toWatcherOptions(shared), cfg.watcherOpts...)
	wopts = append(wopts, watcherOption(func(c *watcherConfig) { c.polledByCaller = true }))
	w := NewRevocationWatcher(life, meta.RevocationFeedEndpoint, wopts...)
	err = w.Poll(ctx)
	for i := 1; errors.Is(err, ErrBehind) && i < maxCatchUpPolls; i++ {
		err = w.Poll(ctx)
	}
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("jwtverify: first poll of %s: %w", meta.RevocationFeedEndpoint, err)
	}
	v.cfg.revocations, v.watcher = w, w
	return v, nil
}

// discover fetches and checks the issuer metadata.
func discover(ctx context.Context, client *http.Client, issuerURL string) (*discovery, error) {
	wellKnown := strings.TrimSuffix(issuerURL, "/") + DiscoveryPath
	resp, body, err := get(ctx, client, wellKnown, nil, MaxJWKSSize)
	if err != nil {
		return nil, fmt.Errorf("jwtverify: discovery: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwtverify: discovery: %w", statusError(wellKnown, resp))
	}
	var meta discovery
	if err := json.Unmarshal(body, &meta); err != nil {
		return nil, fmt.Errorf("jwtverify: discovery: %s: %w", wellKnown, err)
	}
	if meta.Issuer != issuerURL {
		return nil, fmt.Errorf("jwtverify: discovery: issuer %.200q does not match %q", meta.Issuer, issuerURL)
	}
	if meta.JWKSURI == "" {
		return nil, errors.New("jwtverify: discovery: no jwks_uri")
	}
	return &meta, nil
}

func toKeySetOptions(s []SharedOption) []KeySetOption {
	out := make([]KeySetOption, len(s))
	for i, o := range s {
		out[i] = o
	}
	return out
}

func toWatcherOptions(s []SharedOption) []WatcherOption {
	out := make([]WatcherOption, len(s))
	for i, o := range s {
		out[i] = o
	}
	return out
}
