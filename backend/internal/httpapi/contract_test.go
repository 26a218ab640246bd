package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	legacyrouter "github.com/getkin/kin-openapi/routers/legacy"

	"pulse/internal/apidoc"
)

// The contract is api/openapi.json (the copy the binary embeds). Every answer
// any harness gets is checked against it by checkAnswer (harness.do calls
// it), so an answer the document does not promise fails the test that got it.

type contract struct {
	doc         *openapi3.T
	router      routers.Router
	errorSchema *openapi3.Schema
}

var loadContract = sync.OnceValues(func() (*contract, error) {
	doc, err := openapi3.NewLoader().LoadFromData(apidoc.OpenAPI)
	if err != nil {
		return nil, err
	}
	router, err := legacyrouter.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	ref := doc.Components.Schemas["ErrorResponse"]
	if ref == nil || ref.Value == nil {
		return nil, errors.New("the document has no ErrorResponse schema")
	}
	return &contract{doc: doc, router: router, errorSchema: ref.Value}, nil
})

// answer is one documented answer: an operation and a status.
type answer struct {
	op     string
	status int
}

func (a answer) String() string { return fmt.Sprintf("%s %d", a.op, a.status) }

// documentedAnswers lists every (operation, status) the document promises.
func (c *contract) documentedAnswers() []answer {
	var all []answer
	for _, item := range c.doc.Paths.Map() {
		for _, op := range item.Operations() {
			for code := range op.Responses.Map() {
				var status int
				_, _ = fmt.Sscan(code, &status)
				all = append(all, answer{op.OperationID, status})
			}
		}
	}
	return all
}

// undocumentedPrefixes are served but not part of the JSON API: Swagger UI
// and the document itself, and Prometheus' text format (checked by promtool).
var undocumentedPrefixes = []string{"/swagger/", "/metrics"}

var schemaOptions = []openapi3.SchemaValidationOption{
	openapi3.EnableFormatValidation(),
	openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)),
}

// checkAnswer validates one answer of the API against the document: a
// documented operation's status must be documented and its body must match
// the schema (required fields present, nullable ones alone null); a wrong
// method on a documented path is a 405 whose Allow header names the
// documented methods; any other JSON answer is an error in the one error
// shape. It returns the documented answer matched (op "" when none).
func (c *contract) checkAnswer(req *http.Request, res *httptest.ResponseRecorder) (answer, error) {
	route, params, err := c.router.FindRoute(&http.Request{Method: req.Method, URL: req.URL})
	if err == nil {
		return answer{route.Operation.OperationID, res.Code}, c.checkOperation(req, route, params, res)
	}
	var routeErr *routers.RouteError
	if !errors.As(err, &routeErr) {
		return answer{}, err
	}
	if allowed := c.methodsOf(req.URL); len(allowed) > 0 {
		return answer{}, c.checkWrongMethod(req, allowed, res)
	}
	for _, p := range undocumentedPrefixes {
		if strings.HasPrefix(req.URL.Path, p) {
			return answer{}, nil
		}
	}
	if !isJSON(res.Header()) {
		return answer{}, nil // the dashboard's files
	}
	if res.Code < 400 {
		return answer{}, fmt.Errorf("%s %s: %d with a JSON body from a route the document does not have", req.Method, req.URL.Path, res.Code)
	}
	return answer{}, c.checkErrorBody(req, res)
}

func (c *contract) checkOperation(req *http.Request, route *routers.Route, params map[string]string, res *httptest.ResponseRecorder) error {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.Code,
		Header:                 res.Header(),
		Body:                   io.NopCloser(bytes.NewReader(res.Body.Bytes())),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true, MultiError: true, SchemaValidationOptions: schemaOptions,
		},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s: %d %s: %w", req.Method, req.URL.Path, res.Code, truncate(res.Body.String()), err)
	}
	if r := route.Operation.Responses.Status(res.Code); r != nil && len(r.Value.Content) == 0 && res.Body.Len() > 0 {
		return fmt.Errorf("%s %s: %d is documented without a body, got %s", req.Method, req.URL.Path, res.Code, truncate(res.Body.String()))
	}
	return nil
}

func (c *contract) checkWrongMethod(req *http.Request, allowed []string, res *httptest.ResponseRecorder) error {
	want := http.StatusMethodNotAllowed
	if req.Method == http.MethodOptions {
		want = http.StatusNoContent
	}
	if res.Code != want {
		return fmt.Errorf("%s %s: a method the document does not have must answer %d with Allow, got %d", req.Method, req.URL.Path, want, res.Code)
	}
	var got []string
	for m := range strings.SplitSeq(res.Header().Get("Allow"), ",") {
		if m = strings.TrimSpace(m); m != "" && m != http.MethodOptions {
			got = append(got, m)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, allowed) {
		return fmt.Errorf("%s %s: Allow %q, the document has %v", req.Method, req.URL.Path, res.Header().Get("Allow"), allowed)
	}
	if want == http.StatusNoContent || req.Method == http.MethodHead {
		return nil
	}
	return c.checkErrorBody(req, res)
}

// methodsOf lists the documented methods of the path u names, sorted.
func (c *contract) methodsOf(u *url.URL) []string {
	var methods []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if _, _, err := c.router.FindRoute(&http.Request{Method: m, URL: u}); err == nil {
			methods = append(methods, m)
		}
	}
	slices.Sort(methods)
	return methods
}

func (c *contract) checkErrorBody(req *http.Request, res *httptest.ResponseRecorder) error {
	if req.Method == http.MethodHead {
		return nil
	}
	var v any
	if err := json.Unmarshal(res.Body.Bytes(), &v); err != nil {
		return fmt.Errorf("%s %s: %d: the error body is not JSON: %s", req.Method, req.URL.Path, res.Code, truncate(res.Body.String()))
	}
	if err := c.errorSchema.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("%s %s: %d: not the ErrorResponse shape: %w", req.Method, req.URL.Path, res.Code, err)
	}
	return nil
}

func isJSON(h http.Header) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "application/json"
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
