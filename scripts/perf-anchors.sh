#!/usr/bin/env bash
# Performance anchors (not part of make test; run by hand, it takes a few
# minutes): each Pulse figure beside an anchor measured in the same run, on
# the same machine, against a local PostgreSQL, and the ratio. The table it
# prints is the one in docs/performance.md.
#
#   1. 500 dashboards: wrk -t2 -c500 -d30s on /api/admin/metrics/current, then
#      on /external-services (the same guard, snapshot and JSON, no database
#      read) and /healthz (no guard, no JSON); database transactions per
#      request, errors, the server's peak RSS.
#   2. /current uncached (PULSE_SNAPSHOT_INTERVAL_CURRENT=0), one client:
#      p50/p99 at PERF_SESSIONS sessions with PERF_SAMPLED of them sampled in
#      the last hour, beside /sessions (the per-day summary).
#   3. Ingestion: backend/tools/loadgen, 16 workers, 20 s, then
#      pgbench -c16 -j2 -T20 -N on a scratch database, back to back;
#      acknowledged writes against stored rows, transactions per request,
#      log lines written at the default level.
#
# Settings: PERF_PG (postgres://postgres@127.0.0.1:5432, a role that may
# create databases), PERF_SESSIONS (5000000), PERF_SAMPLED (50000),
# PERF_PORT (18768), PERF_ONLY (all | dashboards | uncached | ingestion),
# PERF_KEEP=1 keeps the databases for a look afterwards. The databases
# pulse_perf and pulse_perf_pgbench are created and dropped.
set -euo pipefail
cd "$(dirname "$0")/.."
pg="${PERF_PG:-postgres://postgres@127.0.0.1:5432}"
sessions="${PERF_SESSIONS:-5000000}"
sampled="${PERF_SAMPLED:-50000}"
port="${PERF_PORT:-18768}"
only="${PERF_ONLY:-all}"
db=pulse_perf bench_db=pulse_perf_pgbench
maint="$pg/postgres?sslmode=disable"
dsn="$pg/$db?sslmode=disable"
base="http://127.0.0.1:$port"
export PGOPTIONS="--client-min-messages=warning"
work=$(mktemp -d)
pid=""
results="$work/results"

for tool in wrk pgbench psql curl; do
  command -v "$tool" >/dev/null || { echo "perf-anchors: $tool is required" >&2; exit 2; }
done

stop_server() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  pid=""
}
cleanup() {
  stop_server
  if [[ -z "${PERF_KEEP:-}" ]]; then
    psql -qX "$maint" -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS $bench_db" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Built as the image builds it (backend/Dockerfile): a smaller binary maps fewer pages.
(cd backend && go build -trimpath -ldflags='-s -w' -o "$work/pulse" ./cmd/pulse && go build -o "$work/loadgen" ./tools/loadgen)
psql -qX -v ON_ERROR_STOP=1 "$maint" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null

export PULSE_DATABASE_URL="$dsn" PULSE_ADDR="127.0.0.1:$port"
PULSE_JWT_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export PULSE_JWT_SECRET
password="perf-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$work/pulse" migrate 2>/dev/null
echo "$password" | "$work/pulse" admin create --email perf@example.org --role SYSTEM_MONITOR --password-stdin >/dev/null
key=$("$work/pulse" apikey create --name perf 2>/dev/null)

q() { psql -qXAt "$dsn" -c "$1"; }
commits() { q "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$db'"; }

start_server() { # env assignments for the server, if any
  # GOMEMLIMIT as the image sets it (backend/Dockerfile), unless given.
  env GOMEMLIMIT="${GOMEMLIMIT:-32MiB}" "$@" "$work/pulse" serve >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 60); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.5; done
  curl -fs "$base/readyz" >/dev/null || { cat "$work/server.log"; exit 1; }
}

token() {
  curl -fs -c "$work/jar" -H 'Content-Type: application/json' -X POST "$base/api/admin/auth/login" \
    -d "{\"email\":\"perf@example.org\",\"password\":\"$password\"}" >/dev/null
  awk '$6 == "admin_token" {print $7}' "$work/jar"
}

# wrk_run NAME PATH CONNS DURATION THREADS: runs wrk with the admin cookie and
# appends NAME rps p50 p99 errors txPerRequest to $results.
wrk_run() {
  local name=$1 path=$2 conns=$3 dur=$4 threads=$5 out c0 c1
  out="$work/wrk-$name.txt"
  c0=$(commits)
  wrk -t"$threads" -c"$conns" -d"$dur" --latency -H "Cookie: admin_token=$tok" "$base$path" >"$out"
  c1=$(commits)
  awk -v name="$name" -v tx=$((c1 - c0)) '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /requests in/ { n = $1 }
    /Non-2xx or 3xx responses:/ { errs += $5 }
    /Socket errors:/ { gsub(",", ""); errs += $4 + $6 + $8 + $10 }
    END { printf "%s %.0f %.2f %.2f %d %.5f %d\n", name, rps, p50, p99, errs, (n > 0 ? tx / n : 0), n }' "$out" >>"$results"
}
get() { awk -v k="$1" '$1 == k' "$results"; }
field() { get "$1" | awk -v f="$2" '{print $f}'; }

