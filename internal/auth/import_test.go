package auth_test

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/password"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// djangoVector is one hash real Django wrote (internal/password/testdata).
type djangoVector struct {
	Hasher, Password, Encoded string
}

func djangoVectors(t testing.TB) []djangoVector {
	t.Helper()
	f, err := os.Open("../password/testdata/django_vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []djangoVector
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v djangoVector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		if v.Password == testPassword {
			out = append(out, v)
		}
	}
	return out
}

func importUser(t testing.TB, r *rig, in auth.ImportedUser, opts auth.ImportOptions) auth.ImportResult {
	t.Helper()
	res, err := r.svc.ImportUser(t.Context(), in, opts)
	if err != nil {
		t.Fatalf("ImportUser(%s): %v", in.ExternalID, err)
	}
	return res
}

func django(pk, email, hash string) auth.ImportedUser {
	last := time.Date(2024, 3, 1, 12, 0, 0, 123456789, time.UTC)
	return auth.ImportedUser{ExternalID: "django:" + pk, Email: email, Username: "user" + pk,
		FirstName: "Ada", LastName: "Lovelace", PasswordHash: hash, IsActive: true,
		Groups: []string{"editors", "admin", "editors"}, CreatedAt: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC),
		LastLoginAt: &last}
}

// TestImportUser: the mapping, idempotency and every skip and must-reset
// rule, on each database.
func TestImportUser(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		ctx := t.Context()
		pbkdf2 := "pbkdf2_sha256$1000$salt$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g="
		in := django("1", "Ada@Example.com", pbkdf2)
		if res := importUser(t, r, in, auth.ImportOptions{}); res.Outcome != auth.ImportCreated || res.MustReset != "" {
			t.Fatalf("first import = %+v", res)
		}
		u, err := db.GetUserByExternalID(ctx, "django:1")
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "Ada@Example.com" || u.EmailNormalized != "ada@example.com" || *u.Username != "user1" ||
			u.FirstName != "Ada" || u.LastName != "Lovelace" || u.PasswordHash != pbkdf2 || !u.IsActive ||
			u.IsAdmin || strings.Join(u.Groups, ",") != "editors" || !u.CreatedAt.Equal(in.CreatedAt) ||
			!u.LastLoginAt.Equal(in.LastLoginAt.Truncate(time.Microsecond)) || u.EmailVerifiedAt != nil {
			t.Fatalf("imported user = %+v", u)
		}
		if res := importUser(t, r, in, auth.ImportOptions{}); res.Outcome != auth.ImportUnchanged {
			t.Fatalf("second import of the same row = %+v, want unchanged", res)
		}
		in.IsAdmin, in.EmailVerified, in.LastName = true, true, "Byron"
		if res := importUser(t, r, in, auth.ImportOptions{DryRun: true}); res.Outcome != auth.ImportUpdated {
			t.Fatalf("dry run of a change = %+v", res)
		}
		if got, _ := db.GetUser(ctx, u.ID); got.LastName != "Lovelace" {
			t.Fatalf("a dry run wrote: %+v", got)
		}
		if res := importUser(t, r, in, auth.ImportOptions{}); res.Outcome != auth.ImportUpdated {
			t.Fatalf("changed row = %+v, want updated", res)
		}
		got, _ := db.GetUser(ctx, u.ID)
		if got.ID != u.ID || !got.IsAdmin || got.LastName != "Byron" || got.EmailVerifiedAt == nil {
			t.Fatalf("updated user = %+v", got)
		}

		tests := []struct {
			name      string
			in        auth.ImportedUser
			opts      auth.ImportOptions
			outcome   string
			reason    string
			mustReset string
		}{
			{"e-mail collides", django("2", "ADA@example.com", pbkdf2), auth.ImportOptions{}, auth.ImportSkipped,
				"email collides with django:1", ""},
			{"e-mail collides, dry run", django("2", "ADA@example.com", pbkdf2), auth.ImportOptions{DryRun: true},
				auth.ImportSkipped, "email collides with django:1", ""},
			{"username collides", func() auth.ImportedUser {
				u := django("3", "c@example.com", pbkdf2)
				u.Username = "USER1"
				return u
			}(), auth.ImportOptions{}, auth.ImportSkipped, "username collides with django:1", ""},
			{"no e-mail", django("4", " ", pbkdf2), auth.ImportOptions{}, auth.ImportSkipped, "no e-mail address", ""},
			{"invalid e-mail", django("5", "not-an-address", pbkdf2), auth.ImportOptions{}, auth.ImportSkipped, "invalid e-mail", ""},
			{"no external id", func() auth.ImportedUser {
				u := django("11", "x@example.com", pbkdf2)
				u.ExternalID = ""
				return u
			}(), auth.ImportOptions{}, auth.ImportSkipped, "no external id", ""},
			{"unusable password", django("6", "f@example.com", "!Xyz"), auth.ImportOptions{}, auth.ImportCreated,
				"", "unusable password"},
			{"legacy refused", django("7", "g@example.com", "md5$salt$0123456789abcdef0123456789abcdef"),
				auth.ImportOptions{}, auth.ImportCreated, "", "legacy md5 hash refused"},
			{"legacy allowed", django("8", "h@example.com", "sha1$salt$0123456789abcdef0123456789abcdef01234567"),
				auth.ImportOptions{AllowLegacyHashes: true}, auth.ImportCreated, "", ""},
			{"unknown hash", django("9", "i@example.com", "plaintext"), auth.ImportOptions{}, auth.ImportCreated,
				"", "unknown hash not supported"},
			{"no hash", django("10", "j@example.com", ""), auth.ImportOptions{}, auth.ImportCreated, "", "no password"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := importUser(t, r, tt.in, tt.opts)
				if res.Outcome != tt.outcome || !strings.Contains(res.Reason, tt.reason) ||
					!strings.Contains(res.MustReset, tt.mustReset) || (tt.mustReset == "") != (res.MustReset == "") {
					t.Fatalf("ImportUser = %+v, want %s %q %q", res, tt.outcome, tt.reason, tt.mustReset)
				}
				_, err := db.GetUserByExternalID(ctx, tt.in.ExternalID)
				if written := err == nil; written != (tt.outcome == auth.ImportCreated && !tt.opts.DryRun) {
					t.Fatalf("written = %v (%v)", written, err)
				}
			})
		}
		legacy, _ := db.GetUserByExternalID(ctx, "django:7")
		if legacy.PasswordHash != "!" {
			t.Fatalf("a refused legacy hash was stored: %q", legacy.PasswordHash)
		}
	})
}

