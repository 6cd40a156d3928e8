package view_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/view"
)

// TestViewsJSON pins the JSON the admin API and the operator commands
// share: lists and details are never null, an empty page has a null
// cursor, and a session's secrets never appear.
func TestViewsJSON(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	conf := store.Client{ID: "backend", Type: store.ClientConfidential, SecretHash: []byte("hash-must-not-show"), SecretCreatedAt: &at}
	sess := store.Session{ID: uuid.New(), UserID: uuid.New(), ClientID: "web", Kind: store.SessionKindJWT,
		Nonce: []byte("nonce-must-not-show"), SecretHash: []byte("hash-must-not-show"), CreatedAt: at}
	tests := []struct {
		name    string
		v       any
		want    []string
		wantNot []string
	}{
		{"empty page", view.NewAdminList("users", auth.Page[store.User]{}, view.NewAdminUser),
			[]string{`"users":[]`, `"next_cursor":null`}, nil},
		{"next page", view.NewAdminList("clients", auth.Page[store.Client]{Items: []store.Client{{ID: "web"}}, NextCursor: "abc"}, view.NewAdminClient),
			[]string{`"next_cursor":"abc"`, `"allowed_delivery":[]`, `"cors_origins":[]`, `"audiences":[]`}, nil},
		{"confidential client", view.NewAdminClient(&conf),
			[]string{`"type":"confidential"`, `"redirect_uris":[]`, `"post_logout_redirect_uris":[]`, `"grant_types":[]`, `"secret_created_at":"2030`},
			[]string{"hash", "client_secret"}},
		{"confidential client with its new secret", view.NewAdminClientWithSecret(&conf, "tcs_new"),
			[]string{`"client_secret":"tcs_new"`}, []string{"hash-must-not-show"}},
		{"admin session", view.NewAdminSession(&sess),
			[]string{`"id":"` + sess.ID.String(), `"user_id":"` + sess.UserID.String(), `"revoked_at":null`},
			[]string{"nonce", "hash", "secret"}},
		{"audit event", view.NewAdminAuditEvent(&store.AuditEvent{ID: 7, Event: "login"}),
			[]string{`"details":{}`, `"actor_id":null`, `"session_id":null`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(raw), w) {
					t.Errorf("%s lacks %s", raw, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(string(raw), w) {
					t.Errorf("%s shows %s", raw, w)
				}
			}
		})
	}
}
