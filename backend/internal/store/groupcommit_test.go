package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

// Concurrent ingestion on PostgreSQL shares commits, and every write that was
// answered is stored: the counts, the running sums and the summary rows add up
// exactly as if each request had committed alone.
func TestGroupCommitKeepsEveryAcknowledgedWrite(t *testing.T) {
	db, _ := storetest.MustOpenPostgres(t)
	ctx := context.Background()
	now := time.Now().UTC()
	const clients, samples = 32, 20

	ids := make([]string, clients)
	var wg sync.WaitGroup
	errs := make(chan error, clients*(samples+2))
	for c := range clients {
		wg.Go(func() {
			s, _, err := db.CreateSession(ctx, pulse.NewSession{Category: "Admissions", Provider: pulse.ProviderDaily}, now)
			if err != nil {
				errs <- err
				return
			}
			ids[c] = s.ID
			for range samples {
				errs <- db.RecordQuality(ctx, s.ID, pulse.QualityGood, now)
			}
			_, err = db.EndSession(ctx, s.ID, now)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	for _, id := range ids {
		var stored struct {
			QualityCount int
			Ended        bool
		}
		require.NoError(t, db.Gorm().Raw(`SELECT quality_count, ended_at IS NOT NULL AS ended FROM sessions WHERE id = ?`, id).Scan(&stored).Error)
		assert.Equal(t, samples, stored.QualityCount, "every acknowledged sample of %s is stored once", id)
		assert.True(t, stored.Ended)
	}
	sum, err := db.SessionSummary(ctx, now, 1)
	require.NoError(t, err)
	assert.Equal(t, int64(clients), sum.ByCategory["Admissions"])
	assert.Equal(t, int64(clients), sum.QualityCounts[pulse.QualityGood])

	batches, statements := db.GroupCommits()
	assert.Equal(t, int64(clients*(samples+2)), statements, "every write went through a group commit")
	assert.Less(t, batches, statements, "concurrent writes shared commits")
}

// One statement the server refuses does not fail the others it was batched
// with: they are committed, and only the refused one reports its error.
func TestGroupCommitIsolatesARefusedStatement(t *testing.T) {
	db, _ := storetest.MustOpenPostgres(t)
	ctx := context.Background()
	table := scratchTable(t, db, "n INT PRIMARY KEY")

	errs := db.CommitTogether(ctx,
		"INSERT INTO "+table+" VALUES (1) RETURNING n",
		"SELECT 1 / 0",
		"INSERT INTO "+table+" VALUES (2) RETURNING n")

	assert.NoError(t, errs[0])
	var pgErr *pgconn.PgError
	require.ErrorAs(t, errs[1], &pgErr)
	assert.Equal(t, "22012", pgErr.Code, "division by zero")
	assert.NoError(t, errs[2])
	var stored []int
	require.NoError(t, db.Gorm().Raw("SELECT n FROM "+table+" ORDER BY n").Scan(&stored).Error)
	assert.Equal(t, []int{1, 2}, stored)
}

// A batch is one transaction: its statements are committed together, with
// one transaction id between them.
func TestGroupCommitBatchIsOneTransaction(t *testing.T) {
	db, _ := storetest.MustOpenPostgres(t)
	ctx := context.Background()
	table := scratchTable(t, db, "n INT, tx BIGINT")

	before, _ := db.GroupCommits()
	for _, err := range db.CommitTogether(ctx,
		"INSERT INTO "+table+" VALUES (1, txid_current()) RETURNING n",
		"INSERT INTO "+table+" VALUES (2, txid_current()) RETURNING n",
		"INSERT INTO "+table+" VALUES (3, txid_current()) RETURNING n") {
		require.NoError(t, err)
	}
	after, _ := db.GroupCommits()
	assert.Equal(t, before+1, after, "three statements, one commit")
	var txs int
	require.NoError(t, db.Gorm().Raw("SELECT COUNT(DISTINCT tx) FROM "+table).Scan(&txs).Error)
	assert.Equal(t, 1, txs)
}

// scratchTable creates a table of the given columns for one test, dropped
// after it, and returns its name.
func scratchTable(t *testing.T, db *store.DB, columns string) string {
	t.Helper()
	table := fmt.Sprintf("group_commit_probe_%d", time.Now().UnixNano())
	require.NoError(t, db.Gorm().Exec("CREATE TABLE "+table+" ("+columns+")").Error)
	t.Cleanup(func() { db.Gorm().Exec("DROP TABLE " + table) })
	return table
}

// A request whose caller has gone (its context ended while it waited in the
// queue) is not sent: it was never acknowledged, so nothing of it is written.
func TestGroupCommitSkipsACallerThatHasGone(t *testing.T) {
	db, _ := storetest.MustOpenPostgres(t)
	table := scratchTable(t, db, "n INT")
	gone, cancel := context.WithCancel(context.Background())
	cancel()

	errs := db.CommitTogether(gone, "INSERT INTO "+table+" VALUES (1) RETURNING n")

	require.ErrorIs(t, errs[0], context.Canceled)
	var stored int
	require.NoError(t, db.Gorm().Raw("SELECT COUNT(*) FROM "+table).Scan(&stored).Error)
	assert.Zero(t, stored)
}

// A write after the store has closed (a request that outlived the shutdown)
// is refused as unavailable, a 503 the client may retry, not a 500.
func TestGroupCommitAfterCloseIsUnavailable(t *testing.T) {
	db, _ := storetest.MustOpenPostgres(t)
	require.NoError(t, db.Close())

	_, _, err := db.CreateSession(context.Background(), pulse.NewSession{Category: "Admissions", Provider: pulse.ProviderDaily}, time.Now())

	assert.Equal(t, pulse.EUNAVAILABLE, pulse.ErrorCode(err))
}