if [[ "$only" == all || "$only" == dashboards || "$only" == uncached ]]; then
  echo "loading $sessions sessions over 30 days, $sampled of them sampled in the last hour…" >&2
  psql -qX -v ON_ERROR_STOP=1 "$dsn" <<SQL
INSERT INTO sessions (id, category_id, provider, started_at, last_seen_at, ended_at, quality_sum, quality_count, last_quality_at)
SELECT gen_random_uuid(), 1 + (i % 6), (ARRAY['daily','livekit','beyond_presence'])[1 + i % 3],
       now() - interval '2 hours' - (i::float / $sessions) * interval '30 days',
       now() - interval '2 hours' - (i::float / $sessions) * interval '30 days' + interval '20 minutes',
       CASE WHEN i % 2000 = 0 THEN NULL ELSE now() - interval '2 hours' - (i::float / $sessions) * interval '30 days' + interval '40 minutes' END,
       q * 3, 3, now() - interval '2 hours' - (i::float / $sessions) * interval '30 days' + interval '20 minutes'
FROM generate_series(1, $sessions - $sampled) AS i, LATERAL (SELECT 1 + (i::bigint * 7919) % 4 AS q) s;
-- The sessions of the last hour: live, sampled within it.
INSERT INTO sessions (id, category_id, provider, started_at, last_seen_at, quality_sum, quality_count, last_quality_at)
SELECT gen_random_uuid(), 1 + (i % 6), 'daily', t - interval '10 minutes', t, q * 2 + 1, 2, t
FROM generate_series(1, $sampled) AS i,
     LATERAL (SELECT now() - (i::float / $sampled) * interval '59 minutes' AS t, 1 + (i::bigint * 7919) % 4 AS q) s;
\i scripts/rebuild-rollups.sql
VACUUM ANALYZE;
SQL
fi

: >"$results"
if [[ "$only" == all || "$only" == dashboards ]]; then
  start_server
  tok=$(token)
  curl -fs -H "Cookie: admin_token=$tok" "$base/api/admin/metrics/current" >/dev/null
  echo "500 dashboards on /current, then the anchors (30 s each)…" >&2
  wrk_run current /api/admin/metrics/current 500 30s 2
  rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  # What the peak is made of, as the run ends: the process's own memory, and
  # the binary's pages it has touched (shared, clean, reclaimable).
  anon_kb=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status")
  file_kb=$(awk '/^RssFile:/ {print $2}' "/proc/$pid/status")
  wrk_run external /api/admin/metrics/external-services 500 30s 2
  wrk_run healthz /healthz 500 30s 2
  echo "rss $rss_kb $anon_kb $file_kb" >>"$results"
  stop_server
fi

if [[ "$only" == all || "$only" == uncached ]]; then
  start_server PULSE_SNAPSHOT_INTERVAL_CURRENT=0 PULSE_SNAPSHOT_INTERVAL=0
  tok=$(token)
  echo "/current and /sessions uncached, one client, 20 s each…" >&2
  wrk_run uncached-current /api/admin/metrics/current 1 20s 1
  wrk_run uncached-sessions /api/admin/metrics/sessions 1 20s 1
  stop_server
fi

