package auth

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

func TestQualityTokens(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	q := NewQualityTokens(secret, 12*time.Hour, clock)
	const sid = "5b0c3c1e-8a0b-4c58-9e36-0d1f2f7c8b11"
	tok, exp, err := q.Issue(sid)
	require.NoError(t, err)
	assert.Equal(t, now.Add(12*time.Hour), exp)

	t.Run("OK", func(t *testing.T) {
		got, err := q.Verify(tok)
		require.NoError(t, err)
		assert.Equal(t, sid, got)
	})
	t.Run("Expired", func(t *testing.T) {
		later := NewQualityTokens(secret, 12*time.Hour, func() time.Time { return now.Add(12*time.Hour + time.Second) })
		_, err := later.Verify(tok)
		assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
	})
	t.Run("OtherSecret", func(t *testing.T) {
		_, err := NewQualityTokens([]byte("another-secret-another-secret-00"), time.Hour, clock).Verify(tok)
		assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
	})
	t.Run("AdminTokenIsNotAQualityToken", func(t *testing.T) {
		admins := NewTokens(secret, time.Hour)
		admin, _, err := admins.Issue(pulse.Admin{ID: 1, Email: "a@example.com", Role: pulse.RoleSuperAdmin})
		require.NoError(t, err)
		_, err = q.Verify(admin)
		assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
		_, err = admins.Verify(tok)
		assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err), "nor the reverse")
	})
	t.Run("WrongPurpose", func(t *testing.T) {
		c := qualityClaims{SessionID: sid, Purpose: "admin", RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}}
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(q.key)
		require.NoError(t, err)
		_, err = q.Verify(s)
		assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
	})
	t.Run("NoneAlgorithm", func(t *testing.T) {
		c := qualityClaims{SessionID: sid, Purpose: qualityPurpose, RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}}
		s, err := jwt.NewWithClaims(jwt.SigningMethodNone, c).SignedString(jwt.UnsafeAllowNoneSignatureType)
		require.NoError(t, err)
		_, err = q.Verify(s)
		assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
	})
}
