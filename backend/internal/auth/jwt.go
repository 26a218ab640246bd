// Package auth wraps the credentials Pulse handles: admin JWTs (golang-jwt),
// passwords (bcrypt) and ingestion API keys (random secrets, stored hashed).
package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"pulse/internal/pulse"
)

const issuer = "pulse"

// Tokens issues and verifies admin session tokens: HS256 only, expiry required.
type Tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
	random io.Reader // the token ids' source; crypto/rand outside tests
}

// NewTokens returns a token authority for the secret.
func NewTokens(secret []byte, ttl time.Duration) *Tokens {
	return &Tokens{secret: secret, ttl: ttl, now: time.Now, random: rand.Reader}
}

// Claims is what a token says about its bearer. Role is the role at sign-in;
// the guard asks the store for the current one.
type Claims struct {
	// TokenID (the JWT jti) names this token, so that signing out can
	// revoke it server-side.
	TokenID   string
	AdminID   int64
	Email     string
	Role      pulse.Role
	ExpiresAt time.Time
}

type tokenClaims struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	jwt.RegisteredClaims
}

// Issue signs a token for the admin.
func (t *Tokens) Issue(a pulse.Admin) (string, time.Time, error) {
	now := t.now().UTC()
	exp := now.Add(t.ttl).Truncate(time.Second)
	id := make([]byte, 16)
	if _, err := io.ReadFull(t.random, id); err != nil {
		return "", time.Time{}, err
	}
	c := tokenClaims{
		Email: a.Email,
		Role:  string(a.Role),
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        hex.EncodeToString(id),
			Issuer:    issuer,
			Subject:   strconv.FormatInt(a.ID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	return s, exp, err
}

// Verify checks signature, algorithm, issuer, expiry and that the token has an
// id (a token without one could not be revoked). Any failure is
// EUNAUTHORIZED with one message: the caller learns nothing about why.
func (t *Tokens) Verify(token string) (Claims, error) {
	var c tokenClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(issuer),
		// One spelling per token: lenient base64 would accept four strings
		// for each signature, and a deny-list keyed on the token would miss three.
		jwt.WithStrictDecoding(),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil {
		return Claims{}, pulse.Wrap(err, pulse.EUNAUTHORIZED, "Sign in to continue.")
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil {
		return Claims{}, pulse.Wrap(errors.New("bad subject"), pulse.EUNAUTHORIZED, "Sign in to continue.")
	}
	if c.ID == "" {
		return Claims{}, pulse.Wrap(errors.New("no token id"), pulse.EUNAUTHORIZED, "Sign in to continue.")
	}
	return Claims{TokenID: c.ID, AdminID: id, Email: c.Email, Role: pulse.Role(c.Role), ExpiresAt: c.ExpiresAt.Time}, nil
}