// TestImportDeactivates: a re-import of an account the source deactivated
// ends its sessions.
func TestImportDeactivates(t *testing.T) {
	r := startRig(t, sqltest.NewSQLite(t))
	in := django("1", "ada@example.com", djangoVectors(t)[0].Encoded)
	importUser(t, r, in, auth.ImportOptions{})
	l, err := r.svc.Login(t.Context(), auth.LoginInput{Email: in.Email, Password: testPassword,
		Delivery: auth.DeliveryBody, Device: laptop})
	if err != nil {
		t.Fatal(err)
	}
	in.IsActive = false
	if res := importUser(t, r, in, auth.ImportOptions{}); res.Outcome != auth.ImportUpdated {
		t.Fatalf("deactivating import = %+v", res)
	}
	if s := r.session(t, l.Session.ID); s.RevokedAt == nil || s.RevokedReason != "import_disabled" {
		t.Fatalf("session after deactivation = %+v", s)
	}
}

// TestLoginRehashesForeignHash: a user imported with each hash Django
// writes signs in with the password, is refused with a wrong one, and after
// the first login holds an argon2id hash (audited with the old scheme) that
// keeps working; a re-import then keeps the new hash.
func TestLoginRehashesForeignHash(t *testing.T) {
	r := startRig(t, sqltest.NewSQLite(t))
	ctx := t.Context()
	for i, v := range djangoVectors(t) {
		if v.Hasher == "crypt" {
			continue
		}
		t.Run(v.Hasher, func(t *testing.T) {
			email := v.Hasher + "@example.com"
			in := django(v.Hasher, email, v.Encoded)
			in.Username = ""
			importUser(t, r, in, auth.ImportOptions{AllowLegacyHashes: true})
			login := func(pw string) error {
				_, err := r.svc.Login(ctx, auth.LoginInput{Email: email, Password: pw,
					Delivery: auth.DeliveryBody, Device: laptop})
				return err
			}
			wantCode(t, login(testPassword+"!"), auth.CodeInvalidCredentials)
			if err := login(testPassword); err != nil {
				t.Fatalf("login with the imported hash: %v", err)
			}
			u, _ := r.db.GetUserByExternalID(ctx, in.ExternalID)
			if password.IsForeign(u.PasswordHash) {
				t.Fatalf("hash not replaced: %q", u.PasswordHash)
			}
			events := r.events(t, "password_rehashed")
			if len(events) != i+1 || *events[0].UserID != u.ID {
				t.Fatalf("password_rehashed events = %+v", events)
			}
			want, _ := password.Scheme(v.Encoded, true)
			if events[0].Details["from"] != want {
				t.Fatalf("rehash audited from %q, want %q", events[0].Details["from"], want)
			}
			if err := login(testPassword); err != nil {
				t.Fatalf("login after the rehash: %v", err)
			}
			wantCode(t, login("wrong password here"), auth.CodeInvalidCredentials)
			importUser(t, r, in, auth.ImportOptions{AllowLegacyHashes: true})
			if again, _ := r.db.GetUser(ctx, u.ID); again.PasswordHash != u.PasswordHash {
				t.Fatal("a re-import put the foreign hash back")
			}
		})
	}
}

