package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"pulse/internal/pulse"
)

// FuzzVerify: no string panics Verify, and the only one it accepts is the
// token this authority issued, byte for byte. The clock is fixed, so the
// issued token is the same in every run and every saved corpus entry.
func FuzzVerify(f *testing.F) {
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	tokens := NewTokens(secret, time.Hour)
	tokens.now = func() time.Time { return now }
	// Fuzz workers each run this set-up: the issued token must be the same
	// in all of them, so its id is not random here.
	tokens.random = strings.NewReader(strings.Repeat("\x07", 16))
	valid, _, err := tokens.Issue(pulse.Admin{ID: 7, Email: "m@example.org", Role: pulse.RoleSystemMonitor})
	if err != nil {
		f.Fatal(err)
	}
	sign := func(m jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, claims).SignedString(key)
		if err != nil {
			f.Fatal(err)
		}
		return s
	}
	exp := now.Add(time.Hour).Unix()
	claims := func(extra jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{"iss": "pulse", "sub": "7", "role": "SUPER_ADMIN", "exp": exp}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	for _, seed := range []string{
		valid,
		valid + ".",
		valid[:len(valid)-1],
		nonCanonical(valid),
		"",
		"not.a.jwt",
		"..",
		"e30.e30.",
		sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), claims(nil)),
		sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)),
		sign(jwt.SigningMethodHS512, secret, claims(nil)),
		sign(jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"exp": now.Add(-time.Minute).Unix()})),
		sign(jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"exp": nil})),
		sign(jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"iss": "evil"})),
		sign(jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"sub": "x"})),
		sign(jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"nbf": now.Add(time.Hour).Unix()})),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := tokens.Verify(token)
		if token == valid {
			if err != nil {
				t.Fatalf("the issued token is refused: %v", err)
			}
			return
		}
		if err == nil {
			t.Fatalf("accepted a token it did not issue: %q (claims %+v)", token, c)
		}
		if code := pulse.ErrorCode(err); code != pulse.EUNAUTHORIZED {
			t.Fatalf("refused with code %q, want %q", code, pulse.EUNAUTHORIZED)
		}
	})
}
