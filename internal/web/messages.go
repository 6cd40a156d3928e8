package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
)

// catalog maps message keys to the text of one language. Pages say
// everything through it (the template function t), so a second language
// is a second file in messages/, not a rewrite.
type catalog map[string]string

// loadCatalog reads messages/<lang>.json.
func loadCatalog(files fs.FS, lang string) (catalog, error) {
	raw, err := fs.ReadFile(files, "messages/"+lang+".json")
	if err != nil {
		return nil, fmt.Errorf("messages %s: %w", lang, err)
	}
	var c catalog
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("messages %s: %w", lang, err)
	}
	return c, nil
}

// t returns the text of key with args put in its %s verbs. An unknown key
// is an error, which stops the template: the page is answered with the
// error page and the key is logged, rather than shown to the user.
func (c catalog) t(key string, args ...any) (string, error) {
	msg, ok := c[key]
	if !ok {
		return "", fmt.Errorf("no message %q", key)
	}
	if len(args) == 0 {
		return msg, nil
	}
	return fmt.Sprintf(msg, args...), nil
}

// text is t for Go code, which uses keys it knows exist (a test checks
// every key the code and the templates use).
func (c catalog) text(key string, args ...any) string {
	s, err := c.t(key, args...)
	if err != nil {
		return key
	}
	return s
}