// TestLoginUnusableImportedHash: an account imported without a usable
// password is refused like a wrong password, for any password.
func TestLoginUnusableImportedHash(t *testing.T) {
	r := startRig(t, sqltest.NewSQLite(t))
	for _, h := range []string{"!abc", "md5$salt$0123456789abcdef0123456789abcdef", "crypt$$ab1234"} {
		email := "u" + string(rune('a'+len(h)%26)) + "@example.com"
		importUser(t, r, django(email, email, h), auth.ImportOptions{})
		for _, pw := range []string{testPassword, "", "!abc"} {
			_, err := r.svc.Login(t.Context(), auth.LoginInput{Email: email, Password: pw + "x",
				Delivery: auth.DeliveryBody, Device: laptop})
			wantCode(t, err, auth.CodeInvalidCredentials)
		}
	}
}

// TestImportedClassicToken: a DRF key keeps authenticating, is refused in
// any other spelling, is replaced by a tsk_ key when shown or rotated, and
// a re-import neither duplicates it nor brings it back over Tessera's key.
func TestImportedClassicToken(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		ctx := t.Context()
		importUser(t, r, django("1", "ada@example.com", djangoVectors(t)[0].Encoded), auth.ImportOptions{})
		key := "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
		ref := auth.ImportRef{ExternalID: "django:1"}
		created := time.Date(2022, 5, 6, 7, 8, 9, 0, time.UTC)
		tests := []struct {
			name, key string
			ref       auth.ImportRef
			outcome   string
		}{
			{"uppercase refused", strings.ToUpper(key), ref, auth.ImportSkipped},
			{"short refused", key[:39], ref, auth.ImportSkipped},
			{"unknown user", key, auth.ImportRef{ExternalID: "django:99"}, auth.ImportSkipped},
			{"dry run", key, ref, auth.ImportCreated},
			{"first", key, ref, auth.ImportCreated},
			{"again", key, ref, auth.ImportUnchanged},
			{"by username", key, auth.ImportRef{Username: "USER1"}, auth.ImportUnchanged},
		}
		for _, tt := range tests {
			res, err := r.svc.ImportClassicToken(ctx, tt.ref, tt.key, created, auth.ImportOptions{DryRun: tt.name == "dry run"})
			if err != nil || res.Outcome != tt.outcome {
				t.Fatalf("%s: ImportClassicToken = %+v, %v; want %s", tt.name, res, err, tt.outcome)
			}
		}
		p, err := r.svc.AuthenticateClassicToken(ctx, key)
		if err != nil || p.User.Email != "ada@example.com" {
			t.Fatalf("AuthenticateClassicToken(DRF key) = %v, %v", p, err)
		}
		stored, _ := db.GetAuthToken(ctx, p.User.ID)
		if len(stored.Nonce) != 0 || stored.Prefix != key[:4] || !stored.CreatedAt.Equal(created) ||
			strings.Contains(string(stored.KeyHash), key) {
			t.Fatalf("stored token = %+v", stored)
		}
		for _, bad := range []string{strings.ToUpper(key), key + "0", key[:39], " " + key[1:], "tsk_" + key,
			"Token " + key, strings.Repeat("0", 40), "", strings.Repeat("g", 40)} {
			if _, err := r.svc.AuthenticateClassicToken(ctx, bad); err == nil {
				t.Fatalf("AuthenticateClassicToken(%q) accepted", bad)
			}
		}
		// Shown again, the key must be one Tessera can show: a new tsk_ key.
		ct, err := r.svc.ObtainClassicToken(ctx, p.User, laptop)
		if err != nil || !strings.HasPrefix(ct.Key, auth.ClassicTokenPrefix) {
			t.Fatalf("ObtainClassicToken = %+v, %v", ct, err)
		}
		if _, err := r.svc.AuthenticateClassicToken(ctx, key); err == nil {
			t.Fatal("the replaced DRF key still works")
		}
		if _, err := r.svc.AuthenticateClassicToken(ctx, ct.Key); err != nil {
			t.Fatalf("the new key: %v", err)
		}
		res, err := r.svc.ImportClassicToken(ctx, ref, key, created, auth.ImportOptions{})
		if err != nil || res.Outcome != auth.ImportSkipped {
			t.Fatalf("re-import over a Tessera key = %+v, %v", res, err)
		}
		if _, err := r.svc.AuthenticateClassicToken(ctx, ct.Key); err != nil {
			t.Fatalf("re-import replaced Tessera's key: %v", err)
		}
	})
}

