package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
)

// djangoObject is one element of a dumpdata array; Fields is decoded by
// model, later, so that only the object at hand is ever in memory.
type djangoObject struct {
	Model  string          `json:"model"`
	PK     json.RawMessage `json:"pk"`
	Fields json.RawMessage `json:"fields"`
}

type djangoUser struct {
	Password    string            `json:"password"`
	LastLogin   *string           `json:"last_login"`
	IsSuperuser bool              `json:"is_superuser"`
	Username    string            `json:"username"`
	FirstName   string            `json:"first_name"`
	LastName    string            `json:"last_name"`
	Email       string            `json:"email"`
	IsStaff     bool              `json:"is_staff"`
	IsActive    bool              `json:"is_active"`
	DateJoined  *string           `json:"date_joined"`
	Groups      []json.RawMessage `json:"groups"`
}

type djangoToken struct {
	User    json.RawMessage `json:"user"`
	Created *string         `json:"created"`
}

type djangoAddress struct {
	User     json.RawMessage `json:"user"`
	Email    string          `json:"email"`
	Verified bool            `json:"verified"`
}

// The models an import reads; others in the dump are passed over.
const (
	modelUser    = "auth.user"
	modelGroup   = "auth.group"
	modelToken   = "authtoken.token"
	modelAddress = "account.emailaddress"
)

// Django imports the dumpdata JSON file at path through sink.
//
// Objects may come in any model order, so the file is read three times,
// each pass streamed one object at a time: first the groups (id to name,
// the one map kept: a site has few groups), then the users, then token
// keys and e-mail addresses, joined to their users through the database
// (by external id "django:<pk>", or by username when the dump used natural
// keys). Keeping nothing per imported user (only the skipped ones' names)
// is what lets a million accounts import in constant memory; the price is
// reading the file three times. In a dry run nothing is written, so the
// third pass cannot find a user the second would have created: such tokens
// and addresses are counted as created, unless their user was skipped.
func Django(ctx context.Context, path string, sink Sink, opts Options) (*Report, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("django import: %w", err)
	}
	d := &djangoImport{sink: sink, opts: opts, report: newReport(opts.DryRun),
		groups: map[string]string{}, skippedUsers: map[string]bool{}, total: 3 * fi.Size()}
	for pass, fn := range []func(context.Context, *djangoObject) error{d.group, d.user, d.link} {
		if err := d.pass(ctx, path, int64(pass)*fi.Size(), fn); err != nil {
			return d.report, err
		}
	}
	return d.report, nil
}

type djangoImport struct {
	sink   Sink
	opts   Options
	report *Report
	groups map[string]string // group pk -> name
	// skippedUsers are the users skipped so far, by ImportRef.String() of
	// both their pk and their username, so that their tokens and addresses
	// are skipped too: a dry run would count them as importable, and a
	// natural key (["bob"]) would otherwise find another account whose
	// username is the same under Tessera's normalisation ("Bob").
	skippedUsers map[string]bool
	total        int64
}

// pass streams the array in path, calling fn on each object.
func (d *djangoImport) pass(ctx context.Context, path string, base int64, fn func(context.Context, *djangoObject) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("django import: %w", err)
	}
	defer f.Close()
	cr := &countingReader{r: f, base: base, total: d.total, progress: d.opts.Progress}
	dec := json.NewDecoder(bufio.NewReaderSize(cr, 64<<10))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("django import: %s is not a dumpdata JSON array (dumpdata --format json)", path)
	}
	for dec.More() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var obj djangoObject
		if err := dec.Decode(&obj); err != nil {
			return fmt.Errorf("django import: %s at byte %d: %w", path, dec.InputOffset(), err)
		}
		if err := fn(ctx, &obj); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("django import: %s: %w", path, err)
	}
	return nil
}

// group remembers a group's name by its pk.
func (d *djangoImport) group(_ context.Context, obj *djangoObject) error {
	if obj.Model != modelGroup {
		return nil
	}
	var f struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(obj.Fields, &f); err != nil || len(obj.PK) == 0 {
		return nil // a group without a name or pk is never referred to by id
	}
	d.groups[pkString(obj.PK)] = f.Name
	return nil
}

// user imports one auth.user.
func (d *djangoImport) user(ctx context.Context, obj *djangoObject) error {
	if obj.Model != modelUser {
		return nil
	}
	var f djangoUser
	if err := json.Unmarshal(obj.Fields, &f); err != nil {
		d.skipUser(obj.PK, f.Username, "unreadable fields: "+err.Error())
		return nil
	}
	if !hasPK(obj.PK) {
		d.skipUser(nil, f.Username, "no primary key (dump without --natural-primary)")
		return nil
	}
	ref := store.DjangoIDPrefix + pkString(obj.PK)
	in := auth.ImportedUser{
		ExternalID: ref, Email: f.Email, Username: f.Username, FirstName: f.FirstName, LastName: f.LastName,
		PasswordHash: f.Password, IsActive: f.IsActive, IsAdmin: d.opts.isAdmin(f.IsStaff, f.IsSuperuser),
		Groups: d.groupNames(f.Groups),
	}
	var err error
	if in.LastLoginAt, err = djangoTime(f.LastLogin); err == nil && f.DateJoined != nil {
		var joined *time.Time
		if joined, err = djangoTime(f.DateJoined); joined != nil {
			in.CreatedAt = *joined
		}
	}
	if err != nil {
		d.skipUser(obj.PK, f.Username, err.Error())
		return nil
	}
	res, err := d.sink.ImportUser(ctx, in, d.opts.ImportOptions)
	if err != nil {
		return err
	}
	if res.Outcome == auth.ImportSkipped {
		d.skipped(obj.PK, f.Username)
	}
	d.report.add(&d.report.Users, "user", ref, res)
	return nil
}

