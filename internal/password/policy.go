package password

import (
	_ "embed" // for the common-password list
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Length bounds of SECURITY.md: 12 by default and never below 8; at least
// 64 always accepted and never more than 128.
const (
	defaultMinLength = 12
	floorMinLength   = 8
	defaultMaxLength = 128
	floorMaxLength   = 64
)

// Policy is the password policy of SECURITY.md: a length window counted in
// Unicode code points, and no password from the common-password list.
// There are no composition rules, and the password is never truncated,
// trimmed or case-folded. The zero Policy is the default policy.
type Policy struct {
	MinLength int // default 12, never below 8
	MaxLength int // 128
}

// Bounds returns the length window Check enforces, in code points:
// MinLength 0 means 12 and below 8 means 8; MaxLength 0 or above 128 means
// 128 and below 64 means 64; a MinLength above the maximum is lowered to it.
func (p Policy) Bounds() (minLen, maxLen int) {
	minLen, maxLen = p.MinLength, p.MaxLength
	switch {
	case minLen == 0:
		minLen = defaultMinLength
	case minLen < floorMinLength:
		minLen = floorMinLength
	}
	switch {
	case maxLen == 0 || maxLen > defaultMaxLength:
		maxLen = defaultMaxLength
	case maxLen < floorMaxLength:
		maxLen = floorMaxLength
	}
	return min(minLen, maxLen), maxLen
}

// Check returns the policy's objections to password (human sentences), or
// nil when it is acceptable. It refuses invalid UTF-8, a NUL character, a
// password that is empty or only white space, one outside Bounds (counted
// with utf8.RuneCountInString, so 12 emoji are 12 characters), and one for
// which IsCommon holds.
func (p Policy) Check(password string) []string {
	if !utf8.ValidString(password) {
		return []string{"must be valid UTF-8 text"}
	}
	if strings.TrimFunc(password, unicode.IsSpace) == "" {
		return []string{"must not be empty or only spaces"}
	}
	var objections []string
	if strings.IndexByte(password, 0) >= 0 {
		objections = append(objections, "must not contain a NUL character")
	}
	minLen, maxLen := p.Bounds()
	switch n := utf8.RuneCountInString(password); {
	case n < minLen:
		objections = append(objections, fmt.Sprintf("must be at least %d characters", minLen))
	case n > maxLen:
		objections = append(objections, fmt.Sprintf("must be at most %d characters", maxLen))
	}
	if IsCommon(password) {
		objections = append(objections, "is too common")
	}
	return objections
}

// commonList is shared/data/common-passwords.txt (attribution in README.md
// beside it): 20,000 frequent passwords, one per line.
//
//go:embed common-passwords.txt
var commonList string

var (
	commonOnce sync.Once
	commonSet  map[string]struct{}
)

// IsCommon reports whether pw is on the embedded common-password list,
// ignoring case (strings.ToLower on both sides). The list is loaded into a
// map on first use.
func IsCommon(pw string) bool {
	commonOnce.Do(loadCommon)
	_, ok := commonSet[strings.ToLower(pw)]
	return ok
}

func loadCommon() {
	set := make(map[string]struct{}, strings.Count(commonList, "\n")+1)
	for line := range strings.Lines(commonList) {
		line = strings.TrimRight(line, "\r\n")
		if line != "" {
			set[strings.ToLower(line)] = struct{}{}
		}
	}
	commonSet = set
}
