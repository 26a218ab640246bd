package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

// mustIncident records an incident of rule the way the evaluator does:
// `bad` bad evaluations (3 open it), then `good` good ones (2 resolve it),
// 30 s apart from at, with one notification channel ("slack").
func mustIncident(t *testing.T, db *store.DB, rule pulse.AlertRule, sev pulse.Severity, at time.Time, bad, good int) {
	t.Helper()
	ctx := context.Background()
	h := pulse.Hysteresis{FailureThreshold: 3, SuccessThreshold: 2}
	for i := range bad + good {
		recs, err := db.RuleRecords(ctx)
		require.NoError(t, err)
		prev, ok := recs[rule]
		if !ok {
			prev = pulse.RuleRecord{Rule: rule}
		}
		obs := pulse.Observation{Rule: rule, Severity: pulse.SeverityOK}
		if i < bad {
			obs = pulse.Observation{Rule: rule, Severity: sev, Reasons: []string{"error rate 7.1% > 5.0%"}}
		}
		next, tr := h.Step(prev.State, obs.Severity)
		var channels []string
		if tr.Notifies() {
			channels = []string{"slack"}
		}
		when := at.Add(time.Duration(i) * 30 * time.Second)
		_, err = db.RecordEvaluation(ctx, pulse.Evaluation{Prev: prev, Next: next, Transition: tr, Observation: obs, At: when,
			Channels: channels, GiveUpAt: when.Add(10 * time.Minute)})
		require.NoError(t, err)
	}
}

func TestIncidents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		now := h.clock.Now()
		monitor := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
		content := h.mustAdmin("content@example.org", pulse.RoleContentManager)
		mustIncident(t, db, pulse.RuleErrorRate, pulse.SeverityCritical, now.Add(-9*24*time.Hour), 3, 2) // before the window
		mustIncident(t, db, pulse.RuleErrorRate, pulse.SeverityCritical, now.Add(-2*time.Hour), 3, 2)    // resolved after 1 min
		mustIncident(t, db, pulse.RulePool, pulse.SeverityDegraded, now.Add(-10*time.Minute), 4, 0)      // still open

		list := func(t *testing.T, query string) []any {
			t.Helper()
			r := h.admin("/api/admin/incidents"+query, monitor)
			require.Equal(t, http.StatusOK, r.Code, r.Body.String())
			return r.json(t)["incidents"].([]any)
		}

		t.Run("LastSevenDaysNewestFirst", func(t *testing.T) {
			got := list(t, "")
			require.Len(t, got, 2)
			open, resolved := got[0].(map[string]any), got[1].(map[string]any)
			assert.Equal(t, "pool", open["rule"])
			assert.Equal(t, "Database connection pool", open["rule_name"])
			assert.Equal(t, "open", open["status"])
			assert.Equal(t, "degraded", open["severity"])
			assert.Nil(t, open["resolved_at"])
			assert.Nil(t, open["duration_seconds"])
			assert.Equal(t, false, open["silenced"])

			assert.Equal(t, "error_rate", resolved["rule"])
			assert.Equal(t, "resolved", resolved["status"])
			assert.Equal(t, "critical", resolved["severity"])
			assert.Equal(t, "API error rate (last hour): error rate 7.1% > 5.0%", resolved["summary"])
			assert.Equal(t, []any{"error rate 7.1% > 5.0%"}, resolved["reasons"])
			assert.EqualValues(t, 60, resolved["duration_seconds"])
			assert.NotNil(t, resolved["resolved_at"])
			notes := resolved["notifications"].([]any)
			require.Len(t, notes, 2, "open and resolved, one channel")
			first := notes[0].(map[string]any)
			assert.Equal(t, map[string]any{"channel": "slack", "event": "opened", "status": "pending", "attempts": 0.0,
				"last_error": nil, "delivered_at": nil, "created_at": first["created_at"]}, first)
			events := resolved["events"].([]any)
			require.Len(t, events, 2)
			assert.Equal(t, "opened", events[0].(map[string]any)["kind"])
			assert.Equal(t, "resolved", events[1].(map[string]any)["kind"])
		})
		t.Run("OnlyOpen", func(t *testing.T) {
			got := list(t, "?status=open")
			require.Len(t, got, 1)
			assert.Equal(t, "pool", got[0].(map[string]any)["rule"])
		})
		t.Run("OnlyResolvedSinceTenDays", func(t *testing.T) {
			got := list(t, "?status=resolved&since="+url.QueryEscape(now.Add(-10*24*time.Hour).Format(time.RFC3339)))
			assert.Len(t, got, 2)
		})
		t.Run("SilencedNowShowsOnTheOpenIncident", func(t *testing.T) {
			s, err := pulse.NewSilence("pool", now, now.Add(time.Hour), "pool resize", "ops@example.org")
			require.NoError(t, err)
			s, err = db.CreateSilence(context.Background(), s)
			require.NoError(t, err)
			got := list(t, "?status=open")
			assert.Equal(t, true, got[0].(map[string]any)["silenced"])
			require.NoError(t, db.DeleteSilence(context.Background(), s.ID))
		})
		t.Run("BadQueryIsInvalid", func(t *testing.T) {
			for _, q := range []string{"?status=closed", "?since=yesterday", "?since=2026-11-26"} {
				r := h.admin("/api/admin/incidents"+q, monitor)
				assert.Equal(t, http.StatusUnprocessableEntity, r.Code, q)
				assert.Equal(t, pulse.EINVALID, r.errorCode(t), q)
			}
		})
		t.Run("ContentManagerForbidden", func(t *testing.T) {
			assert.Equal(t, http.StatusForbidden, h.admin("/api/admin/incidents", content).Code)
		})
		t.Run("NoTokenUnauthorized", func(t *testing.T) {
			assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, "/api/admin/incidents", "").Code)
		})
	})
}

func TestSilencesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		super := h.mustAdmin("super@example.org", pulse.RoleSuperAdmin)
		monitor := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
		post := func(token, body string) response {
			return h.do(http.MethodPost, "/api/admin/silences", body, "Authorization", "Bearer "+token)
		}
		var id float64

		t.Run("CreatedForADuration", func(t *testing.T) {
			r := post(super, `{"rule":"provider:livekit","duration":"2h","reason":"LiveKit upgrade"}`)
			require.Equal(t, http.StatusCreated, r.Code, r.Body.String())
			m := r.json(t)
			id = m["id"].(float64)
			assert.Equal(t, "provider:livekit", m["rule"])
			assert.Equal(t, "super@example.org", m["created_by"])
			assert.Equal(t, h.clock.Now().Add(2*time.Hour).Format(time.RFC3339), m["ends_at"])
		})
		t.Run("CreatedUntilATime", func(t *testing.T) {
			ends := h.clock.Now().Add(30 * time.Minute).Format(time.RFC3339)
			r := post(super, `{"rule":"all","ends_at":"`+ends+`","reason":"database failover"}`)
			require.Equal(t, http.StatusCreated, r.Code, r.Body.String())
		})
		t.Run("ListedSoonestEndFirst", func(t *testing.T) {
			r := h.admin("/api/admin/silences", super)
			require.Equal(t, http.StatusOK, r.Code)
			got := r.json(t)["silences"].([]any)
			require.Len(t, got, 2)
			assert.Equal(t, "all", got[0].(map[string]any)["rule"])
		})
		t.Run("Invalid", func(t *testing.T) {
			for name, body := range map[string]string{
				"UnknownRule":      `{"rule":"livekit","duration":"2h","reason":"x"}`,
				"NoReason":         `{"rule":"all","duration":"2h","reason":""}`,
				"BadDuration":      `{"rule":"all","duration":"two hours","reason":"x"}`,
				"NegativeDuration": `{"rule":"all","duration":"-1h","reason":"x"}`,
				"BothEnds":         `{"rule":"all","duration":"1h","ends_at":"2030-01-01T00:00:00Z","reason":"x"}`,
				"NeitherEnd":       `{"rule":"all","reason":"x"}`,
				"OverThirtyDays":   `{"rule":"all","duration":"800h","reason":"x"}`,
			} {
				r := post(super, body)
				assert.Equal(t, http.StatusUnprocessableEntity, r.Code, name)
				assert.Equal(t, pulse.EINVALID, r.errorCode(t), name)
			}
		})
		t.Run("MalformedBody", func(t *testing.T) {
			assert.Equal(t, http.StatusBadRequest, post(super, `{"rule":`).Code)
		})
		t.Run("MonitorForbidden", func(t *testing.T) {
			assert.Equal(t, http.StatusForbidden, post(monitor, `{"rule":"all","duration":"1h","reason":"x"}`).Code)
			assert.Equal(t, http.StatusForbidden, h.admin("/api/admin/silences", monitor).Code)
		})
		del := func(path string) response {
			return h.do(http.MethodDelete, path, "", "Authorization", "Bearer "+super)
		}
		t.Run("DeletedOnce", func(t *testing.T) {
			path := "/api/admin/silences/" + formatID(id)
			assert.Equal(t, http.StatusNoContent, del(path).Code)
			r := del(path)
			assert.Equal(t, http.StatusNotFound, r.Code)
			assert.Equal(t, pulse.ENOTFOUND, r.errorCode(t))
			assert.Len(t, h.admin("/api/admin/silences", super).json(t)["silences"].([]any), 1)
		})
		t.Run("DeleteBadID", func(t *testing.T) {
			assert.Equal(t, http.StatusUnprocessableEntity, del("/api/admin/silences/abc").Code)
		})
	})
}

func formatID(f float64) string { return strconv.FormatInt(int64(f), 10) }
