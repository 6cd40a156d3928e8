package interop_test

import (
	"net/http"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tessera-id/tessera/internal/auth"
)

// TestClientCredentials: x/oauth2's clientcredentials gets a confidential
// client allowed the grant an access token with sub = client id (RFC 9068
// s2.2), no refresh or ID token, that jwtverify accepts and userinfo (no
// user) refuses; a client not allowed the grant, a public client and a
// wrong secret are refused.
func TestClientCredentials(t *testing.T) {
	s := startCodeFlowSite(t)
	ctx := t.Context()
	name, typ := "Robot", "confidential"
	_, secret, err := s.ts.Auth.AdminCreateClient(ctx, auth.Actor{}, auth.ClientInput{
		ID: "robot", Name: &name, Type: &typ, GrantTypes: []string{"client_credentials"},
	})
	if err != nil {
		t.Fatal(err)
	}
	conf := clientcredentials.Config{ClientID: "robot", ClientSecret: secret, TokenURL: s.provider.Endpoint().TokenURL}
	tok, err := conf.Token(ctx)
	if err != nil {
		t.Fatalf("client_credentials: %v", err)
	}
	if tok.RefreshToken != "" || tok.Extra("id_token") != nil {
		t.Errorf("client_credentials answered a refresh or ID token: %+v", tok)
	}
	c := mustVerify(t, fromIssuer(t, s.ts), tok.AccessToken, "client_credentials token")
	if c.Subject != "robot" || c.ClientID != "robot" || c.SessionID == "" || len(c.Roles) != 0 {
		t.Errorf("claims %+v: want sub and client_id robot, a sid, no roles", c)
	}
	if _, err := s.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("userinfo accepted a token with no user")
	}

	for _, tt := range []struct {
		name string
		conf clientcredentials.Config
		code string
	}{
		{"grant not allowed", clientcredentials.Config{ClientID: "svc", ClientSecret: s.svcSecret, TokenURL: conf.TokenURL}, "unauthorized_client"},
		{"public client", clientcredentials.Config{ClientID: "spa", TokenURL: conf.TokenURL, AuthStyle: oauth2.AuthStyleInParams}, "unauthorized_client"},
		{"wrong secret", clientcredentials.Config{ClientID: "robot", ClientSecret: "tcs_wrong", TokenURL: conf.TokenURL, AuthStyle: oauth2.AuthStyleInHeader}, "invalid_client"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.conf.Token(ctx)
			wantOAuthError(t, tt.name, err, tt.code)
		})
	}
	r := s.ts.NewClient(t).Do("POST", "/oauth/token", "grant_type=client_credentials&client_id=robot&client_secret=tcs_wrong",
		"Content-Type: application/x-www-form-urlencoded")
	r.WantError(t, http.StatusBadRequest, "invalid_client")
}
