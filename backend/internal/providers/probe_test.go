package providers

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

// TestCheckOutcomes runs every outcome against every provider's fake API,
// through the checker, and reads the verdict back from Providers.
func TestCheckOutcomes(t *testing.T) {
	healthy := map[pulse.Provider]string{
		pulse.ProviderDaily:          `^HTTP 200 in (<1|\d+) ms$`,
		pulse.ProviderLiveKit:        `^HTTP 200 in (<1|\d+) ms$`,
		pulse.ProviderBeyondPresence: `^HTTP 204 in (<1|\d+) ms$`,
	}
	tests := []struct {
		name        string
		answer      func(id pulse.Provider, f *fakeProvider) http.HandlerFunc // nil: healthy
		refused     bool                                                      // talk to a closed port instead
		rounds      int
		wantStatus  pulse.ProviderStatus
		wantDetail  string // a regexp, or "healthy" for the provider's healthy detail
		wantLatency bool
	}{
		{name: "Healthy", rounds: 1, wantStatus: pulse.StatusOperational, wantDetail: "healthy", wantLatency: true},
		{name: "Slow", rounds: 1, wantStatus: pulse.StatusDegraded, wantDetail: `^slow: HTTP 20[04] in \d+ ms \(over 50ms\)$`, wantLatency: true,
			answer: func(_ pulse.Provider, f *fakeProvider) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					time.Sleep(80 * time.Millisecond)
					body, _ := io.ReadAll(r.Body)
					f.healthy(w, r, string(body))
				}
			}},
		{name: "ServerErrorOnce", rounds: 1, wantStatus: pulse.StatusDegraded, wantDetail: `^HTTP 500 \(failure 1/3\)$`, wantLatency: true,
			answer: func(pulse.Provider, *fakeProvider) http.HandlerFunc { return answerStatus(500) }},
		{name: "ServerErrorDownAfterThree", rounds: 3, wantStatus: pulse.StatusDown, wantDetail: `^HTTP 500 \(3 failures in a row\)$`, wantLatency: true,
			answer: func(pulse.Provider, *fakeProvider) http.HandlerFunc { return answerStatus(500) }},
		{name: "RateLimited", rounds: 3, wantStatus: pulse.StatusDegraded, wantDetail: `^rate limited \(HTTP 429\)$`, wantLatency: true,
			answer: func(pulse.Provider, *fakeProvider) http.HandlerFunc { return answerStatus(429) }},
		{name: "CredentialsRejected", rounds: 3, wantStatus: pulse.StatusDegraded, wantDetail: `^credentials rejected \(HTTP 401\)$`, wantLatency: true,
			answer: func(id pulse.Provider, f *fakeProvider) http.HandlerFunc {
				if id == pulse.ProviderLiveKit {
					return nil // the wrong secret below makes ListRooms answer 401
				}
				return answerStatus(401)
			}},
		{name: "TimeoutOnce", rounds: 1, wantStatus: pulse.StatusDegraded, wantDetail: `^timeout after 300ms \(failure 1/3\)$`,
			answer: func(pulse.Provider, *fakeProvider) http.HandlerFunc { return answerHang }},
		{name: "TimeoutDownAfterThree", rounds: 3, wantStatus: pulse.StatusDown, wantDetail: `^timeout after 300ms \(3 failures in a row\)$`,
			answer: func(pulse.Provider, *fakeProvider) http.HandlerFunc { return answerHang }},
		{name: "ConnectionRefusedOnce", rounds: 1, refused: true, wantStatus: pulse.StatusDegraded, wantDetail: `^connection refused \(failure 1/3\)$`},
		{name: "ConnectionRefusedDownAfterThree", rounds: 3, refused: true, wantStatus: pulse.StatusDown, wantDetail: `^connection refused \(3 failures in a row\)$`},
		{name: "GarbageBody", rounds: 1, wantStatus: pulse.StatusDegraded, wantDetail: `^answer not understood \(HTTP 200\)$`, wantLatency: true,
			answer: func(pulse.Provider, *fakeProvider) http.HandlerFunc { return answerGarbage }},
	}
	for _, id := range pulse.Providers {
		t.Run(string(id), func(t *testing.T) {
			t.Parallel()
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					t.Parallel()
					f := newFakeProvider(t, id)
					if tt.answer != nil {
						f.Set(tt.answer(id, f))
					}
					base := f.srv.URL
					if tt.refused {
						base = refusedURL(t)
					}
					cfg := testTimings(configFor(id, base))
					if tt.name == "CredentialsRejected" && id == pulse.ProviderLiveKit {
						cfg.LiveKitAPISecret = "not-the-secret"
					}
					c := newTestChecker(t, cfg, Deps{})

					for range tt.rounds {
						c.round(t.Context())
					}

					h := healthOf(t, c, id)
					assert.Equal(t, tt.wantStatus, h.Status)
					wantDetail := tt.wantDetail
					if wantDetail == "healthy" {
						wantDetail = healthy[id]
					}
					assert.Regexp(t, wantDetail, h.Detail)
					assert.Equal(t, tt.wantLatency, h.LatencyMs != nil, "latency set")
					assert.NotNil(t, h.CheckedAt)
					for _, secret := range testSecrets {
						assert.NotContains(t, h.Detail, secret)
					}
				})
			}
		})
	}
}

