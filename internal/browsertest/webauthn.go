package browsertest

import (
	"context"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// Authenticator is a virtual WebAuthn authenticator in one tab (the
// DevTools WebAuthn domain): a CTAP2 platform authenticator holding
// discoverable credentials, verifying its user and answering at once.
type Authenticator struct {
	tab *Tab
	ID  webauthn.AuthenticatorID
}

// AddAuthenticator enables the tab's WebAuthn domain (without the
// browser's own dialogs) and adds a virtual authenticator to it.
func (tab *Tab) AddAuthenticator() *Authenticator {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, 30*time.Second)
	defer cancel()
	noUI := false
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{EnableUI: &noUI}); err != nil {
		tab.t.Fatalf("webauthn enable: %v", err)
	}
	res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true,
			HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
			// The protocol sends every credential field back, CMTG ones too,
			// which an authenticator without the extension refuses.
			HasCmtgKey: true,
		},
	})
	if err != nil {
		tab.t.Fatalf("add virtual authenticator: %v", err)
	}
	return &Authenticator{tab: tab, ID: res.AuthenticatorID}
}

// Credentials lists the credentials the authenticator holds, with their
// private keys and signature counters.
func (a *Authenticator) Credentials() []*webauthn.Credential {
	a.tab.t.Helper()
	ctx, cancel := context.WithTimeout(a.tab.ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: a.ID})
	if err != nil {
		a.tab.t.Fatalf("webauthn credentials: %v", err)
	}
	return res.Credentials
}

// Replace removes every credential and adds the key of c (its id, relying
// party, private key, user handle, counter and backup flags): a test can
// plant a copy of a credential, such as one with a lower signature counter.
func (a *Authenticator) Replace(c *webauthn.Credential) {
	a.tab.t.Helper()
	ctx, cancel := context.WithTimeout(a.tab.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, webauthn.ClearCredentials, webauthn.ClearCredentialsParams{AuthenticatorID: a.ID}); err != nil {
		a.tab.t.Fatalf("webauthn clear credentials: %v", err)
	}
	key := &webauthn.Credential{
		CredentialID: c.CredentialID, IsResidentCredential: c.IsResidentCredential, RpID: c.RpID,
		PrivateKey: c.PrivateKey, UserHandle: c.UserHandle, SignCount: c.SignCount,
		BackupEligibility: c.BackupEligibility, BackupState: c.BackupState,
		UserName: c.UserName, UserDisplayName: c.UserDisplayName,
	}
	if _, err := chromedp.Call(ctx, webauthn.AddCredential, webauthn.AddCredentialParams{AuthenticatorID: a.ID, Credential: key}); err != nil {
		a.tab.t.Fatalf("webauthn add credential: %v", err)
	}
}
