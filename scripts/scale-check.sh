#!/usr/bin/env bash
# Scale check: 5 million sessions in the 30-day window on PostgreSQL, then the
# time the dashboard's endpoints take to answer. Not part of make test (it
# takes a few minutes); run it by hand: scripts/scale-check.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-5000000}"
base="${PULSE_SCALE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
schema="pulse_scale"
port=18766

psql -q "$base" -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema;"
dsn="$base&search_path=$schema"
export PULSE_DATABASE_URL="$dsn" PULSE_ADDR="127.0.0.1:$port" PULSE_JWT_SECRET="scale-check-scale-check-scale-check-x" PULSE_LOG_LEVEL=warn
bin/pulse migrate
echo 'a-long-password' | bin/pulse admin create --email scale@example.org --role SYSTEM_MONITOR --password-stdin >/dev/null

echo "inserting $n sessions over 30 days (about 1 in 2000 still open)…"
time psql -q -v ON_ERROR_STOP=1 "$base" <<SQL
SET search_path = $schema;
INSERT INTO sessions (id, category_id, provider, started_at, last_seen_at, ended_at, quality_sum, quality_count, last_quality_at)
SELECT gen_random_uuid(), 1 + (i % 6), (ARRAY['daily','livekit','beyond_presence'])[1 + i % 3],
       now() - (i::float / $n) * interval '30 days',
       now() - (i::float / $n) * interval '30 days' + interval '20 minutes',
       CASE WHEN i % 2000 = 0 THEN NULL ELSE now() - (i::float / $n) * interval '30 days' + interval '40 minutes' END,
       q * 3, 3, now() - (i::float / $n) * interval '30 days' + interval '20 minutes'
FROM generate_series(1, $n) AS i, LATERAL (SELECT 1 + (i::bigint * 7919) % 4 AS q) s;
\i scripts/rebuild-rollups.sql
ANALYZE;
SQL

bin/pulse serve >/tmp/pulse-scale.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; psql -q "$base" -c "DROP SCHEMA IF EXISTS $schema CASCADE"' EXIT
for _ in $(seq 1 60); do curl -fs "localhost:$port/readyz" >/dev/null && break; sleep 0.5; done
curl -s -c /tmp/pulse-scale.jar -X POST "localhost:$port/api/admin/auth/login" -H 'Content-Type: application/json' -d '{"email":"scale@example.org","password":"a-long-password"}' >/dev/null
for path in current sessions errors; do
  curl -s -b /tmp/pulse-scale.jar "localhost:$port/api/admin/metrics/$path" >/dev/null  # warm
  total=0
  for _ in $(seq 1 20); do
    t=$(curl -s -o /dev/null -w '%{time_total}' -b /tmp/pulse-scale.jar "localhost:$port/api/admin/metrics/$path")
    total=$(python3 -c "print($total + $t)")
  done
  python3 -c "print('GET /api/admin/metrics/$path: mean %.1f ms over 20 requests' % ($total / 20 * 1000))"
done
curl -s -b /tmp/pulse-scale.jar "localhost:$port/api/admin/metrics/sessions"; echo
