package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// contractFile is the API contract, relative to this package.
const contractFile = "../../openapi.yaml"

const contractPassword = "correct horse battery staple"

// contractSchemaOptions make the validator check format: uuid, which
// kin-openapi leaves unchecked by default (Tessera's ids are UUIDv7).
var contractSchemaOptions = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
}

// The browser client is served as text/javascript, which kin-openapi does
// not decode by itself: it is checked as the plain string the spec says.
func init() { openapi3filter.RegisterBodyDecoder("text/javascript", openapi3filter.PlainBodyDecoder) }

// loadContract loads openapi.yaml and fails unless it is a valid OpenAPI
// 3.1 document (examples included: kin-openapi checks them against their
// schemas).
func loadContract(tb testing.TB) *openapi3.T {
	tb.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(contractFile)
	if err != nil {
		tb.Fatalf("load %s: %v", contractFile, err)
	}
	if err := doc.Validate(tb.Context(), openapi3.EnableMultiError()); err != nil {
		tb.Fatalf("%s is not a valid OpenAPI document: %v", contractFile, err)
	}
	if !doc.IsOpenAPI31OrLater() {
		tb.Fatalf("%s is OpenAPI %s, want 3.1", contractFile, doc.OpenAPI)
	}
	return doc
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	loadContract(t)
}

// ginParam matches a Gin path parameter (:id, *rest).
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// TestOpenAPIRoutesMatchRouter: the router serves exactly the operations
// openapi.yaml documents, with every optional mount on (the dj-rest-auth
// routes in jwt mode, which has them all).
func TestOpenAPIRoutesMatchRouter(t *testing.T) {
	doc := loadContract(t)
	ts := servertest.Start(t, sqltest.NewSQLite(t), compatOn("jwt"))
	served := map[string]bool{}
	for _, r := range ts.API.Routes() {
		if r.Method == http.MethodHead || r.Method == http.MethodOptions {
			continue
		}
		served[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	if missing, extra := contractMissing(served, documented), contractMissing(documented, served); len(missing)+len(extra) > 0 {
		t.Errorf("router and %s disagree\nserved but not documented: %v\ndocumented but not served: %v", contractFile, missing, extra)
	}
}

// contractMissing returns the sorted keys of a that b lacks.
func contractMissing(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIErrorCodes: the error enum of openapi.yaml is exactly the set
// of codes the error writer knows, every auth code has a status, and every
// response of the contract that names codes names codes of its own status.
func TestOpenAPIErrorCodes(t *testing.T) {
	doc := loadContract(t)
	authCodes := stringConsts(t, "../auth/errors.go", "Code")
	statusOf := errorStatuses(t, "errors.go", authCodes, stringConsts(t, "errors.go", "code"))

	for name, code := range authCodes {
		if _, ok := statusOf[code]; !ok {
			t.Errorf("auth.%s (%q) has no status in statusOf: it would be answered 500", name, code)
		}
	}
	enum := map[string]bool{}
	for _, v := range doc.Components.Schemas["Error"].Value.Properties["error"].Value.Enum {
		enum[fmt.Sprint(v)] = true
	}
	known := map[string]bool{}
	for code := range statusOf {
		known[code] = true
	}
	if missing, extra := contractMissing(known, enum), contractMissing(enum, known); len(missing)+len(extra) > 0 {
		t.Errorf("Error.error enum and statusOf disagree\nmissing from the enum: %v\nnot in statusOf: %v", missing, extra)
	}

	check := func(where string, status int, resp *openapi3.ResponseRef) {
		for _, code := range namedCodes(resp) {
			if statusExceptions[fmt.Sprintf("%s %d %s", where, status, code)] {
				continue
			}
			if got, ok := statusOf[code]; !ok || got != status {
				t.Errorf("%s: response %d names %q, which the code answers with %d", where, status, code, got)
			}
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for s, resp := range op.Responses.Map() {
				status, err := strconv.Atoi(s)
				if err != nil {
					t.Errorf("%s %s: response %q is not a status", method, path, s)
					continue
				}
				check(method+" "+path, status, resp)
			}
		}
	}
	for name, status := range unroutedResponses {
		check("components.responses."+name, status, doc.Components.Responses[name])
	}
	check("components.responses.TooManyRequests", http.StatusTooManyRequests, doc.Components.Responses["TooManyRequests"])
}

// statusExceptions are the responses that answer a code with another
// status than statusOf gives it, written directly rather than through
// writeError. Keep this list short: each entry breaks "one code, one status".
var statusExceptions = map[string]bool{
	// RFC 6749 s5.2: a client that authenticated with Authorization gets 401.
	"POST /oauth/introspect 401 invalid_client": true,
	"POST /oauth/revoke 401 invalid_client":     true,
	"POST /oauth/token 401 invalid_client":      true,
}

// stringConsts returns the string constants of a Go file whose names start
// with prefix, by name.
func stringConsts(tb testing.TB, file, prefix string) map[string]string {
	tb.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, prefix) || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					out[name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
	}
	if len(out) == 0 {
		tb.Fatalf("no %s* string constants in %s", prefix, file)
	}
	return out
}

// httpStatuses are the net/http constants statusOf may use.
var httpStatuses = map[string]int{
	"StatusBadRequest": 400, "StatusUnauthorized": 401, "StatusPaymentRequired": 402, "StatusForbidden": 403,
	"StatusNotFound": 404, "StatusMethodNotAllowed": 405, "StatusNotAcceptable": 406, "StatusRequestTimeout": 408,
	"StatusConflict": 409, "StatusGone": 410, "StatusPreconditionFailed": 412, "StatusRequestEntityTooLarge": 413,
	"StatusUnsupportedMediaType": 415, "StatusUnprocessableEntity": 422, "StatusLocked": 423,
	"StatusTooManyRequests": 429, "StatusInternalServerError": 500, "StatusNotImplemented": 501,
	"StatusBadGateway": 502, "StatusServiceUnavailable": 503, "StatusGatewayTimeout": 504,
}

// errorStatuses reads the statusOf map of httpapi's errors.go: code -> status.
func errorStatuses(tb testing.TB, file string, authCodes, localCodes map[string]string) map[string]int {
	tb.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]int{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "statusOf" || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			tb.Fatalf("%s: statusOf is not a map literal", file)
		}
		for _, e := range lit.Elts {
			kv := e.(*ast.KeyValueExpr)
			var code string
			switch k := kv.Key.(type) {
			case *ast.SelectorExpr:
				code, ok = authCodes[k.Sel.Name]
			case *ast.Ident:
				code, ok = localCodes[k.Name]
			}
			if !ok {
				tb.Fatalf("%s: statusOf key %s is not a known code constant", file, exprKind(kv.Key))
			}
			sel, isSel := kv.Value.(*ast.SelectorExpr)
			status, known := 0, false
			if isSel {
				status, known = httpStatuses[sel.Sel.Name]
			}
			if !known {
				tb.Fatalf("%s: statusOf[%q] is %s: add it to httpStatuses", file, code, exprKind(kv.Value))
			}
			out[code] = status
		}
		return false
	})
	if len(out) == 0 {
		tb.Fatalf("%s: no statusOf map found", file)
	}
	return out
}

