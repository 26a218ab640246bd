package providers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// maxBody caps what is read of an answer: a health check needs little of it.
const maxBody = 1 << 20

// prober sends the checks' requests. Each check's context carries its
// deadline; timeout is only there to say how long it was.
type prober struct {
	client  *http.Client
	timeout time.Duration
	now     func() time.Time
}

// noRedirects keeps credentials from following a redirect to another host
// (net/http forwards custom headers such as x-api-key): a 3xx is an answer.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// fetch sends req and reads its answer. It returns the code and latency, or
// why no answer came back, and the body.
func (p prober) fetch(req *http.Request) (Outcome, []byte) {
	start := time.Now() // monotonic; the injected clock is for timestamps
	resp, err := p.client.Do(req)
	if err != nil {
		return Outcome{NoAnswer: p.describe(req.Context(), err)}, nil
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Outcome{NoAnswer: p.describe(req.Context(), err)}, nil
	}
	return Outcome{Code: resp.StatusCode, Latency: time.Since(start)}, body
}

// describe turns a transport error into a short detail. It never returns the
// error's own text, which holds the URL.
func (p prober) describe(ctx context.Context, err error) string {
	var netErr net.Error
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	var authErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded),
		errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "timeout after " + fmtDuration(p.timeout)
	case errors.Is(err, context.Canceled):
		return "check cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "host not found"
		}
		return "DNS lookup failed"
	case errors.As(err, &certErr), errors.As(err, &authErr), errors.As(err, &hostErr):
		return "TLS certificate rejected"
	case errors.As(err, &recordErr):
		return "TLS handshake failed"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before an answer"
	case errors.As(err, &opErr):
		return "network error"
	}
	return "request failed"
}

// ok2xx reports whether o is a 2xx answer whose body is worth reading.
func ok2xx(o Outcome) bool { return o.NoAnswer == "" && o.Code >= 200 && o.Code < 300 }

// isJSONObject reports whether body is one JSON object.
func isJSONObject(body []byte) bool {
	var v map[string]json.RawMessage
	return json.Unmarshal(body, &v) == nil && v != nil
}

// joinURL appends path to a base URL that may end with a slash.
func joinURL(base, path string) string {
	return strings.TrimRight(base, "/") + path
}
