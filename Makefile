# Pulse: `make run` builds everything and starts the demo (the dashboard and
# API with demo accounts, replayed history and live demo traffic) on the
# embedded SQLite database; `make serve` starts it without demo data.
# `make test` runs every test: Go on SQLite and, when PULSE_TEST_DATABASE_URL
# is set, PostgreSQL; the OpenAPI drift check and lint; the dashboard's type-check,
# Vitest suite and build; the compose file check; the browser end-to-end test.

SHELL := /bin/bash
GO    ?= go
SWAG  := $(GO) run github.com/swaggo/swag/cmd/swag@v1.16.6
LINT  := $(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
BIN   := bin/pulse

export PULSE_STATIC_DIR ?= $(CURDIR)/frontend/dist

.PHONY: run serve build backend frontend frontend-deps test lint test-go fuzz-short test-frontend test-e2e compose-check image smoke openapi openapi-check openapi-lint vet bench loadtest clean

## run: build everything and start the demo on the SQLite default (PULSE_* settings are honoured)
run: build
	$(BIN) demo

## serve: build everything and serve without demo data
serve: build
	$(BIN) serve

## build: the dashboard into frontend/dist and the binary into bin/pulse
build: frontend backend

backend:
	cd backend && $(GO) build -trimpath -o ../$(BIN) ./cmd/pulse

frontend-deps:
	@if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then \
		cd frontend && npm ci --no-audit --no-fund; fi

frontend: frontend-deps
	cd frontend && npm run build

## test: every test the project has
test: vet lint test-go fuzz-short bench-short openapi-check openapi-lint quality-reporter-check test-frontend compose-check test-e2e

vet:
	cd backend && $(GO) vet ./...

## lint: golangci-lint with its default linters (no config: the defaults must pass)
lint:
	cd backend && $(LINT) run --allow-parallel-runners ./...

test-go:
	cd backend && $(GO) test -count=1 ./...

## fuzz-short: each fuzz target for FUZZTIME (seeds and committed corpus also run in test-go);
## a longer hunt: make fuzz-short FUZZTIME=10m. A failing input is written under the
## package's testdata/fuzz/<Target>/: commit it with the fix as a regression case.
FUZZTIME ?= 5s
FUZZ_TARGETS := ./internal/auth:FuzzVerify ./internal/httpapi:FuzzIngestBody ./internal/httpapi:FuzzSessionPathID
fuzz-short:
	cd backend && for t in $(FUZZ_TARGETS); do \
		$(GO) test -run '^$$' -fuzz "^$${t##*:}\$$" -fuzztime $(FUZZTIME) "$${t%%:*}" || exit 1; \
	done

test-frontend: frontend-deps
	@tmp=$$(mktemp); trap 'rm -f $$tmp' EXIT; cd frontend && \
	npx --no-install openapi-typescript ../api/openapi.json -o $$tmp >/dev/null && \
	diff -u src/types/api.d.ts $$tmp && echo "Dashboard API types are up to date" || \
	{ echo "frontend/src/types/api.d.ts is stale: run 'make openapi' and commit the result"; exit 1; }
	cd frontend && npm run typecheck && npm test

test-e2e: build
	scripts/e2e.sh

compose-check:
	scripts/check-compose.sh

## image: the production image, API and dashboard in one (needs a Docker engine)
image:
	docker build -f backend/Dockerfile -t pulse:local .

## smoke: build the image, run the compose stack and check it over HTTP (needs a Docker engine)
smoke:
	scripts/smoke-compose.sh

## loadtest: both loads against a local PostgreSQL (about 8 minutes; not part of make test):
## loadtest-reliability, then perf-anchors, which prints the table of docs/performance.md
loadtest: loadtest-reliability perf-anchors

## loadtest-reliability: 500 dashboards and >= 1,000 ingestion req/s together for LOADTEST_DURATION
## (60s) on a fresh PostgreSQL database, with pass/fail; see scripts/loadtest.sh, docs/reliability.md
.PHONY: loadtest-reliability
loadtest-reliability: backend
	scripts/loadtest.sh

## bench: the Go benchmarks (request telemetry beside echoprometheus and client_golang, p95 accuracy
## of the exported histogram against Prometheus' default buckets); figures in docs/performance.md
bench:
	cd backend && $(GO) test -run '^$$' -bench . -benchmem ./internal/telemetry/

## bench-short: every benchmark, a hundred iterations: they compile and run (part of make test)
.PHONY: bench-short
bench-short:
	cd backend && $(GO) test -run '^$$' -bench . -benchtime 100x ./internal/telemetry/

## perf-anchors: Pulse beside its anchors on a local PostgreSQL, the table of docs/performance.md
## (about 6 minutes; PERF_ONLY=dashboards|uncached|ingestion runs one part)
.PHONY: perf-anchors
perf-anchors:
	scripts/perf-anchors.sh

## openapi: regenerate the OpenAPI documents (Swagger 2.0 and OpenAPI 3), the copy the binary embeds, and the dashboard's types
openapi:
	cd backend && $(SWAG) fmt --dir cmd/pulse,internal/httpapi
	cd backend && $(SWAG) init --quiet --dir cmd/pulse,internal/httpapi --generalInfo main.go --parseInternal --requiredByDefault \
		--output ../api --outputTypes json,yaml
	cd backend && $(GO) run ./tools/openapi3 ../api/swagger.json ../api/openapi.json
	cp api/openapi.json backend/internal/apidoc/openapi.json
	@if [ -d frontend/node_modules ]; then cd frontend && npm run --silent gen:api; fi

## openapi-check: fail when the committed documents differ from the annotations
openapi-check:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	cd backend && \
	$(SWAG) init --quiet --dir cmd/pulse,internal/httpapi --generalInfo main.go --parseInternal --requiredByDefault --output $$tmp --outputTypes json,yaml && \
	$(GO) run ./tools/openapi3 $$tmp/swagger.json $$tmp/openapi.json && \
	diff -u ../api/swagger.json $$tmp/swagger.json && \
	diff -u ../api/swagger.yaml $$tmp/swagger.yaml && \
	diff -u ../api/openapi.json $$tmp/openapi.json && \
	diff -u ../api/openapi.json internal/apidoc/openapi.json && \
	echo "OpenAPI documents are up to date" || { echo "OpenAPI documents are stale: run 'make openapi' and commit the result"; exit 1; }

## openapi-lint: Spectral (spectral:oas) and Redocly (recommended) find no error and no warning in api/openapi.json; api/swagger.json is valid Swagger 2.0
openapi-lint: frontend-deps
	cd frontend && npm run --silent lint:api

.PHONY: quality-reporter quality-reporter-check
QUALITY_JS := backend/internal/qualityjs

## quality-reporter: build the browser quality reporter (frontend/src/quality-reporter) into the copy the binary embeds and serves
quality-reporter: frontend-deps
	cd frontend && npx --no-install vite build --config vite.quality-reporter.config.ts --outDir ../$(QUALITY_JS)

## quality-reporter-check: fail when the embedded reporter differs from a fresh build of its source
quality-reporter-check: frontend-deps
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	cd frontend && npx --no-install vite build --config vite.quality-reporter.config.ts --outDir $$tmp && \
	diff -u ../$(QUALITY_JS)/pulse-quality.js $$tmp/pulse-quality.js && \
	diff -u ../$(QUALITY_JS)/pulse-quality.mjs $$tmp/pulse-quality.mjs && \
	echo "The embedded quality reporter is up to date" || \
	{ echo "$(QUALITY_JS) is stale: run 'make quality-reporter' and commit the result"; exit 1; }

clean:
	rm -rf bin frontend/dist