func exprKind(e ast.Expr) string { return fmt.Sprintf("%T", e) }

// namedCodes returns the error codes a response narrows Error.error to
// (enum or const in an allOf member).
func namedCodes(resp *openapi3.ResponseRef) []string {
	if resp == nil || resp.Value == nil {
		return nil
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	var out []string
	for _, part := range mt.Schema.Value.AllOf {
		if part.Ref != "" { // Error itself, or another shared schema
			continue
		}
		p := part.Value.Properties["error"]
		if p == nil || p.Value == nil {
			continue
		}
		for _, v := range p.Value.Enum {
			out = append(out, fmt.Sprint(v))
		}
		if p.Value.Const != nil {
			out = append(out, fmt.Sprint(p.Value.Const))
		}
	}
	return out
}

// unroutedResponses are the component responses for requests no operation
// matches: an unknown path, or a method the path does not serve.
var unroutedResponses = map[string]int{"NotFound": http.StatusNotFound, "MethodNotAllowed": http.StatusMethodNotAllowed}

// contractStep is one real request of the walk. Strings in path, body and
// headers may hold {name} placeholders, filled from values saved by
// earlier steps.
type contractStep struct {
	name    string
	method  string
	path    string
	body    any // JSON-encoded unless a string
	headers []string
	status  int
	code    string // the error code an error answer must carry
	// offSpec marks a request that breaks the contract on purpose:
	// openapi3filter.ValidateRequest must reject it.
	offSpec bool
	// save maps a placeholder name to a member of the answer: a top-level
	// JSON member, "header:Name", "cookie:Name" or "body".
	save map[string]string
}

// contractWalk sends steps to a real server and validates every request
// and response against the contract.
type contractWalk struct {
	ts     *servertest.TestServer
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
	vars   map[string]string
	seen   map[string]map[int]int // "METHOD /path" -> status -> count
	count  int                    // responses validated
}

func newContractWalk(tb testing.TB, ts *servertest.TestServer) *contractWalk {
	tb.Helper()
	doc := loadContract(tb)
	doc.Servers = openapi3.Servers{{URL: ts.URL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		tb.Fatalf("router over %s: %v", contractFile, err)
	}
	return &contractWalk{
		ts: ts, doc: doc, router: router, vars: map[string]string{}, seen: map[string]map[int]int{},
		opts: &openapi3filter.Options{
			AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
			IncludeResponseStatus:   true,
			MultiError:              true,
			SchemaValidationOptions: contractSchemaOptions,
		},
	}
}

var contractPlaceholder = regexp.MustCompile(`\{[a-z0-9_]+\}`)

func (w *contractWalk) expand(tb testing.TB, s string) string {
	tb.Helper()
	return contractPlaceholder.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := w.vars[m[1:len(m)-1]]
		if !ok {
			tb.Fatalf("placeholder %s has no value (an earlier step failed?)", m)
		}
		return v
	})
}

func (w *contractWalk) run(t *testing.T, steps []contractStep) {
	t.Helper()
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { w.step(t, s) })
	}
}

func (w *contractWalk) step(t *testing.T, s contractStep) {
	t.Helper()
	var body []byte
	switch b := s.body.(type) {
	case nil:
	case string:
		body = []byte(w.expand(t, b))
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = []byte(w.expand(t, string(data)))
	}
	headers := make([]string, len(s.headers))
	for i, h := range s.headers {
		headers[i] = w.expand(t, h)
	}
	var sent any
	if body != nil {
		sent = string(body)
	}
	// Each answer is checked as sent: a redirect is not followed.
	cl := w.ts.NewClient(t)
	cl.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r := cl.Do(s.method, w.expand(t, s.path), sent, headers...)
	if r.StatusCode != s.status {
		t.Errorf("status %d, want %d; body %s", r.StatusCode, s.status, r.Body)
	}
	if s.code != "" && r.Str("error") != s.code {
		t.Errorf("error %q, want %q; body %s", r.Str("error"), s.code, r.Body)
	}
	w.validate(t, s, r, body)
	for name, from := range s.save {
		w.vars[name] = answerValue(t, r, from)
	}
}

