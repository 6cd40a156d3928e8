package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/keys"
)

// A keys dir that lost its refresh secret still holds a signing key:
// `keys rotate` makes the secret (as documented) and must still add the
// key it was asked for, not report success with no new key.
func TestKeysRotateWithoutSecretStillRotates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	t.Setenv("TESSERA_KEYS_DIR", dir)
	if _, err := keys.Generate(dir, "ES256", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustOperate(t, "", "keys", "rotate")
	if _, err := os.Stat(filepath.Join(dir, keys.SecretFile)); err != nil {
		t.Fatalf("rotate did not make the refresh secret: %v", err)
	}
	var list []keys.KeyInfo
	if err := json.Unmarshal([]byte(mustOperate(t, "", "keys", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[1].State != keys.StateNext {
		t.Fatalf("keys rotate added no key: %+v", list)
	}
}
