#!/usr/bin/env bash
# Browser end-to-end test: the real Go server on a fresh SQLite database, fed
# by `pulse demo` (real sessions through the real ingestion API), the built
# dashboard, and Debian's chromium driven by playwright-core.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${E2E_PORT:-18765}"
workdir="$(mktemp -d)"
log="$workdir/pulse.log"
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$workdir"
}
trap cleanup EXIT

PULSE_ADDR="127.0.0.1:$port" PULSE_DATABASE_URL="$workdir/pulse.db" PULSE_STATIC_DIR="$PWD/frontend/dist" \
  PULSE_JWT_SECRET="e2e-secret-e2e-secret-e2e-secret-e2e" bin/pulse demo --backfill 24h >"$log" 2>&1 &
pid=$!

for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && grep -q "demo is running" "$log" && break
  kill -0 "$pid" 2>/dev/null || { echo "pulse demo exited:"; cat "$log"; exit 1; }
  sleep 0.5
done
# Let the live driver ingest sessions and quality samples first, so the
# screenshot shows a platform in motion.
sleep 12

cd frontend
BASE_URL="http://127.0.0.1:$port" EMAIL="monitor@pulse.demo" PASSWORD="pulse-demo" \
  SCREENSHOT="${SCREENSHOT:-$workdir/dashboard.png}" SCREENSHOT_390="${SCREENSHOT_390:-$workdir/dashboard-390.png}" \
  npm run --silent test:e2e
