package pulse

import (
	"errors"
	"fmt"
)

// Error codes: the one vocabulary every layer uses. The HTTP layer maps each
// code to a status in a single table; nothing else decides statuses.
const (
	EMALFORMED    = "malformed"          // the request could not be parsed at all
	EINVALID      = "invalid"            // parsed, but a value is not acceptable
	ENOTFOUND     = "not_found"          // the thing asked for does not exist
	EMETHOD       = "method_not_allowed" // the path exists, not with this method
	ECONFLICT     = "conflict"           // the request contradicts the current state
	EUNAUTHORIZED = "unauthorized"       // no valid credentials
	EFORBIDDEN    = "forbidden"          // valid credentials, not allowed
	ETOOLARGE     = "too_large"          // the body is over the limit
	ERATELIMITED  = "rate_limited"       // too many attempts
	EUNAVAILABLE  = "unavailable"        // a dependency (the database) cannot be reached
	EINTERNAL     = "internal"           // a bug; details are logged, never sent
)

// Codes for a request the client did not send the way the route takes it.
const (
	EMEDIATYPE = "unsupported_media_type" // the body is not of a type the route accepts
	ETIMEOUT   = "request_timeout"        // the client did not send its body in time
)

// Error is an application error with a code from the vocabulary above and a
// message that is safe to show to the caller.
type Error struct {
	Code    string
	Message string
	// Cause is the underlying error, for logs only; it is never sent.
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap exposes Cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Cause }

// Wrap is Errorf with an underlying cause kept for the logs.
func Wrap(cause error, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Cause: cause}
}

// Errorf builds an *Error with a formatted, caller-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the caller-safe message of an application error, and a
// generic text for anything else so that internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "Internal error."
	}
}
