package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// apiKeyPrefix marks Pulse keys so that secret scanners can recognise them.
const apiKeyPrefix = "pulse_"

// NewAPIKey returns a fresh secret (shown once), its display prefix and the
// hash that is the only thing stored. 32 random bytes make a slow hash
// pointless: SHA-256 of a key nobody can guess is enough.
func NewAPIKey() (secret, prefix, hash string, err error) {
	b := make([]byte, 32)
	if _, err = rand.Read(b); err != nil {
		return "", "", "", err
	}
	secret = apiKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, secret[:len(apiKeyPrefix)+6], HashAPIKey(secret), nil
}

// HashAPIKey is the stored form of a key.
func HashAPIKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
