package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// Template names: one text/template file (blocks "subject" and "text")
// and one html/template file (block "content", set in layout.html) each.
const (
	TemplateVerifyEmail       = "verify_email"
	TemplateChangeEmail       = "change_email"
	TemplateEmailChangeNotice = "email_change_notice"
	TemplateResetPassword     = "reset_password"
	TemplatePasswordChanged   = "password_changed"
	TemplateAccountExists     = "account_exists"
	TemplatePasskeyAdded      = "passkey_added"
	TemplatePasskeyRemoved    = "passkey_removed"
	// TemplateMFAChanged tells the owner their second factors changed
	// (Data.Change says how).
	TemplateMFAChanged = "mfa_changed"
)

// Data fills a template; each template uses some of the fields.
type Data struct {
	Email    string // the account's address
	NewEmail string // the address the account is moving to
	Link     string // the one link of the message
	ValidFor string // how long Link works, in words ("1 hour")
	// PasskeyName is the name of the passkey a message is about.
	PasskeyName string
	Change      string // what changed, one sentence (mfa_changed)
}

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

type pair struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// templates are parsed once, at start-up: a broken template is a build
// defect, caught by the tests, never a failure at send time.
var templates = func() map[string]pair {
	m := map[string]pair{}
	for _, name := range []string{TemplateVerifyEmail, TemplateChangeEmail, TemplateEmailChangeNotice,
		TemplateResetPassword, TemplatePasswordChanged, TemplateAccountExists, TemplateMFAChanged,
		TemplatePasskeyAdded, TemplatePasskeyRemoved} {
		m[name] = pair{
			text: texttemplate.Must(texttemplate.New(name).Option("missingkey=error").
				ParseFS(templateFS, "templates/"+name+".txt")),
			html: htmltemplate.Must(htmltemplate.New(name).Option("missingkey=error").
				ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")),
		}
	}
	return m
}()

// htmlPage is what layout.html sees: the data and the subject.
type htmlPage struct {
	Data
	Subject string
}

// Render fills template name with d and returns the message addressed to
// to, its Kind set to name. Values are escaped for HTML in the HTML body.
func Render(name, to string, d Data) (Message, error) {
	p, ok := templates[name]
	if !ok {
		return Message{}, fmt.Errorf("render %q: no such template", name)
	}
	var subject, text, html bytes.Buffer
	if err := p.text.ExecuteTemplate(&subject, "subject", d); err != nil {
		return Message{}, fmt.Errorf("render %q subject: %w", name, err)
	}
	if err := p.text.ExecuteTemplate(&text, "text", d); err != nil {
		return Message{}, fmt.Errorf("render %q text: %w", name, err)
	}
	subj := strings.Join(strings.Fields(subject.String()), " ")
	if err := p.html.ExecuteTemplate(&html, "layout", htmlPage{Data: d, Subject: subj}); err != nil {
		return Message{}, fmt.Errorf("render %q html: %w", name, err)
	}
	return Message{
		To: to, Subject: subj, Kind: name,
		Text: strings.TrimLeft(text.String(), "\n"), HTML: html.String(),
	}, nil
}
