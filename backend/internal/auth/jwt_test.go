package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func TestVerify(t *testing.T) {
	tokens := NewTokens(secret, time.Hour)
	admin := pulse.Admin{ID: 7, Role: pulse.RoleSystemMonitor}
	valid, _, err := tokens.Issue(admin)
	require.NoError(t, err)

	sign := func(m jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, claims).SignedString(key)
		require.NoError(t, err)
		return s
	}
	future := time.Now().Add(time.Hour).Unix()

	t.Run("OK", func(t *testing.T) {
		c, err := tokens.Verify(valid)
		require.NoError(t, err)
		assert.EqualValues(t, 7, c.AdminID)
		assert.Equal(t, pulse.RoleSystemMonitor, c.Role)
		assert.Len(t, c.TokenID, 32)
	})
	t.Run("EveryTokenHasItsOwnID", func(t *testing.T) {
		other, _, err := tokens.Issue(admin)
		require.NoError(t, err)
		a, err := tokens.Verify(valid)
		require.NoError(t, err)
		b, err := tokens.Verify(other)
		require.NoError(t, err)
		assert.NotEqual(t, a.TokenID, b.TokenID)
	})
	for name, tok := range map[string]string{
		"Empty":                 "",
		"Malformed":             "not.a.jwt",
		"Tampered":              valid[:len(valid)-2] + flip(valid[len(valid)-2:]),
		"NonCanonicalSignature": nonCanonical(valid),
		"OtherSecret":           sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), jwt.MapClaims{"iss": "pulse", "sub": "7", "role": "SUPER_ADMIN", "exp": future}),
		"AlgNone":               sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.MapClaims{"iss": "pulse", "sub": "7", "role": "SUPER_ADMIN", "exp": future}),
		"HS512":                 sign(jwt.SigningMethodHS512, secret, jwt.MapClaims{"iss": "pulse", "sub": "7", "role": "SUPER_ADMIN", "exp": future}),
		"Expired":               sign(jwt.SigningMethodHS256, secret, jwt.MapClaims{"iss": "pulse", "sub": "7", "role": "SUPER_ADMIN", "exp": time.Now().Add(-time.Minute).Unix()}),
		"NoExpiry":              sign(jwt.SigningMethodHS256, secret, jwt.MapClaims{"iss": "pulse", "sub": "7", "role": "SUPER_ADMIN"}),
		"WrongIssuer":           sign(jwt.SigningMethodHS256, secret, jwt.MapClaims{"iss": "evil", "sub": "7", "role": "SUPER_ADMIN", "exp": future}),
		"NonNumericID":          sign(jwt.SigningMethodHS256, secret, jwt.MapClaims{"iss": "pulse", "sub": "x", "jti": "a", "role": "SUPER_ADMIN", "exp": future}),
		"NoTokenID":             sign(jwt.SigningMethodHS256, secret, jwt.MapClaims{"iss": "pulse", "sub": "7", "role": "SUPER_ADMIN", "exp": future}),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := tokens.Verify(tok)
			assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
		})
	}
}

// nonCanonical spells the token's signature another way that lenient
// base64 decodes to the same bytes: the last character of 43 carries two
// unused bits, and this sets one of them.
func nonCanonical(token string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, token[len(token)-1])
	return token[:len(token)-1] + string(alphabet[last^1])
}

func flip(s string) string {
	if strings.HasPrefix(s, "A") {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func TestAPIKey(t *testing.T) {
	secret, prefix, hash, err := NewAPIKey()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(secret, "pulse_"))
	assert.True(t, strings.HasPrefix(secret, prefix))
	assert.Equal(t, HashAPIKey(secret), hash)
	assert.NotContains(t, hash, secret)
	other, _, _, err := NewAPIKey()
	require.NoError(t, err)
	assert.NotEqual(t, secret, other)
}

func TestPassword(t *testing.T) {
	_, err := HashPassword("short")
	assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
	h, err := HashPassword("correct horse battery")
	require.NoError(t, err)
	assert.True(t, CheckPassword(h, "correct horse battery"))
	assert.False(t, CheckPassword(h, "wrong horse battery"))
}