func TestNoRedirects(t *testing.T) {
	target := newFakeProvider(t, pulse.ProviderBeyondPresence)
	f := newFakeProvider(t, pulse.ProviderBeyondPresence)
	f.Set(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.srv.URL+r.URL.Path, http.StatusFound)
	})
	c := newTestChecker(t, testTimings(configFor(pulse.ProviderBeyondPresence, f.srv.URL)), Deps{HTTPClient: &http.Client{}})

	c.round(t.Context())

	h := healthOf(t, c, pulse.ProviderBeyondPresence)
	assert.Equal(t, pulse.StatusDegraded, h.Status)
	assert.Equal(t, "unexpected HTTP 302", h.Detail)
	assert.Zero(t, target.hits.Load(), "the API key must not follow a redirect")
}

func TestDescribe(t *testing.T) {
	p := prober{timeout: 5 * time.Second}
	wrap := func(err error) error {
		return &url.Error{Op: "Get", URL: "https://api.test/?key=" + testDailyKey, Err: err}
	}
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want string
	}{
		{"Deadline", expired, wrap(context.DeadlineExceeded), "timeout after 5s"},
		{"NetTimeout", context.Background(), wrap(os.ErrDeadlineExceeded), "timeout after 5s"},
		{"Refused", context.Background(), wrap(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), "connection refused"},
		{"HostNotFound", context.Background(), wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "api.test", IsNotFound: true}}), "host not found"},
		{"DNSFailure", context.Background(), wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "server misbehaving", Name: "api.test"}}), "DNS lookup failed"},
		{"UnknownAuthority", context.Background(), wrap(x509.UnknownAuthorityError{}), "TLS certificate rejected"},
		{"Reset", context.Background(), wrap(&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), "connection reset"},
		{"OtherNetworkError", context.Background(), wrap(&net.OpError{Op: "dial", Err: errors.New("no route to host")}), "network error"},
		{"ClosedEarly", context.Background(), wrap(io.EOF), "connection closed before an answer"},
		{"Other", context.Background(), wrap(errors.New("something odd")), "request failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.describe(tt.ctx, tt.err)
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got, testDailyKey)
		})
	}
}

func TestJoinURL(t *testing.T) {
	for _, base := range []string{"https://api.test/v1", "https://api.test/v1/"} {
		assert.Equal(t, "https://api.test/v1/rooms?limit=1", joinURL(base, "/rooms?limit=1"), fmt.Sprint(base))
	}
	require.Equal(t, "http://lk.test:7880/", joinURL("http://lk.test:7880", "/"))
}
