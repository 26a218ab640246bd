package access

import (
	"context"
	"time"

	"pulse/internal/pulse"
)

// Admins looks admins up by id for the guard, at most MaxAge old.
type Admins struct {
	c *cache[int64, pulse.Admin]
}

// NewAdmins reads admins from s; now is the clock (time.Now when nil).
func NewAdmins(s pulse.AdminStore, now func() time.Time) *Admins {
	notFound := func(err error) bool { return pulse.ErrorCode(err) == pulse.ENOTFOUND }
	return &Admins{c: newCache(now, s.AdminByID, notFound)}
}

// Lookup returns the admin as the store described them at most MaxAge ago;
// an admin who does not exist is ENOTFOUND, and that answer is kept too. When
// the store cannot be reached, the last answer is returned however old, with
// stale set; without one, the EUNAVAILABLE error is.
func (a *Admins) Lookup(ctx context.Context, id int64) (admin pulse.Admin, stale bool, err error) {
	return a.c.get(ctx, id)
}
