package djrestauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/httpapi"
	"github.com/tessera-id/tessera/internal/identifier"
)

// Messages of Django REST Framework's fields (rest_framework/fields.py).
const (
	msgRequired   = "This field is required."
	msgBlank      = "This field may not be blank."
	msgNull       = "This field may not be null."
	msgNotString  = "Not a valid string."
	msgEmail      = "Enter a valid email address."
	msgMismatch   = "The two password fields didn’t match." // Django's SetPasswordForm
	msgMismatchRg = "The two password fields didn't match." // dj-rest-auth's RegisterSerializer
)

// form is a request's data (DRF's request.data) and the field errors
// found while reading it, in DRF's {"field": ["message"]} shape.
type form struct {
	data map[string]any
	errs map[string][]string
}

// bind reads the request's form and, through read, its fields. It answers
// the request and returns false when the body or a field is refused.
func (h *Routes) bind(c *gin.Context, read func(f *form)) bool {
	f, derr := readForm(c)
	if derr == nil {
		read(f)
		derr = f.err()
	}
	if derr != nil {
		h.write(c, derr)
		return false
	}
	return true
}

// readForm reads the body the way DRF's default parsers do: JSON, an
// urlencoded form or a multipart form (its text fields), nothing else
// (415), at most httpapi.MaxBodyBytes (413). An empty body is an empty form.
func readForm(c *gin.Context) (*form, *drfError) {
	f := &form{data: map[string]any{}, errs: map[string][]string{}}
	r := c.Request
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return f, nil
	}
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = ct
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, r.Body, httpapi.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, detail(http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body exceeded %d bytes.", httpapi.MaxBodyBytes))
	}
	if err != nil {
		return nil, detail(http.StatusBadRequest, "Could not read the request body.")
	}
	switch mt {
	case "application/json":
		return f, f.readJSON(body)
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, detail(http.StatusBadRequest, "Form parse error - "+err.Error())
		}
		f.setValues(q)
		return f, nil
	case "multipart/form-data":
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		if params["boundary"] == "" || r.ParseMultipartForm(httpapi.MaxBodyBytes) != nil {
			return nil, detail(http.StatusBadRequest, "Multipart form parse error - Invalid boundary in multipart: None")
		}
		f.setValues(url.Values(r.MultipartForm.Value))
		return f, nil
	}
	return nil, detail(http.StatusUnsupportedMediaType, fmt.Sprintf("Unsupported media type %q in request.", ct))
}

// readJSON accepts an object only, as a DRF serializer does.
func (f *form) readJSON(body []byte) *drfError {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return detail(http.StatusBadRequest, "JSON parse error - "+err.Error())
	}
	// Anything after the value is refused; dec.More alone would let a
	// stray "}" or "]" through.
	if _, err := dec.Token(); err != io.EOF {
		return detail(http.StatusBadRequest, "JSON parse error - Extra data")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return &drfError{status: http.StatusBadRequest, body: map[string][]string{
			"non_field_errors": {fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pythonType(v))}}}
	}
	f.data = m
	return nil
}

// setValues keeps the last value of a repeated field, as Django's
// QueryDict does (and as the last of two JSON members counts).
func (f *form) setValues(q url.Values) {
	for k, vs := range q {
		if len(vs) > 0 {
			f.data[k] = vs[len(vs)-1]
		}
	}
}

// pythonType names a JSON value's type as DRF's message does.
func pythonType(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "str"
	case json.Number:
		return "int"
	case bool:
		return "bool"
	case nil:
		return "NoneType"
	}
	return "dict"
}

// str reads a DRF CharField: numbers are taken as their text, booleans,
// lists and objects are refused, null and blank are refused unless
// optional. The value is returned as sent (passwords are never trimmed);
// blankness ignores surrounding white space, as DRF's trimming does.
func (f *form) str(name string, required bool) string {
	v, present := f.data[name]
	if !present {
		if required {
			f.fail(name, msgRequired)
		}
		return ""
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	case nil:
		if required {
			f.fail(name, msgNull)
		}
		return ""
	default:
		f.fail(name, msgNotString)
		return ""
	}
	if strings.TrimSpace(s) == "" {
		if required {
			f.fail(name, msgBlank)
		}
		return ""
	}
	return s
}

// email reads a DRF EmailField, checked by Tessera's own address rules
// (identifier.NormalizeEmail) and answered in DRF's words.
func (f *form) email(name string, required bool) string {
	s := f.str(name, required)
	if s == "" {
		return ""
	}
	if _, err := identifier.NormalizeEmail(s); err != nil {
		f.fail(name, msgEmail)
		return ""
	}
	return s
}

// has reports whether name was sent at all.
func (f *form) has(name string) bool {
	_, ok := f.data[name]
	return ok
}

func (f *form) fail(name, msg string) { f.errs[name] = append(f.errs[name], msg) }

// err is the 400 of the field errors found so far, or nil.
func (f *form) err() *drfError {
	if len(f.errs) == 0 {
		return nil
	}
	return &drfError{status: http.StatusBadRequest, body: f.errs}
}
