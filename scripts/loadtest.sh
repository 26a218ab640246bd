#!/usr/bin/env bash
# Load test (make loadtest-reliability, the first half of make loadtest; not part of make test): one Pulse server on a
# fresh PostgreSQL database, 500 dashboards polling the four metrics
# endpoints while the platform ingests at >= 1,000 requests/s, driven by
# backend/tools/loadgen in a process of its own. It reports errors, what was
# acknowledged against what the database holds, p50/p95/p99 per endpoint and
# the server's peak RSS, and exits 1 when a target is missed (any error, any
# acknowledged write missing or extra, telemetry that disagrees with what was
# answered). Traffic goes to 127.0.0.1 only; every loop ends with the run.
#
# LOADTEST_DURATION (60s), LOADTEST_RATE (1200 ingestion req/s),
# LOADTEST_DASHBOARDS (500), LOADTEST_WORKERS (64 ingestion clients),
# LOADTEST_PG (postgres://postgres@127.0.0.1:5432, a role that may create
# databases), LOADTEST_PORT (18767). The database pulse_loadtest is created
# and dropped.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${LOADTEST_DURATION:-60s}"
rate="${LOADTEST_RATE:-1200}"
dashboards="${LOADTEST_DASHBOARDS:-500}"
workers="${LOADTEST_WORKERS:-64}"
pg="${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}"
port="${LOADTEST_PORT:-18767}"
db=pulse_loadtest
maint="$pg/postgres?sslmode=disable"
export PGOPTIONS="--client-min-messages=warning"
dsn="$pg/$db?sslmode=disable"
work=$(mktemp -d)
pid=""

cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  psql -qX "$maint" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

[[ -x bin/pulse ]] || { echo "bin/pulse is missing: run make backend (make loadtest-reliability does)"; exit 2; }
(cd backend && go build -o "$work/loadgen" ./tools/loadgen)
psql -qX -v ON_ERROR_STOP=1 "$maint" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null

export PULSE_DATABASE_URL="$dsn" PULSE_ADDR="127.0.0.1:$port"
PULSE_JWT_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export PULSE_JWT_SECRET
password="loadtest-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
bin/pulse migrate 2>/dev/null
echo "$password" | bin/pulse admin create --email loadtest@example.org --role SYSTEM_MONITOR --password-stdin >/dev/null
key=$(bin/pulse apikey create --name loadtest 2>/dev/null)

# The server logs at its default level (info: one line per request), as in production.
bin/pulse serve >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do curl -fs "127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
curl -fs "127.0.0.1:$port/readyz" >/dev/null || { cat "$work/server.log"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
ticks0=$(cpu_ticks)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "loadtest: $duration, $dashboards dashboards, ingestion paced to $rate req/s by $workers clients, server pid $pid"
echo "$password" | "$work/loadgen" -url "http://127.0.0.1:$port" -key "$key" -rate "$rate" -workers "$workers" \
  -dashboard "$dashboards" -admin-email loadtest@example.org -admin-password-stdin -duration "$duration" -summary \
  >"$work/loadgen.out"
ticks1=$(cpu_ticks)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
peak_rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")

# SIGTERM drains and writes the last telemetry, so the rollups are complete.
kill -TERM "$pid"
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
wait "$pid" || { echo "server exited with an error:"; tail -20 "$work/server.log"; exit 1; }
pid=""

get() { sed -n "s/^$1=//p" "$work/loadgen.out"; }
q() { psql -qXAt "$dsn" -c "$1"; }
sessions=$(q "SELECT count(*) FROM sessions")
samples=$(q "SELECT coalesce(sum(quality_count), 0) FROM sessions")
ends=$(q "SELECT count(*) FROM sessions WHERE ended_at IS NOT NULL")
rolled=$(q "SELECT coalesce(sum(requests), 0) FROM request_rollups")
rolled_5xx=$(q "SELECT coalesce(sum(errors), 0) FROM request_rollups")
cpu=$(awk -v a="$ticks0" -v b="$ticks1" -v hz="$(getconf CLK_TCK)" -v s="$(get elapsed_s)" 'BEGIN { printf "%.2f", (b - a) / hz / s }')

echo
sed -n '/^|/p; /^ingestion /p; /^errors on /p' "$work/loadgen.out"
echo
echo "| check | acknowledged / answered | in the database | |"
echo "|---|--:|--:|---|"
fails=0
row() { # name, expected, actual
  local mark=ok
  [[ "$2" == "$3" ]] || { mark=MISMATCH; fails=$((fails + 1)); }
  echo "| $1 | $2 | $3 | $mark |"
}
row "sessions started (201)" "$(get ack_sessions)" "$sessions"
row "quality samples (204)" "$(get ack_samples)" "$samples"
row "sessions ended (200)" "$(get ack_ends)" "$ends"
row "API requests answered vs request_rollups" "$(get answered)" "$rolled"
row "5xx answers vs request_rollups errors" "0" "$rolled_5xx"
echo
errors=$(get errors)
echo "errors (not acknowledged, incl. no answer): $errors"
echo "server peak RSS (VmHWM): $((peak_rss_kb / 1024)) MiB; threads at the end: $threads; CPU: $cpu cores on average"
echo "machine: $(nproc) cores, shared by the server, PostgreSQL, the load tool and anything else running;"
echo "  load average (1, 5, 15 min) before: $load0, after: $load1"
[[ "$errors" == 0 ]] || fails=$((fails + 1))
(( $(get ingest_rps) >= 1000 )) || { echo "ingestion below 1,000 req/s"; fails=$((fails + 1)); }
if ((fails > 0)); then echo "RESULT: $fails target(s) missed"; exit 1; fi
echo "RESULT: every target met"