// TestPasswordHashStats counts every scheme once.
func TestPasswordHashStats(t *testing.T) {
	r := startRig(t, sqltest.NewSQLite(t))
	r.register(t, "native@example.com", "")
	opts := auth.ImportOptions{AllowLegacyHashes: true}
	for _, v := range djangoVectors(t) {
		if v.Hasher == "crypt" || v.Hasher == "argon2id" {
			continue
		}
		importUser(t, r, django(v.Hasher, v.Hasher+"@example.com", v.Encoded), opts)
	}
	importUser(t, r, django("x", "x@example.com", "!"), opts)
	st, err := r.svc.PasswordHashStats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{password.SchemeCurrent: 1, "pbkdf2_sha256": 1, "pbkdf2_sha1": 1, "argon2": 1,
		"bcrypt_sha256": 1, "bcrypt": 1, "scrypt": 1, "md5": 1, "sha1": 1, "unsalted_md5": 1,
		"unsalted_sha1": 1, password.SchemeUnusable: 1}
	for k, n := range want {
		if st.Schemes[k] != n {
			t.Errorf("Schemes[%s] = %d, want %d (all: %v)", k, st.Schemes[k], n, st.Schemes)
		}
	}
	if st.Total != 12 || st.Foreign != 10 || st.Legacy != 4 {
		t.Fatalf("stats = %+v", st)
	}
}
