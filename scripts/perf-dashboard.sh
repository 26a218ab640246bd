#!/usr/bin/env bash
# Dashboard load performance: the real Go server (`pulse demo` on a fresh SQLite
# database with a day of history), the built dashboard in frontend/dist, and
# Debian's chromium driven by playwright-core. Prints the cold-load time to both
# charts drawn (5 runs, median) and, when LIGHTHOUSE names a lighthouse binary
# (installed outside the project: `npm i -E lighthouse@12.2.3` in a scratch
# directory), the Lighthouse performance scores for desktop and mobile.
# Run `make build` first. Env: PERF_PORT, RUNS, MAX_MEDIAN_MS, TRACE_CPU, LIGHTHOUSE, and PULSE_BIN and
# STATIC_DIR to measure another build (default bin/pulse and frontend/dist).
set -euo pipefail
cd "$(dirname "$0")/.."

port="${PERF_PORT:-18766}"
base="http://127.0.0.1:$port"
email="monitor@pulse.demo"
password="pulse-demo"
workdir="$(mktemp -d)"
log="$workdir/pulse.log"
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$workdir"
}
trap cleanup EXIT

PULSE_ADDR="127.0.0.1:$port" PULSE_DATABASE_URL="$workdir/pulse.db" PULSE_STATIC_DIR="${STATIC_DIR:-$PWD/frontend/dist}" \
  PULSE_JWT_SECRET="perf-secret-perf-secret-perf-secret-perf" PULSE_LOG_LEVEL=warn \
  "${PULSE_BIN:-bin/pulse}" demo --backfill 24h >"$log" 2>&1 &
pid=$!

for _ in $(seq 1 120); do
  curl -fs "$base/readyz" >/dev/null 2>&1 && grep -q "demo is running" "$log" && break
  kill -0 "$pid" 2>/dev/null || { echo "pulse demo exited:"; cat "$log"; exit 1; }
  sleep 0.5
done
grep -q "demo is running" "$log" || { echo "pulse demo did not start:"; cat "$log"; exit 1; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
(cd frontend && BASE_URL="$base" EMAIL="$email" PASSWORD="$password" node e2e/perf.mjs)

if [ -n "${LIGHTHOUSE:-}" ]; then
  token="$(curl -fs -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$base/api/admin/auth/login" |
    sed -n 's/^[Ss]et-[Cc]ookie: admin_token=\([^;]*\).*/\1/p')"
  [ -n "$token" ] || { echo "login for Lighthouse failed"; exit 1; }
  for form in desktop mobile; do
    preset=()
    [ "$form" = desktop ] && preset=(--preset=desktop)
    CHROME_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}" "$LIGHTHOUSE" "$base/admin/dashboard" "${preset[@]}" \
      --only-categories=performance --quiet --output=json --output-path="$workdir/lh-$form.json" \
      --chrome-flags="--headless=new --no-sandbox" --extra-headers "{\"Cookie\":\"admin_token=$token\"}"
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const a = r.audits, v = (id) => a[id].numericValue;
      console.log(`lighthouse ${process.argv[2].padEnd(7)} performance ${Math.round(r.categories.performance.score * 100)}` +
        `  FCP ${Math.round(v("first-contentful-paint"))} ms  LCP ${Math.round(v("largest-contentful-paint"))} ms` +
        `  TBT ${Math.round(v("total-blocking-time"))} ms  CLS ${v("cumulative-layout-shift").toFixed(3)}` +
        `  SI ${Math.round(v("speed-index"))} ms`);
    ' "$workdir/lh-$form.json" "$form"
  done
fi