if [[ "$only" == all || "$only" == ingestion ]]; then
  psql -qX "$maint" -c "DROP DATABASE IF EXISTS $bench_db" -c "CREATE DATABASE $bench_db" >/dev/null
  pgbench -q -i -s 16 "$pg/$bench_db?sslmode=disable" >/dev/null 2>&1
  start_server # the default log level (info), as in production
  lines0=$(wc -l <"$work/server.log")
  stored() { q "SELECT count(*), coalesce(sum(quality_count), 0), count(*) FILTER (WHERE ended_at IS NOT NULL) FROM sessions" | tr '|' ' '; }
  kv() { awk -F= -v k="$2" '$1 == k {print $2}' "$1"; }
  metric() { curl -fs "$base/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
  # ingest_run NAME SAMPLES: loadgen, 16 workers, 20 s, SAMPLES samples per
  # session; appends NAME rps samples/s tx/request acked=stored... to $results.
  ingest_run() {
    local name=$1 samples=$2 out="$work/loadgen-$1.txt" c0 c1 b0 b1 s0 s1 before after
    read -r -a before < <(stored)
    c0=$(commits); b0=$(metric pulse_db_group_commits_total); s0=$(metric pulse_db_group_committed_statements_total)
    "$work/loadgen" -url "$base" -key "$key" -workers 16 -duration 20s -samples "$samples" -summary >"$out"
    c1=$(commits); b1=$(metric pulse_db_group_commits_total); s1=$(metric pulse_db_group_committed_statements_total)
    read -r -a after < <(stored)
    local answered elapsed
    answered=$(kv "$out" answered); elapsed=$(kv "$out" elapsed_s)
    echo "$name $(kv "$out" ingest_rps) $(awk -v n="$(kv "$out" ack_samples)" -v e="$elapsed" 'BEGIN {printf "%.0f", n / e}') \
$(awk -v t=$((c1 - c0)) -v n="$answered" 'BEGIN {printf "%.3f", t / n}') \
$(awk -v b=$((b1 - b0)) -v s=$((s1 - s0)) 'BEGIN {printf "%.1f", (b > 0 ? s / b : 0)}') \
$(kv "$out" ack_sessions) $((after[0] - before[0])) $(kv "$out" ack_samples) $((after[1] - before[1])) \
$(kv "$out" ack_ends) $((after[2] - before[2])) $(kv "$out" errors)" >>"$results"
    grep -E "req/s|errors on" "$out" >&2
  }
  echo "ingestion: loadgen, 16 workers, 20 s (4 samples a session, then 30); pgbench -c16 -j2 -T20 -N between…" >&2
  ingest_run ingest 4
  pgbench -c16 -j2 -T20 -N "$pg/$bench_db?sslmode=disable" >"$work/pgbench.txt" 2>&1
  ingest_run ingest30 30
  lines1=$(wc -l <"$work/server.log")
  stop_server
  tps=$(awk '/^tps = / {print $3; exit}' "$work/pgbench.txt")
  echo "pgbench $tps $((lines1 - lines0))" >>"$results"
  grep -E "^tps|latency average" "$work/pgbench.txt" >&2
fi

echo
echo "| what | Pulse | anchor in the same run | ratio |"
echo "|---|---|---|---|"
if [[ -n "$(get current)" ]]; then
  read -r _ rps p50 p99 errs tx n < <(get current)
  read -r _ arps _ ap99 _ _ _ < <(get external)
  read -r _ hrps _ hp99 _ _ _ < <(get healthz)
  rss=$(field rss 2); anon=$(field rss 3); file=$(field rss 4)
  awk -v rps="$rps" -v p50="$p50" -v p99="$p99" -v errs="$errs" -v tx="$tx" -v n="$n" -v rss="$rss" -v anon="$anon" -v file="$file" \
      -v arps="$arps" -v ap99="$ap99" -v hrps="$hrps" -v hp99="$hp99" 'BEGIN {
    printf "| 500 dashboards on `/current` (wrk -t2 -c500 -d30s) | %d req/s, p50 %.1f ms, p99 %.1f ms, %d errors, %.4f transactions/request, peak RSS %.0f MB (at the end: %.0f MB anonymous, %.0f MB of the binary) | `/external-services` (same guard and JSON, no database read): %d req/s, p99 %.1f ms; `/healthz`: %d req/s, p99 %.1f ms | %.2fx (p99 %.2fx) |\n",
      rps, p50, p99, errs, tx, rss / 1024, anon / 1024, file / 1024, arps, ap99, hrps, hp99, rps / arps, p99 / ap99 }'
fi
if [[ -n "$(get uncached-current)" ]]; then
  read -r _ _ p50 p99 _ _ _ < <(get uncached-current)
  read -r _ _ sp50 sp99 _ _ _ < <(get uncached-sessions)
  awk -v p50="$p50" -v p99="$p99" -v sp50="$sp50" -v sp99="$sp99" -v n="$sessions" -v s="$sampled" 'BEGIN {
    printf "| `/current` uncached, one client, %d sessions, %d sampled in the hour | p50 %.2f ms, p99 %.2f ms | `/sessions` from the summary: p50 %.2f ms, p99 %.2f ms | %.2fx |\n", n, s, p50, p99, sp50, sp99, p50 / sp50 }'
fi
if [[ -n "$(get ingest)" ]]; then
  read -r _ tps lines < <(get pgbench)
  for run in ingest ingest30; do
    read -r _ rps sps tx batch as ss asm ssm ae se errs < <(get "$run")
    mix=$([[ $run == ingest ]] && echo "4 samples a session" || echo "30 samples a session")
    awk -v mix="$mix" -v rps="$rps" -v sps="$sps" -v tx="$tx" -v batch="$batch" -v errs="$errs" -v tps="$tps" -v lines="$lines" \
        -v as="$as" -v ss="$ss" -v asm="$asm" -v ssm="$ssm" -v ae="$ae" -v se="$se" 'BEGIN {
      printf "| ingestion (loadgen, 16 workers, 20 s, %s) | %.0f req/s, %.0f quality samples/s, %d errors, %.3f transactions/request, %.1f statements per group commit, %d log lines; acknowledged = stored: sessions %d = %d, samples %d = %d, ends %d = %d | `pgbench -c16 -j2 -T20 -N`: %.0f tps | %.2fx |\n",
        mix, rps, sps, errs, tx, batch, lines, as, ss, asm, ssm, ae, se, tps, rps / tps }'
  done
fi
