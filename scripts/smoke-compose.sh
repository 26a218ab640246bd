#!/usr/bin/env bash
# Builds the image and runs the compose stack, then proves over HTTP that it
# works: migrations ran on PostgreSQL, the dashboard and its SPA fallback are
# served, the probes and /metrics answer, an admin can be created with the
# CLI inside the container and can sign in and read the metrics. Then the
# image alone on its SQLite default (the /data directory must be writable by
# the non-root user). Needs a Docker engine (CI's `image` job has one).
#
# It uses its own project name, ports and a throw-away env file: a running
# stack and your .env are left alone. Everything it starts is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${SMOKE_PORT:-18080}
sqlite_port=${SMOKE_SQLITE_PORT:-18081}
project=pulse-smoke
sqlite_container=pulse-smoke-sqlite
if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi

work=$(mktemp -d)
envfile=$work/smoke.env
sed -e "s/^PULSE_JWT_SECRET=.*/PULSE_JWT_SECRET=$(openssl rand -hex 32)/" \
    -e "s/^POSTGRES_PASSWORD=.*/POSTGRES_PASSWORD=$(openssl rand -hex 24)/" .env.example >"$envfile"
export PULSE_ENV_FILE=$envfile PULSE_PUBLISH=$port
dc() { "${compose[@]}" -p "$project" --env-file "$envfile" -f docker-compose.yml "$@"; }

cleanup() {
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "== smoke test failed; logs:" >&2
    dc logs --no-color --tail 200 >&2 || true
    docker logs "$sqlite_container" >&2 2>&1 || true
  fi
  docker rm -f "$sqlite_container" >/dev/null 2>&1 || true
  dc down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

wait_ready() { # base URL
  for _ in $(seq 1 90); do
    if curl -fsS -o /dev/null "$1/readyz" 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "no 200 from $1/readyz after 90 s" >&2
  return 1
}
check() { # description, command...
  local what=$1; shift
  if "$@"; then echo "  ok: $what"; else echo "  FAILED: $what" >&2; return 1; fi
}

echo "== build and start (project $project, port $port)"
dc up -d --build
base=http://127.0.0.1:$port
wait_ready "$base"

echo "== PostgreSQL stack"
password=$(openssl rand -hex 16)
jar=$work/jar
# The body is read whole before grep: `curl | grep -q` fails under pipefail
# when grep stops reading early.
body_has() { local body; body=$(curl -fsS "$2") && grep -q -- "$1" <<<"$body"; }
serves_dashboard() { body_has 'id="root"' "$1"; }
status_is() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$2")" = "$1" ]; }
is_prometheus_text() { body_has '^# TYPE pulse_' "$1"; }
create_admin() {
  printf '%s\n' "$password" |
    dc exec -T pulse /pulse admin create --email smoke@example.org --role SYSTEM_MONITOR --password-stdin >/dev/null
}
sign_in() {
  curl -fsS -o /dev/null -c "$jar" -H 'Content-Type: application/json' -X POST "$base/api/admin/auth/login" \
    -d "{\"email\":\"smoke@example.org\",\"password\":\"$password\"}" && grep -q admin_token "$jar"
}
check "GET /healthz is 200" status_is 200 "$base/healthz"
check "GET / serves the dashboard" serves_dashboard "$base/"
check "GET /admin/dashboard falls back to index.html" serves_dashboard "$base/admin/dashboard"
check "GET /api/admin/metrics/current without a token is 401" status_is 401 "$base/api/admin/metrics/current"
check "GET /metrics is Prometheus text" is_prometheus_text "$base/metrics"
check "pulse admin create inside the container" create_admin
check "sign-in sets the admin_token cookie" sign_in
check "GET /api/admin/metrics/current with the cookie is 200" curl -fsS -o /dev/null -b "$jar" "$base/api/admin/metrics/current"

echo "== the image alone, SQLite in /data"
docker run -d --name "$sqlite_container" -p "127.0.0.1:$sqlite_port:8080" \
  -e PULSE_JWT_SECRET="$(openssl rand -hex 32)" pulse:local >/dev/null
wait_ready "http://127.0.0.1:$sqlite_port"
check "GET / serves the dashboard" serves_dashboard "http://127.0.0.1:$sqlite_port/"

echo "smoke test passed"
