# galaxy-orchestration: one command each to start, stop, heal, back up, deploy and report.
# Every target wraps a typed zx script (scripts/<verb>.ts) through its shell entry (scripts/*.sh).
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec
.DEFAULT_GOAL := help

# Overridable variables (documented in `make help`).
service ?=
SRC ?=
ARGS ?=
from ?=

NODE_BIN := node_modules/.bin
TSX := $(NODE_BIN)/tsx

##@ General

.PHONY: help
help: ## Show this help (targets, one line each, and their variables)
	@if [ -t 1 ]; then c=$$'\033[36m'; b=$$'\033[1m'; r=$$'\033[0m'; else c=; b=; r=; fi; \
	awk -v c="$$c" -v b="$$b" -v r="$$r" 'BEGIN {FS = ":.*##"; print "Usage: make <target> [service=NAME] [SRC=PATH] [from=SET] [ARGS=\"--flag\"]"} \
	  /^[a-zA-Z_-]+:.*?##/ { printf "  %s%-16s%s %s\n", c, $$1, r, $$2 } \
	  /^##@/ { printf "\n%s%s%s\n", b, substr($$0, 5), r }' $(MAKEFILE_LIST)

.PHONY: deps
deps: $(TSX) ## Install the locked node packages (npm ci) when missing

$(TSX): package-lock.json
	@command -v npm >/dev/null || { echo "error: Node.js 20+ with npm is required: install it (Debian: apt-get install nodejs npm)" >&2; exit 2; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(TSX)

.PHONY: engine
engine: deps ## Make sure a Docker engine (Compose v2, buildx) answers; installs it on Debian if missing
	@./scripts/engine.sh

.PHONY: images
images: deps ## Build or refresh the offline image set (ARGS="--only node,python")
	@./scripts/images.sh $(ARGS)

##@ Operate

.PHONY: start
start: deps ## Start the whole stack and wait until healthy (ARGS="--dev" or "--prod")
	@./scripts/start-all.sh $(ARGS)

.PHONY: stop
stop: deps ## Stop the stack gracefully, data kept (ARGS="--remove-data" deletes volumes)
	@./scripts/stop-all.sh $(ARGS)

.PHONY: restart
restart: deps ## Restart one service and wait until healthy (service=NAME)
	@[ -n "$(service)" ] || { echo "error: name a service: make restart service=NAME" >&2; exit 2; }
	@./scripts/restart-service.sh $(service)

.PHONY: logs
logs: deps ## Show logs of all or one service (service=NAME, ARGS="--follow --since 10m --grep TEXT")
	@./scripts/logs.sh $(ARGS) $(service)

.PHONY: health
health: deps ## Every service's state, health, uptime, restarts, latency (ARGS="--json")
	@./scripts/health-check.sh $(ARGS)

##@ Data

.PHONY: backup
backup: deps ## Back up PostgreSQL, Redis, memory-api's SQLite and the config into one checksummed set (cron-safe)
	@./scripts/backup.sh $(ARGS)

.PHONY: restore
restore: deps ## Verify a set, stop the writers, restore every store, wait until healthy (from=SET, default newest)
	@./scripts/restore.sh $(ARGS) $(from)

.PHONY: backup-verify
backup-verify: deps ## Restore the newest set (or from=SET) into throwaway containers and check it
	@./scripts/backup-verify.sh $(ARGS) $(from)

##@ Release

.PHONY: deploy
deploy: deps ## Zero-downtime deploy of the working tree (service=NAME, default every stateless service)
	@./scripts/deploy.sh $(ARGS) $(service)

.PHONY: rollback
rollback: deps ## Return to the previously deployed version, the same way (service=NAME)
	@./scripts/rollback.sh $(ARGS) $(service)

##@ Inspect

.PHONY: discover
discover: deps ## Inventory a codebase's services, ports, dependencies and problems (SRC=PATH, ARGS="--json --probe")
	@[ -n "$(SRC)" ] || { echo "error: name the codebase to scan: make discover SRC=PATH" >&2; exit 2; }
	@./scripts/discover.sh $(ARGS) "$(SRC)"

.PHONY: report
report: deps ## Write docs/reports/05_SYSTEM_READY_REPORT.md from the live system
	@./scripts/report.sh $(ARGS)

.PHONY: bench
bench: deps ## Measure start, health, recovery, deploy, backup, discovery; write bench/results/ (ARGS="--only start --runs 5")
	@./scripts/bench.sh $(ARGS)

##@ Develop

.PHONY: test
test: deps ## Run every test (typecheck, shellcheck, unit, bats, integration); last line is the summary
	@$(TSX) test/run.ts $(ARGS)

.PHONY: test-unit
test-unit: deps ## Run the fast tests only (typecheck, shellcheck, unit, bats); no Docker needed
	@$(TSX) test/run.ts --fast $(ARGS)

.PHONY: lint
lint: deps ## shellcheck every shell file and typecheck the TypeScript
	@git ls-files -z '*.sh' '*.bash' '*.bats' .ci/run | xargs -0 shellcheck -x
	@$(NODE_BIN)/tsc --noEmit
