package djrestauth

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// TestUserBodyPK: an account imported from Django keeps its numeric pk;
// any other shows Tessera's id.
func TestUserBodyPK(t *testing.T) {
	id := uuid.MustParse("0190c3f5-0000-7000-8000-000000000001")
	name := "ada"
	ext := func(s string) *string { return &s }
	tests := []struct {
		name     string
		external *string
		want     string
	}{
		{"made in Tessera", nil, `"` + id.String() + `"`},
		{"imported from Django", ext("django:42"), `42`},
		{"Django pk that is no number", ext("django:abc"), `"` + id.String() + `"`},
		{"imported from elsewhere", ext("auth0:42"), `"` + id.String() + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &store.User{ID: id, Email: "ada@example.com", Username: &name, FirstName: "Ada", ExternalID: tt.external}
			b, err := json.Marshal(newUserBody(u))
			if err != nil {
				t.Fatal(err)
			}
			want := `{"pk":` + tt.want + `,"username":"ada","email":"ada@example.com","first_name":"Ada","last_name":""}`
			if string(b) != want {
				t.Errorf("got %s, want %s", b, want)
			}
		})
	}
	if b, _ := json.Marshal(newUserBody(&store.User{ID: id})); string(b) != `{"pk":"`+id.String()+`","username":"","email":"","first_name":"","last_name":""}` {
		t.Errorf("no username: %s", b)
	}
}

// TestDjangoMessage: Tessera's field messages in Django's words.
func TestDjangoMessage(t *testing.T) {
	tests := []struct{ field, msg, want string }{
		{"password1", "this field is required", "This field is required."},
		{"password1", "is too common", "This password is too common."},
		{"new_password2", "must be at least 12 characters", "This password is too short. It must contain at least 12 characters."},
		{"new_password2", "must be at most 128 characters", "This password must be at most 128 characters."},
		{"email", "is taken", "A user is already registered with this e-mail address."},
		{"email", "must contain @", "Enter a valid email address."},
		{"username", "is taken", "A user with that username already exists."},
		{"old_password", "is incorrect", "Your old password was entered incorrectly. Please enter it again."},
		{"first_name", "must be at most 150 characters", "Ensure this field has no more than 150 characters."},
		{"username", "must not contain spaces", "Must not contain spaces."},
	}
	for _, tt := range tests {
		if got := djangoMessage(tt.field, tt.msg); got != tt.want {
			t.Errorf("djangoMessage(%q, %q) = %q, want %q", tt.field, tt.msg, got, tt.want)
		}
	}
}