// skipUser reports a user the reader itself could not use.
func (d *djangoImport) skipUser(pk json.RawMessage, username, reason string) {
	ref := "username " + username
	if hasPK(pk) {
		ref = store.DjangoIDPrefix + pkString(pk)
	}
	d.skipped(pk, username)
	d.report.skip(&d.report.Users, "user", ref, reason)
}

// skipped remembers a skipped user under both names a token or an
// address may give it.
func (d *djangoImport) skipped(pk json.RawMessage, username string) {
	if hasPK(pk) {
		d.skippedUsers[auth.ImportRef{ExternalID: store.DjangoIDPrefix + pkString(pk)}.String()] = true
	}
	d.skippedUsers[auth.ImportRef{Username: username}.String()] = true
}

func hasPK(pk json.RawMessage) bool { return len(pk) != 0 && string(pk) != "null" }

// groupNames resolves a user's groups: ids through the first pass's map,
// natural keys (["name"]) as they are. An id of no group is dropped.
func (d *djangoImport) groupNames(refs []json.RawMessage) []string {
	var names []string
	for _, g := range refs {
		var natural []string
		if json.Unmarshal(g, &natural) == nil && len(natural) == 1 {
			names = append(names, natural[0])
		} else if name, ok := d.groups[pkString(g)]; ok {
			names = append(names, name)
		}
	}
	return names
}

// link imports token keys and e-mail addresses.
func (d *djangoImport) link(ctx context.Context, obj *djangoObject) error {
	var (
		res  auth.ImportResult
		err  error
		ref  auth.ImportRef
		c    *Counts
		kind string
	)
	switch obj.Model {
	case modelToken:
		var f djangoToken
		c, kind = &d.report.Tokens, "token"
		if err := json.Unmarshal(obj.Fields, &f); err != nil {
			d.report.skip(c, kind, "token", "unreadable fields: "+err.Error())
			return nil
		}
		ref = userRef(f.User)
		var key string
		_ = json.Unmarshal(obj.PK, &key)
		created, terr := djangoTime(f.Created)
		if terr != nil || created == nil {
			created = &time.Time{}
		}
		if d.skippedUsers[ref.String()] {
			res = auth.ImportResult{Outcome: auth.ImportSkipped, Reason: "token of " + ref.String() + ", a user skipped"}
		} else {
			res, err = d.sink.ImportClassicToken(ctx, ref, key, *created, d.opts.ImportOptions)
		}
	case modelAddress:
		var f djangoAddress
		c, kind = &d.report.Addresses, "email"
		if err := json.Unmarshal(obj.Fields, &f); err != nil {
			d.report.skip(c, kind, "address", "unreadable fields: "+err.Error())
			return nil
		}
		ref = userRef(f.User)
		if d.skippedUsers[ref.String()] {
			res = auth.ImportResult{Outcome: auth.ImportSkipped, Reason: "address of " + ref.String() + ", a user skipped"}
		} else {
			res, err = d.sink.ImportEmailAddress(ctx, ref, f.Email, f.Verified, d.opts.ImportOptions)
		}
	default:
		return nil
	}
	if err != nil {
		return err
	}
	if d.opts.DryRun && res.Outcome == auth.ImportSkipped && strings.Contains(res.Reason, "an account not imported") {
		// The user is in this dump but a dry run did not write it.
		res = auth.ImportResult{Outcome: auth.ImportCreated}
	}
	d.report.add(c, kind, ref.String(), res)
	return nil
}

// userRef reads a foreign key to a user: a pk, or a natural key
// (["username"]).
func userRef(raw json.RawMessage) auth.ImportRef {
	var natural []string
	if json.Unmarshal(raw, &natural) == nil && len(natural) == 1 {
		return auth.ImportRef{Username: natural[0]}
	}
	return auth.ImportRef{ExternalID: store.DjangoIDPrefix + pkString(raw)}
}

// pkString spells a pk as text: a number as written, a string unquoted.
func pkString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

// djangoTime parses a datetime as Django's serializer writes it: ISO 8601
// with "Z" or an offset, or naive (USE_TZ = False), taken as UTC.
func djangoTime(s *string) (*time.Time, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, *s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, fmt.Errorf("unreadable date %q", *s)
}
