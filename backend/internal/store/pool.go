package store

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"pulse/internal/pulse"
)

// poolSampler remembers the cumulative wait count over the last minute, so the
// health rule can ask "did anyone wait for a connection recently?" rather than
// "has anyone ever waited since start?".
type poolSampler struct {
	db      *sql.DB
	mu      sync.Mutex
	samples []waitSample
}

type waitSample struct {
	at    time.Time
	waits int64
}

func newPoolSampler(db *sql.DB) *poolSampler { return &poolSampler{db: db} }

func (p *poolSampler) sample(now time.Time) {
	st := p.db.Stats()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.samples = append(p.samples, waitSample{at: now, waits: st.WaitCount})
	// Keep one sample older than a minute as the baseline.
	for len(p.samples) > 2 && now.Sub(p.samples[1].at) >= time.Minute {
		p.samples = p.samples[1:]
	}
}

// SamplePool records the pool's wait count every interval until ctx ends.
func (db *DB) SamplePool(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	db.pool.sample(time.Now())
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			db.pool.sample(now)
		}
	}
}

// PoolStats reads sql.DB.Stats() and the waits since the oldest sample of the
// last minute.
func (db *DB) PoolStats() pulse.PoolStats {
	st := db.sql.Stats()
	ps := pulse.PoolStats{InUse: st.InUse, Idle: st.Idle, MaxOpen: st.MaxOpenConnections, WaitCount: st.WaitCount,
		WaitDurationMs: float64(st.WaitDuration) / float64(time.Millisecond)}
	db.pool.mu.Lock()
	defer db.pool.mu.Unlock()
	if len(db.pool.samples) > 0 {
		ps.WaitsLastMinute = st.WaitCount - db.pool.samples[0].waits
	}
	return ps
}
