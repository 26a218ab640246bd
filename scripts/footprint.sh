#!/usr/bin/env bash
# Footprint: bytes per row of each growing table as PostgreSQL stores it
# (pg_total_relation_size: heap, TOAST and every index, after VACUUM), and the
# size a year at the default retention comes to. Creates a scratch database,
# migrates it with pulse, inserts N rows per table through SQL, measures, and
# drops it. Run by hand: scripts/footprint.sh [N] (default 200000).
#   PULSE_FOOTPRINT_ADMIN_URL  a server URL whose user may CREATE DATABASE
#                              (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
#   SESSIONS_PER_DAY=50000 REPLICAS=3 PROVIDERS=3 CHECK_EVERY_S=30
#   SESSION_DAYS=90 ROLLUP_DAYS=7 CHECK_DAYS=30 HIST_BYTES=200
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200000}"
admin="${PULSE_FOOTPRINT_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
db="pulse_footprint_$$"
scratch="$(printf '%s' "$admin" | sed -E "s#^(postgres(ql)?://[^/]+)/[^?]*#\1/$db#")"
spd="${SESSIONS_PER_DAY:-50000}" replicas="${REPLICAS:-3}" providers="${PROVIDERS:-3}" every="${CHECK_EVERY_S:-30}"
sdays="${SESSION_DAYS:-90}" rdays="${ROLLUP_DAYS:-7}" cdays="${CHECK_DAYS:-30}" hist="${HIST_BYTES:-200}"

psql -q -v ON_ERROR_STOP=1 "$admin" -c "CREATE DATABASE $db"
trap 'psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" >/dev/null' EXIT
(cd backend && PULSE_DATABASE_URL="$scratch" PULSE_LOG_LEVEL=warn go run ./cmd/pulse migrate 2>/dev/null)

echo "inserting $n rows per table…" >&2
psql -q -v ON_ERROR_STOP=1 "$scratch" <<SQL
-- A finished session as ingestion leaves it: a provider room id (36
-- characters), quality samples, ended. Spread over time like real starts.
INSERT INTO sessions (id, category_id, provider, external_id, started_at, last_seen_at, ended_at,
                      quality_sum, quality_count, last_quality_at)
SELECT gen_random_uuid(), 1 + g % 6, (ARRAY['daily','livekit','beyond_presence'])[1 + g % 3],
       gen_random_uuid()::text, t, t + interval '45 minutes', t + interval '50 minutes', 3 * 30, 30, t + interval '45 minutes'
FROM generate_series(1, $n) g, LATERAL (SELECT now() - g * interval '10 seconds' AS t) s;
-- One minute of one replica: counters and a busy minute's sparse histogram.
INSERT INTO request_rollups (minute, instance, requests, errors, client_errors, histogram)
SELECT date_trunc('minute', now()) - g * interval '1 minute', 'pulse-7f9c2d-a1b2c3d4', 5000, 12, 40,
       (SELECT decode(string_agg(lpad(to_hex((random() * 255)::int), 2, '0'), ''), 'hex') FROM generate_series(1, $hist) WHERE g > 0)
FROM generate_series(1, $n) g;
INSERT INTO provider_checks (service, status, latency_ms, detail, checked_at)
SELECT (ARRAY['daily_co','livekit','beyond_presence'])[1 + g % 3], 'operational', 84.2, 'HTTP 200 in 84 ms',
       now() - g * interval '10 seconds'
FROM generate_series(1, $n) g;
INSERT INTO session_daily (day, category_id, sessions, excellent, good, fair, poor)
SELECT date '1900-01-01' + g, 1, 8000, 3000, 3000, 1500, 500 FROM generate_series(1, $n) g;
VACUUM ANALYZE;
SQL

bytes() { psql -qAt "$scratch" -c "SELECT pg_total_relation_size('$1') / $n.0"; }
s=$(bytes sessions) r=$(bytes request_rollups) c=$(bytes provider_checks) d=$(bytes session_daily)
awk -v n="$n" -v s="$s" -v r="$r" -v c="$c" -v d="$d" -v spd="$spd" -v rep="$replicas" -v prov="$providers" \
    -v every="$every" -v sdays="$sdays" -v rdays="$rdays" -v cdays="$cdays" 'BEGIN {
  mib = 1024 * 1024
  printf "measured on %d rows per table (pg_total_relation_size / rows, indexes included)\n", n
  printf "  sessions         %6.0f B/row\n  request_rollups  %6.0f B/row\n  provider_checks  %6.0f B/row\n  session_daily    %6.0f B/row\n", s, r, c, d
  ns = spd * sdays; nr = 1440 * rdays * rep; nc = prov * 86400 / every * cdays; nd = 365 * 6
  printf "a year at %d sessions/day, default retention:\n", spd
  printf "  sessions         %9d rows (%d days)                 %8.1f MiB\n", ns, sdays, ns * s / mib
  printf "  request_rollups  %9d rows (%d days x %d replicas)      %8.1f MiB\n", nr, rdays, rep, nr * r / mib
  printf "  provider_checks  %9d rows (%d days x %d x every %ds)  %8.1f MiB\n", nc, cdays, prov, every, nc * c / mib
  printf "  session_daily    %9d rows (365 days x 6 categories)   %8.1f MiB\n", nd, nd * d / mib
  printf "  total                                                  %8.1f MiB\n", (ns * s + nr * r + nc * c + nd * d) / mib
}'