// answerValue reads a top-level JSON member, "header:Name", "cookie:Name",
// "input:name" (a form field of an HTML page) or "body" (all of it).
func answerValue(tb testing.TB, r *servertest.Response, from string) string {
	tb.Helper()
	var v string
	switch kind, name, _ := strings.Cut(from, ":"); kind {
	case "header":
		v = r.Header.Get(name)
	case "cookie":
		for _, ck := range r.Cookies() {
			if ck.Name == name {
				v = ck.Value
			}
		}
	case "input":
		v = inputValue(r.Body, name)
	case "body":
		v = string(r.Body)
	default:
		v = r.Str(from)
	}
	if v == "" {
		tb.Fatalf("answer has no %s", from)
	}
	return v
}

// validate checks the request (with openapi3filter.ValidateRequest) and
// the response (openapi3filter.ValidateResponse, plus what it skips: 304
// headers, bodies of responses declared without one).
func (w *contractWalk) validate(t *testing.T, s contractStep, r *servertest.Response, body []byte) {
	t.Helper()
	ctx := t.Context()
	req := r.Request.Clone(ctx)
	req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }

	key := "unrouted"
	route, params, err := w.router.FindRoute(req)
	switch {
	case err == nil:
		key = route.Method + " " + route.Path
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: w.opts}
		err := openapi3filter.ValidateRequest(ctx, in)
		if s.offSpec && err == nil {
			t.Errorf("request is meant to break the contract of %s, but it validates", key)
		}
		if !s.offSpec && err != nil {
			t.Errorf("request does not match the contract of %s: %v", key, err)
		}
	case errors.Is(err, routers.ErrPathNotFound) && r.StatusCode == http.StatusNotFound,
		errors.Is(err, routers.ErrMethodNotAllowed) && r.StatusCode == http.StatusMethodNotAllowed:
		route = w.unroutedRoute(req)
	default:
		t.Fatalf("%s %s: no operation in %s (%v), yet answered %d", req.Method, req.URL.Path, contractFile, err, r.StatusCode)
	}

	declared := route.Operation.Responses.Status(r.StatusCode)
	if declared == nil {
		t.Fatalf("%s answered %d, which %s does not declare", key, r.StatusCode, contractFile)
	}
	if len(declared.Value.Content) == 0 && len(r.Body) > 0 {
		t.Errorf("%s %d is declared without a body, got %s", key, r.StatusCode, r.Body)
	}
	if r.StatusCode == http.StatusNotModified { // ValidateResponse skips 304
		w.checkHeaders(t, key, declared.Value, r.Header)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: w.opts},
		Status:                 r.StatusCode,
		Header:                 r.Header,
		Options:                w.opts,
	}
	in.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		t.Errorf("response does not match the contract of %s %d: %v\nheaders %v\nbody %s", key, r.StatusCode, err, r.Header, r.Body)
	}
	if w.seen[key] == nil {
		w.seen[key] = map[int]int{}
	}
	w.seen[key][r.StatusCode]++
	w.count++
}

// unroutedRoute is a stand-in operation answering with the component
// responses for unknown paths and methods.
func (w *contractWalk) unroutedRoute(req *http.Request) *routers.Route {
	op := openapi3.NewOperation()
	op.Responses = openapi3.NewResponses()
	for name, status := range unroutedResponses {
		op.Responses.Set(strconv.Itoa(status), w.doc.Components.Responses[name])
	}
	return &routers.Route{Spec: w.doc, Path: req.URL.Path, Method: req.Method, Operation: op}
}

// checkHeaders validates declared headers by hand, for the statuses
// openapi3filter.ValidateResponse does not look at.
func (w *contractWalk) checkHeaders(tb testing.TB, key string, resp *openapi3.Response, h http.Header) {
	tb.Helper()
	for name, ref := range resp.Headers {
		v := h.Get(name)
		if v == "" {
			if ref.Value.Required {
				tb.Errorf("%s: required header %s missing", key, name)
			}
			continue
		}
		if err := ref.Value.Schema.Value.VisitJSON(v, slices.Concat(contractSchemaOptions, []openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020()})...); err != nil {
			tb.Errorf("%s: header %s: %v", key, name, err)
		}
	}
}

// requireCoverage fails unless every operation of the contract was
// exercised, and logs the declared statuses the walk did not produce.
func (w *contractWalk) requireCoverage(tb testing.TB, others ...*contractWalk) {
	tb.Helper()
	seen := map[string]map[int]int{}
	total := 0
	for _, x := range append([]*contractWalk{w}, others...) {
		total += x.count
		for k, m := range x.seen {
			if seen[k] == nil {
				seen[k] = map[int]int{}
			}
			for s, n := range m {
				seen[k][s] += n
			}
		}
	}
	var keys []string
	for path, item := range w.doc.Paths.Map() {
		for method := range item.Operations() {
			keys = append(keys, method+" "+path)
		}
	}
	slices.Sort(keys)
	var report strings.Builder
	for _, key := range append(keys, "unrouted") {
		if len(seen[key]) == 0 {
			tb.Errorf("%s was never exercised", key)
			continue
		}
		var got []string
		for _, s := range slices.Sorted(maps.Keys(seen[key])) {
			got = append(got, fmt.Sprintf("%d×%d", s, seen[key][s]))
		}
		fmt.Fprintf(&report, "\n  %-44s %s", key, strings.Join(got, " "))
		if key == "unrouted" {
			continue
		}
		method, path, _ := strings.Cut(key, " ")
		var untested []string
		for s := range w.doc.Paths.Value(path).GetOperation(method).Responses.Map() {
			if n, _ := strconv.Atoi(s); seen[key][n] == 0 {
				untested = append(untested, s)
			}
		}
		if len(untested) > 0 {
			slices.Sort(untested)
			fmt.Fprintf(&report, "   (declared, not produced: %s)", strings.Join(untested, " "))
		}
	}
	tb.Logf("%d responses validated against %s (status×count):%s", total, contractFile, report.String())
}

