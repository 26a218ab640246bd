package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Gorm lets the external tests observe the statements the store runs.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// CommitTogether runs stmts as one group-commit batch, as a writer would
// with that much queued up, and returns each one's outcome. Each statement
// must return one row.
func (db *DB) CommitTogether(ctx context.Context, stmts ...string) []error {
	ops := make([]*writeOp, len(stmts))
	for i, s := range stmts {
		ops[i] = &writeOp{ctx: ctx, key: fmt.Sprint(i), sql: s, done: make(chan error, 1),
			scan: func(r pgx.Row) error { var v any; return r.Scan(&v) }}
	}
	db.writes.commit(db.writes.shards[0], ops)
	out := make([]error, len(ops))
	for i, op := range ops {
		out[i] = <-op.done
	}
	return out
}

// MigrateDownTo undoes the migrations after version, and MigrateUpTo applies
// them again up to version: a test can run one migration on data written
// before it.
func (db *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

func (db *DB) MigrateUpTo(ctx context.Context, version int64) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
