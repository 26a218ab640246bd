package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"pulse/internal/pulse"
)

// qualityPurpose is the purpose claim of a quality token.
const qualityPurpose = "quality"

// QualityTokens issues and verifies session-scoped quality tokens: the
// bearer (a participant's browser) may post quality samples of one session
// and do nothing else. They are HS256 JWTs signed with a key derived from the
// server secret, so no admin token is ever a quality token nor the reverse,
// whatever their claims say.
type QualityTokens struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewQualityTokens returns the authority for tokens that live ttl; now nil
// means time.Now.
func NewQualityTokens(secret []byte, ttl time.Duration, now func() time.Time) *QualityTokens {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("pulse quality token v1"))
	if now == nil {
		now = time.Now
	}
	return &QualityTokens{key: mac.Sum(nil), ttl: ttl, now: now}
}

type qualityClaims struct {
	SessionID string `json:"sid"`
	Purpose   string `json:"purpose"`
	jwt.RegisteredClaims
}

// Issue signs a token for the session.
func (q *QualityTokens) Issue(sessionID string) (string, time.Time, error) {
	now := q.now().UTC()
	exp := now.Add(q.ttl).Truncate(time.Second)
	c := qualityClaims{
		SessionID: sessionID,
		Purpose:   qualityPurpose,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(q.key)
	return s, exp, err
}

// Verify checks signature, algorithm (HS256 only), issuer, expiry and
// purpose, and returns the session the token is for. Any failure is
// EUNAUTHORIZED with one message.
func (q *QualityTokens) Verify(token string) (string, error) {
	var c qualityClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return q.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(issuer),
		jwt.WithTimeFunc(q.now),
	)
	if err == nil && (c.Purpose != qualityPurpose || c.SessionID == "") {
		err = errors.New("not a quality token")
	}
	if err != nil {
		return "", pulse.Wrap(err, pulse.EUNAUTHORIZED, "The quality token is invalid or has expired.")
	}
	return c.SessionID, nil
}
