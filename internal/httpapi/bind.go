package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// bind decodes a JSON request body into dst. An empty body leaves dst as it
// is (so optional bodies need no special case). It refuses other content
// types (415), bodies over MaxBodyBytes (413) and malformed JSON (400).
// Unknown fields are ignored, as Django REST Framework does, so clients may
// send more than a given version reads.
func bind(c *gin.Context, dst any) error {
	r := c.Request
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil
	}
	// A body of known or unknown (chunked) length must say it is JSON.
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &auth.Error{Code: codeUnsupportedMediaType, Message: "the body must be application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &auth.Error{Code: codePayloadTooLarge, Message: fmt.Sprintf("the body must be at most %d bytes", MaxBodyBytes)}
	}
	if err != nil {
		return auth.Errorf(auth.CodeInvalidRequest, "could not read the body")
	}
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			// Say what the JSON must be, never which Go type refused it.
			want := jsonType(te.Type.Kind().String())
			switch {
			case te.Field != "":
				return auth.Invalid(map[string][]string{te.Field: {"must be " + want}})
			case te.Type == reflect.TypeOf(dst).Elem():
				return auth.Errorf(auth.CodeInvalidRequest, "the body must be %s", want)
			default: // a value of an object read as a map, which names no field
				return auth.Errorf(auth.CodeInvalidRequest, "every member of the body must be %s", want)
			}
		}
		return auth.Errorf(auth.CodeInvalidRequest, "the body is not valid JSON: %v", err)
	}
	return nil
}

// jsonType names, with its article, the JSON type a Go kind decodes from.
func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "struct", "map":
		return "a JSON object"
	case "slice":
		return "a list"
	}
	return "a number"
}