// TestOpenAPIContract walks every route with real requests against a real
// server over SQLite and validates each request and response against
// openapi.yaml.
func TestOpenAPIContract(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) {
		c.ResourceServers = []string{"api:resource-server-secret"}
	})
	w := newContractWalk(t, ts)

	big := strings.Repeat("a", 70_000) // over MaxBodyBytes
	bearerA := "Authorization: Bearer {a_access}"
	cookieG := "Cookie: __Host-tessera_access={g_access}; __Host-tessera_csrf={g_csrf}"
	csrfG := "X-CSRF-Token: {g_csrf}"
	sessionA := "Cookie: __Host-tessera_session={s_session}; __Host-tessera_csrf={s_csrf}"
	basicA := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("ada@example.com:"+contractPassword))
	wrongBasic := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("ada@example.com:not the password at all"))
	tokenA := "Authorization: Token {tk}"
	form := "Content-Type: application/x-www-form-urlencoded"
	resourceServer := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("api:resource-server-secret"))
	creds := func(extra map[string]any) map[string]any {
		m := map[string]any{"email": "ada@example.com", "password": contractPassword}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	loginSave := func(prefix string) map[string]string {
		return map[string]string{prefix + "_access": "access_token", prefix + "_refresh": "refresh_token", prefix + "_sid": "session_id"}
	}
	cookieSave := map[string]string{
		"g_access": "cookie:__Host-tessera_access", "g_refresh": "cookie:__Secure-tessera_refresh",
		"g_csrf": "csrf_token", "g_sid": "session_id",
	}

	w.run(t, []contractStep{
		{name: "healthz", method: "GET", path: "/healthz", status: 200},
		{name: "readyz", method: "GET", path: "/readyz", status: 200},
		{name: "metrics", method: "GET", path: "/metrics", status: 200},
		{name: "discovery", method: "GET", path: "/.well-known/openid-configuration", status: 200},
		{name: "authorization server metadata", method: "GET", path: "/.well-known/oauth-authorization-server", status: 200},
		{name: "jwks", method: "GET", path: "/.well-known/jwks.json", status: 200, save: map[string]string{"etag": "header:ETag"}},
		{name: "jwks not modified", method: "GET", path: "/.well-known/jwks.json", headers: []string{"If-None-Match: {etag}"}, status: 304},
		{name: "jwks other etag", method: "GET", path: "/.well-known/jwks.json", headers: []string{`If-None-Match: "old"`}, status: 200},
		{name: "sdk script", method: "GET", path: "/sdk/tessera.js", status: 200, save: map[string]string{"sdk_etag": "header:ETag"}},
		{name: "sdk script not modified", method: "GET", path: "/sdk/tessera.js", headers: []string{"If-None-Match: {sdk_etag}"}, status: 304},
		{name: "sdk types", method: "GET", path: "/sdk/tessera.d.ts", status: 200},

		{name: "register body delivery", method: "POST", path: "/v1/auth/register", body: creds(map[string]any{"device_name": "phone"}), status: 201, save: loginSave("a0")},
		{name: "register cookie delivery", method: "POST", path: "/v1/auth/register",
			body: map[string]any{"email": "grace@example.com", "password": contractPassword, "username": "grace", "delivery": "cookie"}, status: 201},
		{name: "register taken e-mail", method: "POST", path: "/v1/auth/register", body: creds(map[string]any{"email": "ADA@example.com"}), status: 409, code: "email_taken"},
		{name: "register taken username", method: "POST", path: "/v1/auth/register", body: creds(map[string]any{"email": "g2@example.com", "username": "Grace"}), status: 409, code: "username_taken"},
		{name: "register weak password", method: "POST", path: "/v1/auth/register", body: creds(map[string]any{"email": "w@example.com", "password": "password1234"}), status: 400, code: "invalid_request"},
		{name: "register unknown client", method: "POST", path: "/v1/auth/register", body: creds(map[string]any{"email": "c@example.com", "client_id": "nope"}), status: 400, code: "invalid_client"},
		{name: "register without password", method: "POST", path: "/v1/auth/register", body: map[string]any{"email": "p@example.com"}, status: 400, code: "invalid_request", offSpec: true},
		{name: "register e-mail of the wrong type", method: "POST", path: "/v1/auth/register", body: creds(map[string]any{"email": 5}), status: 400, code: "invalid_request", offSpec: true},
		{name: "register unknown delivery", method: "POST", path: "/v1/auth/register", body: creds(map[string]any{"email": "d@example.com", "delivery": "pigeon"}), status: 400, code: "invalid_request", offSpec: true},
		{name: "register malformed JSON", method: "POST", path: "/v1/auth/register", body: `{"email": "m@example.com",`, status: 400, code: "invalid_request", offSpec: true},
		{name: "register form body", method: "POST", path: "/v1/auth/register", body: "email=f%40example.com", headers: []string{"Content-Type: application/x-www-form-urlencoded"}, status: 415, code: "unsupported_media_type", offSpec: true},
		{name: "register body over 64 KiB", method: "POST", path: "/v1/auth/register", body: creds(map[string]any{"email": "big@example.com", "padding": big}), status: 413, code: "payload_too_large"},

		{name: "login body delivery", method: "POST", path: "/v1/auth/login", body: creds(map[string]any{"device_name": "laptop"}), status: 200, save: loginSave("a")},
		{name: "login by username, cookie delivery", method: "POST", path: "/v1/auth/login",
			body: map[string]any{"username": "GRACE", "password": contractPassword, "delivery": "cookie"}, status: 200, save: cookieSave},
		{name: "login session delivery", method: "POST", path: "/v1/auth/login", body: creds(map[string]any{"delivery": "session"}), status: 200,
			save: map[string]string{"s_session": "cookie:__Host-tessera_session", "s_csrf": "csrf_token"}},
		{name: "login wrong password", method: "POST", path: "/v1/auth/login", body: creds(map[string]any{"password": "not the password at all"}), status: 400, code: "invalid_credentials"},
		{name: "login unknown account", method: "POST", path: "/v1/auth/login", body: creds(map[string]any{"email": "nobody@example.com"}), status: 400, code: "invalid_credentials"},
		{name: "login without identifier", method: "POST", path: "/v1/auth/login", body: map[string]any{"password": contractPassword}, status: 400, code: "invalid_request", offSpec: true},
		{name: "login text body", method: "POST", path: "/v1/auth/login", body: "ada", headers: []string{"Content-Type: text/plain"}, status: 415, code: "unsupported_media_type", offSpec: true},
		{name: "login body over 64 KiB", method: "POST", path: "/v1/auth/login", body: creds(map[string]any{"padding": big}), status: 413, code: "payload_too_large"},

		{name: "login for OAuth", method: "POST", path: "/v1/auth/login", body: creds(map[string]any{"device_name": "oauth"}), status: 200, save: loginSave("o")},
		{name: "oauth token form", method: "POST", path: "/oauth/token", headers: []string{form}, body: "grant_type=refresh_token&refresh_token={o_refresh}", status: 200, save: loginSave("o")},
		{name: "oauth token JSON", method: "POST", path: "/oauth/token", body: map[string]any{"grant_type": "refresh_token", "refresh_token": "{o_refresh}"}, status: 200, save: loginSave("o")},
		{name: "oauth token password grant", method: "POST", path: "/oauth/token", headers: []string{form}, body: "grant_type=password&username=ada&password=x", status: 400, code: "unsupported_grant_type", offSpec: true},
		{name: "oauth token without grant type", method: "POST", path: "/oauth/token", headers: []string{form}, body: "refresh_token={o_refresh}", status: 400, code: "invalid_request", offSpec: true},
		{name: "oauth token unknown refresh token", method: "POST", path: "/oauth/token", headers: []string{form}, body: "grant_type=refresh_token&refresh_token=tsr_nope", status: 400, code: "invalid_grant"},
		{name: "oauth token JSON of the wrong type", method: "POST", path: "/oauth/token", body: map[string]any{"grant_type": "refresh_token", "refresh_token": 5}, status: 400, code: "invalid_request", offSpec: true},
		{name: "oauth token text body", method: "POST", path: "/oauth/token", headers: []string{"Content-Type: text/plain"}, body: "grant_type=refresh_token", status: 415, code: "unsupported_media_type", offSpec: true},
		{name: "oauth token body over 64 KiB", method: "POST", path: "/oauth/token", headers: []string{form}, body: "grant_type=refresh_token&refresh_token=tsr_&padding=" + big, status: 413, code: "payload_too_large"},
		{name: "oauth code unknown client", method: "POST", path: "/oauth/token", headers: []string{form}, body: "grant_type=authorization_code&client_id=nobody&code=x&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", status: 400, code: "invalid_client"},
		{name: "oauth code bad Basic secret", method: "POST", path: "/oauth/token", headers: []string{form, "Authorization: Basic bm9ib2R5OnRjc194"}, body: "grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", status: 401, code: "invalid_client"},
		{name: "oauth client_credentials public client", method: "POST", path: "/oauth/token", headers: []string{form}, body: "grant_type=client_credentials&client_id=default", status: 400, code: "unauthorized_client"},
		{name: "oauth code unknown code", method: "POST", path: "/oauth/token", headers: []string{form}, body: "grant_type=authorization_code&client_id=default&code=x&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", status: 400, code: "invalid_grant"},
		{name: "userinfo", method: "GET", path: "/oauth/userinfo", headers: []string{"Authorization: Bearer {o_access}"}, status: 200},
		{name: "userinfo by POST", method: "POST", path: "/oauth/userinfo", headers: []string{"Authorization: Bearer {o_access}"}, status: 200},
		{name: "userinfo without token", method: "GET", path: "/oauth/userinfo", status: 401, code: "invalid_token", offSpec: true},
		{name: "userinfo bad token", method: "POST", path: "/oauth/userinfo", headers: []string{"Authorization: Bearer nope"}, status: 401, code: "invalid_token"},
		{name: "introspect without credentials", method: "POST", path: "/oauth/introspect", headers: []string{form}, body: "token={o_access}", status: 401, code: "invalid_client"},
		{name: "introspect with user credentials", method: "POST", path: "/oauth/introspect", headers: []string{form, basicA}, body: "token={o_access}", status: 401, code: "invalid_client"},
		{name: "introspect access token", method: "POST", path: "/oauth/introspect", headers: []string{form, resourceServer}, body: "token={o_access}", status: 200},
		{name: "introspect refresh token", method: "POST", path: "/oauth/introspect", headers: []string{resourceServer}, body: map[string]any{"token": "{o_refresh}", "token_type_hint": "refresh_token"}, status: 200},
		{name: "introspect unknown token", method: "POST", path: "/oauth/introspect", headers: []string{form, resourceServer}, body: "token=nope", status: 200},
		{name: "introspect without token", method: "POST", path: "/oauth/introspect", headers: []string{resourceServer}, body: map[string]any{}, status: 400, code: "invalid_request", offSpec: true},
		{name: "introspect text body", method: "POST", path: "/oauth/introspect", headers: []string{resourceServer, "Content-Type: text/plain"}, body: "token", status: 415, code: "unsupported_media_type", offSpec: true},
		{name: "introspect body over 64 KiB", method: "POST", path: "/oauth/introspect", headers: []string{form, resourceServer}, body: "token=x&padding=" + big, status: 413, code: "payload_too_large"},
		{name: "oauth revoke", method: "POST", path: "/oauth/revoke", headers: []string{form}, body: "token={o_access}&token_type_hint=access_token", status: 200},
		{name: "oauth revoke unknown token", method: "POST", path: "/oauth/revoke", body: map[string]any{"token": "nope"}, status: 200},
		{name: "oauth revoke without token", method: "POST", path: "/oauth/revoke", headers: []string{form}, body: "token_type_hint=refresh_token", status: 400, code: "invalid_request", offSpec: true},
		{name: "oauth revoke text body", method: "POST", path: "/oauth/revoke", headers: []string{"Content-Type: text/plain"}, body: "token", status: 415, code: "unsupported_media_type", offSpec: true},
		{name: "oauth revoke body over 64 KiB", method: "POST", path: "/oauth/revoke", headers: []string{form}, body: "token=x&padding=" + big, status: 413, code: "payload_too_large"},
		{name: "introspect revoked token", method: "POST", path: "/oauth/introspect", headers: []string{form, resourceServer}, body: "token={o_access}", status: 200},
		{name: "revocation feed", method: "GET", path: "/v1/revocations", status: 200, save: map[string]string{"cursor": "cursor"}},
		{name: "revocation feed since a cursor", method: "GET", path: "/v1/revocations?since={cursor}", status: 200},
		{name: "revocation feed unknown cursor", method: "GET", path: "/v1/revocations?since=nope", status: 400, code: "invalid_request"},

		{name: "refresh in the body", method: "POST", path: "/v1/auth/refresh", body: map[string]any{"refresh_token": "{a_refresh}"}, status: 200,
			save: map[string]string{"a_access": "access_token", "a_refresh2": "refresh_token"}},
		{name: "refresh replayed inside the grace window", method: "POST", path: "/v1/auth/refresh", body: map[string]any{"refresh_token": "{a_refresh}"}, status: 200},
		{name: "refresh unknown token", method: "POST", path: "/v1/auth/refresh", body: map[string]any{"refresh_token": "tsr_nope"}, status: 400, code: "invalid_grant"},
		{name: "refresh without a token", method: "POST", path: "/v1/auth/refresh", status: 400, code: "invalid_request"},
		{name: "refresh into session delivery", method: "POST", path: "/v1/auth/refresh", body: map[string]any{"refresh_token": "{a_refresh2}", "delivery": "session"}, status: 400, code: "invalid_request", offSpec: true},
		{name: "refresh cookie without CSRF header", method: "POST", path: "/v1/auth/refresh",
			headers: []string{"Cookie: __Secure-tessera_refresh={g_refresh}; __Host-tessera_csrf={g_csrf}"}, status: 403, code: "csrf_failed"},
		{name: "refresh cookie", method: "POST", path: "/v1/auth/refresh",
			headers: []string{"Cookie: __Secure-tessera_refresh={g_refresh}; __Host-tessera_csrf={g_csrf}", csrfG}, status: 200,
			save: map[string]string{"g_access": "cookie:__Host-tessera_access", "g_csrf": "csrf_token"}},
		{name: "refresh text body", method: "POST", path: "/v1/auth/refresh", body: "tsr_", headers: []string{"Content-Type: text/plain"}, status: 415, code: "unsupported_media_type", offSpec: true},
		{name: "refresh body over 64 KiB", method: "POST", path: "/v1/auth/refresh", body: map[string]any{"refresh_token": "tsr_", "padding": big}, status: 413, code: "payload_too_large"},

		{name: "me with bearer", method: "GET", path: "/v1/auth/me", headers: []string{bearerA}, status: 200},
		{name: "me with access cookie", method: "GET", path: "/v1/auth/me", headers: []string{cookieG}, status: 200},
		{name: "me with session cookie", method: "GET", path: "/v1/auth/me", headers: []string{sessionA}, status: 200},
		{name: "me with Basic", method: "GET", path: "/v1/auth/me", headers: []string{basicA}, status: 200},
		{name: "me with a wrong Basic password", method: "GET", path: "/v1/auth/me", headers: []string{wrongBasic}, status: 401, code: "authentication_failed"},
		{name: "me with malformed Basic", method: "GET", path: "/v1/auth/me", headers: []string{"Authorization: Basic !!!"}, status: 401, code: "authentication_failed"},
		{name: "me without credentials", method: "GET", path: "/v1/auth/me", status: 401, code: "not_authenticated"},
		{name: "me with a bad bearer token", method: "GET", path: "/v1/auth/me", headers: []string{"Authorization: Bearer x.y.z"}, status: 401, code: "invalid_token"},
		{name: "update me", method: "PATCH", path: "/v1/auth/me", headers: []string{bearerA}, body: map[string]any{"username": "ada"}, status: 200},
		{name: "update me to a taken username", method: "PATCH", path: "/v1/auth/me", headers: []string{bearerA}, body: map[string]any{"username": "GRACE"}, status: 409, code: "username_taken"},
		{name: "update me to an invalid username", method: "PATCH", path: "/v1/auth/me", headers: []string{bearerA}, body: map[string]any{"username": "' OR 1=1--"}, status: 400, code: "invalid_request"},
		{name: "update me e-mail", method: "PATCH", path: "/v1/auth/me", headers: []string{bearerA}, body: map[string]any{"email": "new@example.com"}, status: 400, code: "invalid_request", offSpec: true},
		{name: "update me by cookie without CSRF header", method: "PATCH", path: "/v1/auth/me", headers: []string{cookieG}, body: map[string]any{"username": "g"}, status: 403, code: "csrf_failed"},
		{name: "update me by cookie", method: "PATCH", path: "/v1/auth/me", headers: []string{cookieG, csrfG}, body: map[string]any{"username": nil, "email": nil}, status: 200},
		{name: "update me by session cookie without CSRF header", method: "PATCH", path: "/v1/auth/me", headers: []string{sessionA}, body: map[string]any{"username": "s"}, status: 403, code: "csrf_failed"},
		{name: "update me without credentials", method: "PATCH", path: "/v1/auth/me", body: map[string]any{"username": "x"}, status: 401, code: "not_authenticated"},
		{name: "update me text body", method: "PATCH", path: "/v1/auth/me", headers: []string{bearerA, "Content-Type: text/plain"}, body: "ada", status: 415, code: "unsupported_media_type", offSpec: true},
		{name: "update me body over 64 KiB", method: "PATCH", path: "/v1/auth/me", headers: []string{bearerA}, body: map[string]any{"username": "ada", "padding": big}, status: 413, code: "payload_too_large"},

		{name: "sessions", method: "GET", path: "/v1/auth/sessions", headers: []string{bearerA}, status: 200},
		{name: "sessions by cookie", method: "GET", path: "/v1/auth/sessions", headers: []string{cookieG}, status: 200},
		{name: "sessions without credentials", method: "GET", path: "/v1/auth/sessions", status: 401, code: "not_authenticated"},
		{name: "revoke another device", method: "DELETE", path: "/v1/auth/sessions/{a0_sid}", headers: []string{bearerA}, status: 204},
		{name: "revoke it again", method: "DELETE", path: "/v1/auth/sessions/{a0_sid}", headers: []string{bearerA}, status: 404, code: "not_found"},
		{name: "revoke another user's session", method: "DELETE", path: "/v1/auth/sessions/{g_sid}", headers: []string{bearerA}, status: 404, code: "not_found"},
		{name: "revoke a malformed id", method: "DELETE", path: "/v1/auth/sessions/not-a-uuid", headers: []string{bearerA}, status: 404, code: "not_found", offSpec: true},
		{name: "revoke by cookie without CSRF header", method: "DELETE", path: "/v1/auth/sessions/{g_sid}", headers: []string{cookieG}, status: 403, code: "csrf_failed"},
		{name: "revoke without credentials", method: "DELETE", path: "/v1/auth/sessions/{a_sid}", status: 401, code: "not_authenticated"},
		{name: "consents", method: "GET", path: "/v1/auth/consents", headers: []string{bearerA}, status: 200},
		{name: "consents without credentials", method: "GET", path: "/v1/auth/consents", status: 401, code: "not_authenticated"},
		{name: "withdraw a consent never given", method: "DELETE", path: "/v1/auth/consents/default", headers: []string{bearerA}, status: 404, code: "not_found"},
		{name: "withdraw by cookie without CSRF header", method: "DELETE", path: "/v1/auth/consents/default", headers: []string{cookieG}, status: 403, code: "csrf_failed"},

		{name: "classic token from the body", method: "POST", path: "/v1/auth/token", body: creds(nil), status: 200, save: map[string]string{"tk": "token"}},
		{name: "classic token from Basic", method: "POST", path: "/v1/auth/token", headers: []string{basicA}, status: 200},
		{name: "classic token wrong password", method: "POST", path: "/v1/auth/token", body: creds(map[string]any{"password": "not the password at all"}), status: 400, code: "invalid_credentials"},
		{name: "classic token without credentials", method: "POST", path: "/v1/auth/token", status: 400, code: "invalid_request"},
		{name: "classic token malformed Basic", method: "POST", path: "/v1/auth/token", headers: []string{"Authorization: Basic !!!"}, status: 401, code: "authentication_failed"},
		{name: "classic token text body", method: "POST", path: "/v1/auth/token", headers: []string{"Content-Type: text/plain"}, body: "ada", status: 415, code: "unsupported_media_type", offSpec: true},
		{name: "classic token body over 64 KiB", method: "POST", path: "/v1/auth/token", body: creds(map[string]any{"username": "ada", "padding": big}), status: 413, code: "payload_too_large"},
		{name: "me with classic token", method: "GET", path: "/v1/auth/me", headers: []string{tokenA}, status: 200},
		{name: "me with a wrong classic token", method: "GET", path: "/v1/auth/me", headers: []string{"Authorization: Token tsk_wrong"}, status: 401, code: "invalid_token"},
		{name: "sessions with classic token", method: "GET", path: "/v1/auth/sessions", headers: []string{tokenA}, status: 200},
		{name: "logout local with classic token", method: "POST", path: "/v1/auth/logout", headers: []string{tokenA}, status: 400, code: "invalid_request"},
		{name: "revoke classic token by session cookie without CSRF header", method: "DELETE", path: "/v1/auth/token", headers: []string{sessionA}, status: 403, code: "csrf_failed"},
		{name: "revoke classic token", method: "DELETE", path: "/v1/auth/token", headers: []string{tokenA}, status: 204},
		{name: "revoke classic token again", method: "DELETE", path: "/v1/auth/token", headers: []string{basicA}, status: 404, code: "not_found"},
		{name: "revoke classic token without credentials", method: "DELETE", path: "/v1/auth/token", status: 401, code: "not_authenticated"},

		{name: "logout with an unknown scope", method: "POST", path: "/v1/auth/logout", headers: []string{bearerA}, body: map[string]any{"scope": "everywhere"}, status: 400, code: "invalid_request", offSpec: true},
		{name: "logout text body", method: "POST", path: "/v1/auth/logout", headers: []string{bearerA, "Content-Type: text/plain"}, body: "local", status: 415, code: "unsupported_media_type", offSpec: true},
		{name: "logout body over 64 KiB", method: "POST", path: "/v1/auth/logout", headers: []string{bearerA}, body: map[string]any{"padding": big}, status: 413, code: "payload_too_large"},
		{name: "logout by cookie without CSRF header", method: "POST", path: "/v1/auth/logout", headers: []string{cookieG}, status: 403, code: "csrf_failed"},
		{name: "logout by cookie", method: "POST", path: "/v1/auth/logout", headers: []string{cookieG, csrfG}, status: 204},
		{name: "logout by session cookie", method: "POST", path: "/v1/auth/logout", headers: []string{sessionA, "X-CSRF-Token: {s_csrf}"}, status: 204},
		{name: "logout others", method: "POST", path: "/v1/auth/logout", headers: []string{bearerA}, body: map[string]any{"scope": "others"}, status: 204},
		{name: "logout", method: "POST", path: "/v1/auth/logout", headers: []string{bearerA}, status: 204},
		{name: "logout without credentials", method: "POST", path: "/v1/auth/logout", status: 401, code: "not_authenticated"},
		{name: "me after logout", method: "GET", path: "/v1/auth/me", headers: []string{bearerA}, status: 401, code: "invalid_token"},
		{name: "refresh after logout", method: "POST", path: "/v1/auth/refresh", body: map[string]any{"refresh_token": "{a_refresh2}"}, status: 400, code: "invalid_grant"},

		{name: "unknown route", method: "GET", path: "/v1/nope", status: 404, code: "not_found"},
		{name: "GET on a POST route", method: "GET", path: "/v1/auth/login", status: 405, code: "method_not_allowed"},
		{name: "PUT on me", method: "PUT", path: "/v1/auth/me", body: map[string]any{}, status: 405, code: "method_not_allowed"},
	})

	// A server whose database is gone: readiness says 503, and what needs
	// the database fails as an internal error (SQLite is not a network
	// database, so nothing there is "unavailable").
	down := servertest.Start(t, sqltest.NewSQLite(t), nil)
	if err := down.DB.Close(); err != nil {
		t.Fatal(err)
	}
	wd := newContractWalk(t, down)
	wd.run(t, []contractStep{
		{name: "readyz without database", method: "GET", path: "/readyz", status: 503, code: "service_unavailable"},
		{name: "healthz without database", method: "GET", path: "/healthz", status: 200},
		{name: "login without database", method: "POST", path: "/v1/auth/login", body: creds(nil), status: 500, code: "internal_error"},
	})

	// A server that allows one failed password check per account: the next
	// check of that account is refused, wherever it comes from.
	limited := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) { c.LoginMaxFailures = 1 })
	wl := newContractWalk(t, limited)
	wl.run(t, []contractStep{
		{name: "register", method: "POST", path: "/v1/auth/register", body: creds(nil), status: 201, save: loginSave("a")},
		{name: "login wrong password", method: "POST", path: "/v1/auth/login", body: creds(map[string]any{"password": "not the password at all"}), status: 400, code: "invalid_credentials"},
		{name: "login locked", method: "POST", path: "/v1/auth/login", body: creds(nil), status: 429, code: "rate_limited"},
		{name: "classic token locked", method: "POST", path: "/v1/auth/token", body: creds(nil), status: 429, code: "rate_limited"},
		{name: "me with Basic locked", method: "GET", path: "/v1/auth/me", headers: []string{basicA}, status: 429, code: "rate_limited"},
		{name: "me with bearer still works", method: "GET", path: "/v1/auth/me", headers: []string{bearerA}, status: 200},
	})

	w.requireCoverage(t, append([]*contractWalk{wd, wl, adminContractWalk(t), pagesContractWalk(t), accountContractWalk(t), consoleContractWalk(t), mfaContractWalk(t),
		passkeysContractWalk(t)}, append(lifecycleContractWalks(t), compatContractWalks(t)...)...)...)
}
