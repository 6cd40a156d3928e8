package keys

import (
	"fmt"
	"os"
)

// Prune deletes the files of retired keys (no token they signed can still
// be valid) and reloads. Keys in any other state are never touched, so a
// prune cannot break verification; it is safe to run at any time.
func (r *Ring) Prune() ([]KeyInfo, error) {
	var removed []KeyInfo
	for _, k := range r.Keys() {
		if k.State != StateRetired {
			continue
		}
		if err := os.Remove(k.File); err != nil && !os.IsNotExist(err) {
			return removed, fmt.Errorf("prune %s: %w", k.File, err)
		}
		removed = append(removed, k)
	}
	if len(removed) > 0 {
		syncDir(r.dir)
	}
	return removed, r.Reload()
}
