package providers

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

// logBuffer captures a logger's lines, safe for concurrent writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Take returns what was logged since the last Take.
func (b *logBuffer) Take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	b.buf.Reset()
	return s
}

func newLogBuffer() (*logBuffer, *slog.Logger) {
	b := &logBuffer{}
	return b, slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

const (
	logLeads      = "this instance now runs the provider checks"
	logLost       = "lost the database connection holding leadership"
	logUnreached  = "could not reach the database to elect a leader"
	logOtherNow   = "another instance runs the provider checks now"
	logOther      = "another instance runs the provider checks"
	logCannotAsk  = "could not ask for leadership"
	anotherLeader = "another instance"
)

// The log says what happened to leadership, each change once: losing the
// database is not "another instance leads".
func TestLeadershipLog(t *testing.T) {
	cfg, _ := allProviders(t)
	leader := &fakeLeader{}
	logs, log := newLogBuffer()
	c := newTestChecker(t, cfg, Deps{Leader: leader, Logger: log})
	down := pulse.Wrap(errors.New("dial tcp: connection refused"), pulse.EUNAVAILABLE, "The database cannot be reached; try again shortly.")

	for _, step := range []struct {
		name string
		ok   bool
		err  error
		want string // "" when nothing about leadership is logged
	}{
		{"Elected", true, nil, logLeads},
		{"StillLeading", true, nil, ""},
		{"ConnectionLost", false, down, logLost},
		{"StillUnreachable", false, down, logUnreached},
		{"AnotherLeadsOnceBack", false, nil, logOther},
		{"StillFollowing", false, nil, ""},
		{"ElectedAgain", true, nil, logLeads},
		{"Overtaken", false, nil, logOtherNow},
		{"LeaderBug", false, errors.New("scan: unexpected type"), logCannotAsk},
	} {
		leader.Set(step.ok, step.err)
		c.round(t.Context())
		got := logs.Take()
		if step.want == "" {
			assert.NotContains(t, got, "leader", step.name)
			assert.NotContains(t, got, "provider checks", step.name)
			continue
		}
		assert.Contains(t, got, step.want, step.name)
		if step.err != nil {
			assert.NotContains(t, got, anotherLeader, "%s: an outage is not another leader", step.name)
		}
	}
}

// withApplicationName names a DSN's connections, so that a test can count
// its own in pg_stat_activity.
func withApplicationName(t *testing.T, dsn, name string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// leaderBackends lists the server pids of the connections named name.
func leaderBackends(t *testing.T, admin *pgx.Conn, name string) []int32 {
	t.Helper()
	rows, err := admin.Query(t.Context(), `SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid`, name)
	require.NoError(t, err)
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	require.NoError(t, err)
	return pids
}

func TestLeaderOnPostgres(t *testing.T) {
	t.Run("OneConnectionForTheLifeOfLeadership", func(t *testing.T) {
		_, dsn := storetest.MustOpenPostgres(t)
		app := "pulse_test_" + rand.Text() // one of this test's own
		db, err := store.Open(t.Context(), withApplicationName(t, dsn, app), store.Options{MaxOpenConns: 2})
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		admin, err := pgx.Connect(t.Context(), dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = admin.Close(context.Background()) })

		cfg, _ := allProviders(t)
		c := newTestChecker(t, cfg, Deps{Store: db, Leader: db})
		c.round(t.Context())
		first := leaderBackends(t, admin, app+" leader")
		require.Len(t, first, 1, "one connection holds the lock")
		for range 4 {
			c.round(t.Context())
			assert.Equal(t, first, leaderBackends(t, admin, app+" leader"), "the same connection, round after round")
		}

		// Lost (the server ends it): the next round reconnects, once.
		_, err = admin.Exec(t.Context(), `SELECT pg_terminate_backend($1)`, first[0])
		require.NoError(t, err)
		require.Eventually(t, func() bool { return len(leaderBackends(t, admin, app+" leader")) == 0 }, 5*time.Second, 10*time.Millisecond)
		c.round(t.Context())
		again := leaderBackends(t, admin, app+" leader")
		require.Len(t, again, 1)
		assert.NotEqual(t, first, again)
		assert.Equal(t, roleLeader, c.role)

		c.stepDown()
		assert.Eventually(t, func() bool { return len(leaderBackends(t, admin, app+" leader")) == 0 },
			5*time.Second, 10*time.Millisecond, "stepping down closes it")
	})

	t.Run("OutageIsLoggedTruthfully", func(t *testing.T) {
		_, dsn := storetest.MustOpenPostgres(t)
		proxy, proxied := storetest.NewPostgresProxy(t, dsn)
		a, err := store.Open(t.Context(), proxied, store.Options{MaxOpenConns: 2})
		require.NoError(t, err)
		t.Cleanup(func() { _ = a.Close() })
		b, err := store.Open(t.Context(), dsn, store.Options{MaxOpenConns: 2}) // another replica, on a network that works
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })

		cfg, _ := allProviders(t)
		logs, log := newLogBuffer()
		c := newTestChecker(t, cfg, Deps{Store: a, Leader: a, Logger: log})
		c.round(t.Context())
		require.Contains(t, logs.Take(), logLeads)

		proxy.Drop() // the network to the database fails: connections cut, new ones refused
		c.round(t.Context())
		got := logs.Take()
		assert.Contains(t, got, logLost)
		assert.NotContains(t, got, anotherLeader)

		c.round(t.Context())
		got = logs.Take()
		assert.Contains(t, got, logUnreached)
		assert.NotContains(t, got, anotherLeader)

		// Meanwhile the other replica, which still reaches the database, takes over.
		var releaseB func()
		require.Eventually(t, func() bool {
			release, ok, err := b.TryLead(t.Context(), LeaderJob)
			releaseB = release
			return err == nil && ok
		}, 5*time.Second, 20*time.Millisecond, "the lock went with the lost connection")

		proxy.Forward()
		c.round(t.Context())
		assert.Contains(t, logs.Take(), logOther, "now it is true")
		assert.Equal(t, roleFollower, c.role)

		releaseB()
		c.round(t.Context())
		assert.Contains(t, logs.Take(), logLeads)
	})
}
