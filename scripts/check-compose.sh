#!/usr/bin/env bash
# Validates docker-compose.yml (every profile included) without a Docker
# engine, on a fresh clone too: .env is git-ignored and may not exist, so the
# settings come from .env.example, both for ${...} substitution (--env-file)
# and for the pulse service's env_file (PULSE_ENV_FILE). An existing .env is
# neither read nor touched. Every compose implementation found is used
# (`docker compose` v2, `docker-compose` v1); at least one must be.
set -euo pipefail
cd "$(dirname "$0")/.."

impls=()
if docker compose version >/dev/null 2>&1; then impls+=("docker compose"); fi
if command -v docker-compose >/dev/null 2>&1; then impls+=("docker-compose"); fi
if [ ${#impls[@]} -eq 0 ]; then
  echo "check-compose: neither 'docker compose' nor 'docker-compose' is installed" >&2
  exit 1
fi

# Only the example values: a variable exported in the caller's shell would
# take precedence over --env-file and hide a missing entry in .env.example.
[ -f .env.example ] || { echo "check-compose: .env.example is missing" >&2; exit 1; }
unset_args=()
while read -r var; do unset_args+=(-u "$var"); done \
  < <(sed -nE 's/^#? ?((POSTGRES|PULSE)_[A-Z0-9_]+)=.*/\1/p' .env.example | sort -u)
for impl in "${impls[@]}"; do
  # shellcheck disable=SC2086 # $impl is a command and its subcommand
  env "${unset_args[@]}" PULSE_ENV_FILE=.env.example COMPOSE_PROFILES=monitoring \
    $impl --env-file .env.example -f docker-compose.yml config -q
  echo "  $impl: ok"
done
if command -v promtool >/dev/null 2>&1; then
  promtool check config deploy/prometheus.yml >/dev/null
  echo "  promtool check config deploy/prometheus.yml: ok"
fi
echo "compose file is valid"
