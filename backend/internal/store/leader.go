package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"pulse/internal/pulse"
)

var _ pulse.Leader = (*DB)(nil)

const (
	// leaderPingTimeout bounds the check that the lock's connection is alive:
	// a partitioned network answers nothing.
	leaderPingTimeout = 5 * time.Second
	// leaderReleaseTimeout bounds giving the lock back, so that shutting down
	// never waits on a database that hangs.
	leaderReleaseTimeout = 2 * time.Second
)

// leader holds one PostgreSQL session-level advisory lock per job, each on a
// connection of its own outside the pool: the lock lives exactly as long as
// that connection, so a replica that dies hands leadership over without any
// cleanup, and the pool the requests use never loses a connection to it.
// The connection is kept for as long as leadership lasts; a new one is opened
// only to seek leadership or after the held one is lost.
type leader struct {
	dsn      string
	postgres bool
	mu       sync.Mutex
	conns    map[string]*pgx.Conn
}

// TryLead implements pulse.Leader. While this instance leads, it checks that
// the connection holding the lock is alive and keeps it (no new connection);
// otherwise it opens one and tries the lock. ok=false with a nil error means
// another instance holds the lock; an error means the database could not be
// asked: when a held connection was lost, the error says so. On SQLite there
// is one process writing the file, so it always leads.
func (db *DB) TryLead(ctx context.Context, job string) (func(), bool, error) {
	return db.leader.try(ctx, job)
}

func (l *leader) try(ctx context.Context, job string) (func(), bool, error) {
	release := func() { l.release(job) }
	if !l.postgres {
		return func() {}, true, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var lost error
	if c, ok := l.conns[job]; ok {
		pctx, cancel := context.WithTimeout(ctx, leaderPingTimeout)
		lost = c.Ping(pctx)
		cancel()
		if lost == nil {
			return release, true, nil
		}
		closeConn(c)
		delete(l.conns, job)
	}
	c, err := l.connect(ctx)
	if err != nil {
		if lost != nil {
			err = fmt.Errorf("the connection holding the lock was lost (%w); reconnecting: %w", lost, err)
		}
		return nil, false, translate(err)
	}
	var got bool
	if err := c.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+lockKeySQL+`)`, job).Scan(&got); err != nil {
		closeConn(c)
		return nil, false, translate(err)
	}
	if !got {
		closeConn(c)
		return nil, false, nil
	}
	l.conns[job] = c
	return release, true, nil
}

// connect opens a lock connection, named in pg_stat_activity after the pool's
// application_name (or "pulse") with " leader" appended, so that an operator
// can tell which replica leads.
func (l *leader) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(l.dsn)
	if err != nil {
		return nil, err
	}
	name := cfg.RuntimeParams["application_name"]
	if name == "" {
		name = "pulse"
	}
	cfg.RuntimeParams["application_name"] = name + " leader"
	return pgx.ConnectConfig(ctx, cfg)
}

func (l *leader) release(job string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.conns[job]; ok {
		// Closing the connection releases the lock too; unlocking first makes
		// the hand-over immediate even if the close lingers.
		ctx, cancel := context.WithTimeout(context.Background(), leaderReleaseTimeout)
		defer cancel()
		_, _ = c.Exec(ctx, `SELECT pg_advisory_unlock(`+lockKeySQL+`)`, job)
		closeConn(c)
		delete(l.conns, job)
	}
}

func (l *leader) releaseAll() {
	l.mu.Lock()
	jobs := make([]string, 0, len(l.conns))
	for j := range l.conns {
		jobs = append(jobs, j)
	}
	l.mu.Unlock()
	for _, j := range jobs {
		l.release(j)
	}
}

// closeConn closes a lock connection; an error closing it changes nothing,
// since the server drops the lock with the connection either way.
func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), leaderReleaseTimeout)
	defer cancel()
	_ = c.Close(ctx)
}

// lockKeySQL maps the job ($1) onto the 64-bit advisory lock space, per
// schema: advisory locks belong to the whole database, and two Pulse
// deployments in two schemas of one database (or two test suites) must not
// take each other's leadership.
const lockKeySQL = `hashtextextended('pulse:' || current_schema() || ':' || $1, 0)`
