package auth

import (
	"sync"

	"golang.org/x/crypto/bcrypt"

	"pulse/internal/pulse"
)

// HashPassword bcrypts a password after checking its length.
func HashPassword(pw string) (string, error) {
	if len(pw) < pulse.MinPasswordLength {
		return "", pulse.Errorf(pulse.EINVALID, "a password has at least %d characters", pulse.MinPasswordLength)
	}
	if len(pw) > 72 {
		return "", pulse.Errorf(pulse.EINVALID, "a password has at most 72 bytes (bcrypt's limit)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(h), err
}

// CheckPassword reports whether pw matches the hash.
func CheckPassword(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// dummyHash lets a login for an unknown email cost the same bcrypt time as a
// wrong password, so response time does not reveal which emails exist. It is
// made on first use: CLI verbs should not pay for it.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("pulse-timing-equaliser"), bcrypt.DefaultCost)
	return h
})

// BurnPasswordCheck spends one bcrypt comparison.
func BurnPasswordCheck(pw string) { _ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(pw)) }
