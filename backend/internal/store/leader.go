package store

import (
	"context"
	"hash/fnv"
	"sync"

	"github.com/jackc/pgx/v5"

	"pulse/internal/pulse"
)

var _ pulse.Leader = (*DB)(nil)

// leader holds one PostgreSQL session-level advisory lock per job, each on a
// connection of its own outside the pool: the lock lives exactly as long as
// that connection, so a replica that dies hands leadership over without any
// cleanup, and the pool the requests use never loses a connection to it.
type leader struct {
	dsn      string
	postgres bool
	mu       sync.Mutex
	conns    map[string]*pgx.Conn
}

// TryLead implements pulse.Leader. On SQLite there is one process writing the
// file, so it always leads.
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
	if c, ok := l.conns[job]; ok {
		// Still leading as long as the connection holding the lock is alive.
		if err := c.Ping(ctx); err == nil {
			return release, true, nil
		}
		_ = c.Close(context.Background())
		delete(l.conns, job)
	}
	c, err := pgx.Connect(ctx, l.dsn)
	if err != nil {
		return nil, false, translate(err)
	}
	var got bool
	if err := c.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey(job)).Scan(&got); err != nil {
		_ = c.Close(context.Background())
		return nil, false, translate(err)
	}
	if !got {
		_ = c.Close(context.Background())
		return nil, false, nil
	}
	l.conns[job] = c
	return release, true, nil
}

func (l *leader) release(job string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.conns[job]; ok {
		// Closing the connection releases the lock too; unlocking first makes
		// the hand-over immediate even if the close lingers.
		_, _ = c.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, lockKey(job))
		_ = c.Close(context.Background())
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

// lockKey maps a job name onto the 64-bit advisory lock space.
func lockKey(job string) int64 {
	h := fnv.New64a()
	h.Write([]byte("pulse:" + job))
	return int64(h.Sum64())
}
