package mail_test

import (
	"context"
	"testing"

	"github.com/tessera-id/tessera/internal/mail"
)

// TestOutboxLastOf: the newest mail of a kind is found whatever was
// delivered after it, the address is compared without case, and a kind
// never sent is reported missing.
func TestOutboxLastOf(t *testing.T) {
	out := mail.NewOutbox()
	ctx := context.Background()
	for _, m := range []mail.Message{
		{To: "ada@example.com", Kind: mail.TemplateResetPassword, Text: "first reset"},
		{To: "ada@example.com", Kind: mail.TemplateResetPassword, Text: "second reset"},
		{To: "bob@example.com", Kind: mail.TemplateVerifyEmail, Text: "bob's verification"},
		{To: "Ada@Example.com", Kind: mail.TemplateVerifyEmail, Text: "ada's verification"},
	} {
		if err := out.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if m, ok := out.LastOf("ADA@example.com", mail.TemplateResetPassword); !ok || m.Text != "second reset" {
		t.Errorf("reset mail: %+v, %v; want the second reset", m, ok)
	}
	if m, ok := out.LastOf("ada@example.com", mail.TemplateVerifyEmail); !ok || m.Text != "ada's verification" {
		t.Errorf("verification mail: %+v, %v; want ada's", m, ok)
	}
	if m, ok := out.LastOf("ada@example.com", mail.TemplatePasskeyAdded); ok {
		t.Errorf("a kind never sent: %+v", m)
	}
	if m, ok := out.LastOf("carl@example.com", mail.TemplateVerifyEmail); ok {
		t.Errorf("an address never written to: %+v", m)
	}
}
