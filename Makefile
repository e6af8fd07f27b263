# micro-todo: the two commands are `make run` and `make test`.
SHELL := /bin/bash
NPM_STAMP := node_modules/.install-stamp

.PHONY: run test install build web generate drift lint typecheck unit bench clean

$(NPM_STAMP): package.json package-lock.json services/*/package.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NPM_STAMP)

build: install web
	npx tsc -b

# The admin UI: Vite bundles services/admin/web into services/admin/dist/web,
# which the admin server serves (and the browser tests drive).
web: install
	npx vite build --config services/admin/vite.config.ts --logLevel warn

generate: install
	npx buf generate

# The committed TypeScript must be exactly what `buf generate` produces.
drift: install
	npx buf lint
	npx buf generate
	@git diff --exit-code --stat -- services/api/src/gen || \
	  (echo "generated code is stale: run 'make generate' and commit" >&2; exit 1)
	@test -z "$$(git status --porcelain --untracked-files=all -- services/api/src/gen)" || \
	  (echo "generated code has files git does not track: run 'make generate' and commit" >&2; exit 1)

lint: install
	npx biome check --error-on-warnings .

typecheck: install
	npx tsc -b
	npx tsc -p tsconfig.test.json
	npx tsc -p services/admin/web/tsconfig.json

unit: install web
	npx vitest run

test: lint drift typecheck unit

# Starts the whole system in the foreground; Ctrl-C stops it. Extra flags
# go through ARGS, e.g. `make run ARGS="--redis-url redis://127.0.0.1:6379"`.
run: build
	node services/stack/dist/main.js $(ARGS)

# Benchmarks print tables with ratios against baselines measured in the
# same run. `make bench ONLY=proxy` runs one of them.
bench: build
	node --import tsx bench/run.ts $(ONLY)

clean:
	rm -rf services/*/dist
