package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"pulse/internal/pulse"
)

// ErrorResponse is the one error shape of the whole API.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
} //	@name	ErrorResponse

// ErrorBody says what went wrong: a stable code to branch on and a message for people.
type ErrorBody struct {
	Code    string `json:"code" example:"invalid"`
	Message string `json:"message" example:"unknown provider \"zoom\"; allowed: daily, livekit, beyond_presence"`
} //	@name	ErrorBody

// statusOf is the only place a domain error code becomes an HTTP status.
var statusOf = map[string]int{
	pulse.EMALFORMED:    http.StatusBadRequest,
	pulse.EINVALID:      http.StatusUnprocessableEntity,
	pulse.ENOTFOUND:     http.StatusNotFound,
	pulse.EMETHOD:       http.StatusMethodNotAllowed,
	pulse.ECONFLICT:     http.StatusConflict,
	pulse.EUNAUTHORIZED: http.StatusUnauthorized,
	pulse.EFORBIDDEN:    http.StatusForbidden,
	pulse.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	pulse.EMEDIATYPE:    http.StatusUnsupportedMediaType,
	pulse.ETIMEOUT:      http.StatusRequestTimeout,
	pulse.ERATELIMITED:  http.StatusTooManyRequests,
	pulse.EUNAVAILABLE:  http.StatusServiceUnavailable,
	pulse.EINTERNAL:     http.StatusInternalServerError,
}

// codeOf maps statuses that Echo itself produces (unknown route, wrong method,
// body limit) back into the vocabulary.
var codeOf = map[int]string{
	http.StatusBadRequest:            pulse.EMALFORMED,
	http.StatusNotFound:              pulse.ENOTFOUND,
	http.StatusMethodNotAllowed:      pulse.EMETHOD,
	http.StatusUnauthorized:          pulse.EUNAUTHORIZED,
	http.StatusForbidden:             pulse.EFORBIDDEN,
	http.StatusRequestTimeout:        pulse.ETIMEOUT,
	http.StatusRequestEntityTooLarge: pulse.ETOOLARGE,
	http.StatusUnsupportedMediaType:  pulse.EMEDIATYPE,
	http.StatusTooManyRequests:       pulse.ERATELIMITED,
	http.StatusServiceUnavailable:    pulse.EUNAVAILABLE,
}

// errorHandler is Echo's central error handler: every error, from a handler,
// a middleware or a recovered panic, leaves as {"error":{"code","message"}}.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := pulse.ErrorCode(err), pulse.ErrorMessage(err)
	status := statusOf[code]
	var he *echo.HTTPError
	if errors.As(err, &he) {
		// Echo's own errors keep their status; the code follows from it.
		status, code = he.Code, codeOf[he.Code]
		if code == "" && status < 500 {
			code = pulse.EMALFORMED
		} else if code == "" {
			code = pulse.EINTERNAL
		}
		msg = http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			msg = m
		}
	}
	if status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", "err", err,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "path", c.Path())
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, ErrorResponse{Error: ErrorBody{Code: code, Message: msg}})
}

// decodeJSON reads one JSON object into v: 400 when it is not JSON, 413 when
// the body is over the limit, 408 when it did not arrive in time.
func decodeJSON(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		// One object per request: anything after it is a malformed body, not a second request.
		return pulse.Errorf(pulse.EMALFORMED, "the request body has data after the JSON object")
	}
	var he *echo.HTTPError
	var pe *pulse.Error
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		return pulse.Errorf(pulse.ETOOLARGE, "the request body is over the limit")
	case errors.As(err, &pe):
		return err // the body reader's own verdict (408: the body did not arrive in time)
	case errors.Is(err, io.EOF):
		return pulse.Errorf(pulse.EMALFORMED, "the request body is empty; a JSON object is expected")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return pulse.Errorf(pulse.EMALFORMED, "the request body is not valid JSON")
	case errors.As(err, &typ) && typ.Field == "":
		return pulse.Errorf(pulse.EMALFORMED, "the request body must be a JSON object")
	case errors.As(err, &typ):
		return pulse.Errorf(pulse.EMALFORMED, "field %q must be a %s, not a %s", typ.Field, typ.Type.Kind(), typ.Value)
	case errors.Is(err, context.Canceled):
		return err
	default:
		return pulse.Wrap(err, pulse.EMALFORMED, "the request body could not be read")
	}
}
