package identifier

// NormalizeEmail trims, NFKC-normalises and case-folds an e-mail address and
// checks its shape. It returns a human reason when the address is refused.
func NormalizeEmail(s string) (string, error) { panic("unimplemented") }

// NormalizeUsername does the same for usernames.
func NormalizeUsername(s string) (string, error) { panic("unimplemented") }
