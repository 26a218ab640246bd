package store

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"pulse/internal/pulse"
)

// Group commit: on PostgreSQL every ingestion statement (session start,
// quality sample, end) is handed to one of a few writers, and each writer
// sends whatever has queued up as one batch in one round trip and one
// transaction: N requests cost one commit (one WAL flush, one network round
// trip) instead of N. A writer takes the next batch as soon as its last one
// commits, so under light load a statement goes alone and at once (no timer,
// no added wait), and under heavy load batches grow by themselves. Every
// caller is answered after its batch has committed, never before: what is
// acknowledged is durable.
//
// Locks: each writer bumps its own shard of the summary rows (session_daily,
// quality_minutes, seen_minutes), and a batch takes its session rows in key
// order, so two batches never wait for each other in a cycle. (Two replicas
// may draw the same shard, rarely; a deadlock between them is then broken by
// PostgreSQL, and the refused batch goes the way below.) If the server
// refuses one statement, the transaction rolled back whole and nothing of it
// was written; each statement of the batch is then run alone, so one bad
// request does not fail the others.

// maxBatch bounds a batch: enough to amortise a commit many times over, small
// enough that one batch's round trip stays short.
const maxBatch = 64

// writeOp is one ingestion statement waiting for its group commit.
type writeOp struct {
	ctx context.Context
	// key orders a batch's statements by the row each one locks first.
	key  string
	sql  string
	args []any
	// sharded statements take the writer's shard as their last argument.
	sharded bool
	// scan reads the statement's row; its error (pgx.ErrNoRows included)
	// is the op's result when the batch commits.
	scan func(pgx.Row) error
	done chan error
}

type groupCommit struct {
	sql   *sql.DB
	queue chan *writeOp
	quit  chan struct{}
	wg    sync.WaitGroup
	// mu guards closed; every enqueue holds it for reading.
	mu     sync.RWMutex
	closed bool
	// shards are the writers' summary-row shards: distinct within this
	// process, and from a random base so that replicas rarely share one.
	shards []int
	// batches and statements count what was committed (GroupCommits).
	batches, statements atomic.Int64
}

// maxShard keeps shard numbers in a SMALLINT; shard 0 is the transaction
// paths' (SQLite, webhooks).
const maxShard = 1000

func newGroupCommit(db *sql.DB, writers int) *groupCommit {
	writers = max(1, min(writers, maxShard))
	g := &groupCommit{sql: db, queue: make(chan *writeOp, 16*maxBatch), quit: make(chan struct{})}
	base := rand.IntN(maxShard)
	for i := range writers {
		g.shards = append(g.shards, 1+(base+i)%maxShard)
	}
	for _, shard := range g.shards {
		g.wg.Go(func() { g.write(shard) })
	}
	return g
}

// do queues op and waits for its batch to commit (or for ctx to end: a
// caller that gives up may still see its statement committed, unacknowledged).
// Once queued, an op is always answered: by its batch, or errWritesClosed at
// shutdown when it was not sent.
func (g *groupCommit) do(ctx context.Context, op *writeOp) error {
	op.ctx, op.done = ctx, make(chan error, 1)
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return errWritesClosed
	}
	select {
	case g.queue <- op:
	case <-ctx.Done():
		g.mu.RUnlock()
		return ctx.Err()
	}
	g.mu.RUnlock()
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errWritesClosed answers what is still queued at shutdown: a 503, as any
// statement on a closed pool would be.
var errWritesClosed = pulse.Errorf(pulse.EUNAVAILABLE, "The store is shutting down; try again shortly.")

// close stops the writers after their current batch and answers what is
// still queued. Nothing is queued after it (closed is set under the lock
// every enqueue holds), so the drain is complete.
func (g *groupCommit) close() {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.closed = true
	g.mu.Unlock()
	close(g.quit)
	g.wg.Wait()
	for {
		select {
		case op := <-g.queue:
			op.done <- errWritesClosed
		default:
			return
		}
	}
}

// write is one writer: it takes what has queued up, commits it, and again.
func (g *groupCommit) write(shard int) {
	batch := make([]*writeOp, 0, maxBatch)
	for {
		select {
		case <-g.quit:
			return
		case op := <-g.queue:
			batch = append(batch[:0], op)
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case op := <-g.queue:
				batch = append(batch, op)
			default:
				break drain
			}
		}
		g.commit(shard, batch)
	}
}

// commit runs batch in one transaction and answers each op.
func (g *groupCommit) commit(shard int, batch []*writeOp) {
	live := batch[:0]
	for _, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.done <- err // its caller has gone: not sent
			continue
		}
		live = append(live, op)
	}
	if len(live) == 0 {
		return
	}
	slices.SortStableFunc(live, func(a, b *writeOp) int { return strings.Compare(a.key, b.key) })
	results, err := g.send(shard, live)
	var refused *pgconn.PgError
	if err != nil && len(live) > 1 && errors.As(err, &refused) && !unavailable(err) {
		for _, op := range live {
			res, err := g.send(shard, []*writeOp{op})
			op.done <- cmpOr(err, res)
		}
		return
	}
	for i, op := range live {
		if err != nil {
			op.done <- err
		} else {
			op.done <- results[i]
		}
	}
}

func cmpOr(err error, results []error) error {
	if err != nil {
		return err
	}
	return results[0]
}

// send runs ops as one pipelined batch: an implicit transaction that
// commits at its end. A nil error means everything committed; results are
// then each op's own outcome. A *pgconn.PgError means the server refused a
// statement and rolled all of them back; any other error leaves the outcome
// unknown (the connection failed).
func (g *groupCommit) send(shard int, ops []*writeOp) ([]error, error) {
	ctx, cancel := whileAnyWaits(ops)
	defer cancel()
	conn, err := g.sql.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }()
	results := make([]error, len(ops))
	err = conn.Raw(func(driverConn any) error {
		pc := driverConn.(*stdlib.Conn).Conn()
		b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(ops))}
		for _, op := range ops {
			args := op.args
			if op.sharded {
				args = append(args[:len(args):len(args)], shard)
			}
			b.Queue(op.sql, args...)
		}
		br := pc.SendBatch(ctx, b)
		var refused error
		for i, op := range ops {
			results[i] = op.scan(br.QueryRow())
			var pgErr *pgconn.PgError
			if refused == nil && errors.As(results[i], &pgErr) {
				refused = results[i]
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		return refused
	})
	if err != nil {
		return nil, err
	}
	g.batches.Add(1)
	g.statements.Add(int64(len(ops)))
	return results, nil
}

// GroupCommits is how many batches the group-commit writers have committed,
// and how many statements those batches held: their ratio is the mean batch
// size (PostgreSQL; zero on SQLite, which does not group).
func (db *DB) GroupCommits() (batches, statements int64) {
	if db.writes == nil {
		return 0, 0
	}
	return db.writes.batches.Load(), db.writes.statements.Load()
}

// whileAnyWaits is a context that ends when every op's caller has gone: a
// batch is worth finishing while anyone waits for it.
func whileAnyWaits(ops []*writeOp) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	var left atomic.Int64
	left.Store(int64(len(ops)))
	stops := make([]func() bool, len(ops))
	for i, op := range ops {
		stops[i] = context.AfterFunc(op.ctx, func() {
			if left.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// noRows is what a statement that matched nothing scans to.
// (pgx.ErrNoRows wraps sql.ErrNoRows.)
func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
