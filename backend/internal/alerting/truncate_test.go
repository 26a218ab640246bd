package alerting

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestTruncateKeepsValidUTF8(t *testing.T) {
	assert.Equal(t, "short", truncate("short", 10))
	got := truncate(strings.Repeat("x", 9)+"é", 10) // é is bytes 10 and 11
	assert.Equal(t, strings.Repeat("x", 9)+"…", got)
	assert.Equal(t, "ab\uFFFDc", truncate("ab\xc3c", 10), "an invalid byte becomes U+FFFD")
	assert.Equal(t, "abc", truncate("a\x00bc", 10), "no NUL: PostgreSQL text refuses it")
	for n := range 12 {
		assert.True(t, utf8.ValidString(truncate("ab日本語x", n)), n)
	}
}
