package sdk

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"strings"
)

//go:embed tessera.js tessera.d.ts
var sources embed.FS

// versionMark is replaced by the server's version in every file.
const versionMark = "__TESSERA_VERSION__"

// File is one file of the client, ready to serve.
type File struct {
	Name        string // "tessera.js"
	ContentType string
	Body        []byte
	ETag        string // a strong validator: base64url SHA-256 of Body
}

var contentTypes = map[string]string{
	"tessera.js":   "text/javascript; charset=utf-8",
	"tessera.d.ts": "text/plain; charset=utf-8", // no registered type for TypeScript
}

// Files returns the client's files stamped with version ("dev" when
// empty). Characters that could end the version's string literal are
// dropped, so any build label is safe.
func Files(version string) ([]File, error) {
	version = strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' || r == '`' || r > 0x7e {
			return -1
		}
		return r
	}, version)
	if version == "" {
		version = "dev"
	}
	var out []File
	for _, name := range []string{"tessera.js", "tessera.d.ts"} {
		src, err := sources.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("sdk %s: %w", name, err)
		}
		body := bytes.ReplaceAll(src, []byte(versionMark), []byte(version))
		sum := sha256.Sum256(body)
		out = append(out, File{
			Name: name, ContentType: contentTypes[name], Body: body,
			ETag: `"` + base64.RawURLEncoding.EncodeToString(sum[:]) + `"`,
		})
	}
	return out, nil
}
