# galaxy-orchestration: one command each to start, stop, heal, back up, deploy and report.
# Every target wraps a typed zx script (scripts/<verb>.ts) through its shell entry (scripts/*.sh).
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec
.DEFAULT_GOAL := help

# Overridable variables (documented in `make help`).
service ?=
SRC ?=
only ?=
ARGS ?=
from ?=

# The variables reach the scripts through the environment, never pasted into a recipe line:
# $(value X) is the text exactly as typed (make expands nothing in it), and scripts/lib/run.sh
# checks each one and hands it on as separate arguments. So SRC='$(touch x)' is only a path,
# and service='a;b' is refused as a name. Each target exports just the ones it takes (below).
export GALAXY_ARGS = $(value ARGS)
# For the targets that run a program other than scripts/*.sh: ARGS split on whitespace by
# bash's read (no globbing, no substitution), and not passed on to the scripts the tests start.
split_args = read -r -d '' -a args <<<"$${GALAXY_ARGS-}" || true; unset GALAXY_ARGS

NODE_BIN := node_modules/.bin
TSX := $(NODE_BIN)/tsx

##@ General

.PHONY: help
help: ## Show this help (targets, one line each, and their variables)
	@if [ -t 1 ]; then c=$$'\033[36m'; b=$$'\033[1m'; r=$$'\033[0m'; else c=; b=; r=; fi; \
	awk -v c="$$c" -v b="$$b" -v r="$$r" 'BEGIN {FS = ":.*##"; print "Usage: make <target> [service=NAME] [SRC=PATH] [only=A,B] [from=SET] [ARGS=\"--flag\"]"} \
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
	@./scripts/images.sh

##@ Operate

.PHONY: start
start: deps ## Start the whole stack and wait until healthy (ARGS="--dev" or "--prod")
	@./scripts/start-all.sh

.PHONY: stop
stop: deps ## Stop the stack gracefully, data kept (ARGS="--remove-data" deletes volumes)
	@./scripts/stop-all.sh

.PHONY: restart
restart: export GALAXY_SERVICE = $(value service)
restart: deps ## Restart one service and wait until healthy (service=NAME)
	@[ -n "$${GALAXY_SERVICE}" ] || { echo "error: name a service: make restart service=NAME" >&2; exit 2; }
	@./scripts/restart-service.sh

.PHONY: scale
scale: export GALAXY_SERVICE = $(value service)
scale: export GALAXY_REPLICAS = $(value replicas)
scale: deps ## Run N replicas of a stateless service, kept in .env; in compose mode reached through the proxy in front, host ports given up while more than one (service=NAME replicas=N)
	@[ -n "$${GALAXY_SERVICE}" ] || { echo "error: name a service: make scale service=NAME replicas=N" >&2; exit 2; }
	@./scripts/scale.sh

.PHONY: rebalance
rebalance: deps ## Spread stateless services' tasks evenly over the nodes again, after a node came back (swarm mode; ARGS="--timeout 600")
	@./scripts/rebalance.sh

.PHONY: logs
logs: export GALAXY_SERVICE = $(value service)
logs: deps ## Logs of all or one service from the log store, across deploys; in swarm mode from every node (service=NAME, ARGS="--follow --since 2d --until 1h --grep TEXT")
	@./scripts/logs.sh

.PHONY: health
health: deps ## Every service's state, health, uptime, restarts, latency (ARGS="--json")
	@./scripts/health-check.sh

##@ Data

.PHONY: backup
backup: deps ## Back up every store labelled galaxy.backup, and the config, into one checksummed set (cron-safe)
	@./scripts/backup.sh

.PHONY: restore
restore: export GALAXY_FROM = $(value from)
restore: deps ## Verify a set, stop the writers, restore every store, wait until healthy (from=SET, default newest; ARGS=--trust-foreign-set)
	@./scripts/restore.sh

.PHONY: backup-verify
backup-verify: export GALAXY_FROM = $(value from)
backup-verify: deps ## Restore the newest set (or from=SET) into throwaway containers and check it
	@./scripts/backup-verify.sh

##@ Release

.PHONY: deploy
deploy: export GALAXY_SERVICE = $(value service)
deploy: deps ## Zero-downtime deploy of the working tree (service=NAME, default every stateless service)
	@./scripts/deploy.sh

.PHONY: rollback
rollback: export GALAXY_SERVICE = $(value service)
rollback: deps ## Return to the previously deployed version, the same way (service=NAME)
	@./scripts/rollback.sh

##@ Cluster

.PHONY: cluster
cluster: export GALAXY_NODES = $(value NODES)
cluster: deps ## Start a Swarm of NODES nodes on this machine (default 3: this engine and 2 Docker-in-Docker workers)
	@./scripts/cluster.sh

.PHONY: cluster-down
cluster-down: deps ## Remove the cluster's worker nodes and registry, and leave the swarm
	@./scripts/cluster.sh --down

##@ Inspect

.PHONY: discover
discover: export GALAXY_SRC = $(value SRC)
discover: deps ## Inventory a codebase's services, ports, dependencies and problems (SRC=PATH, ARGS="--json --probe")
	@[ -n "$${GALAXY_SRC}" ] || { echo "error: name the codebase to scan: make discover SRC=PATH" >&2; exit 2; }
	@./scripts/discover.sh

.PHONY: adopt
adopt: export GALAXY_SRC = $(value SRC)
adopt: export GALAXY_ONLY = $(value only)
adopt: deps ## Bring a codebase's services under the kit: Dockerfiles, docker-compose.adopted.yml, .env (SRC=PATH, only=a,b, ARGS=--dry-run)
	@[ -n "$${GALAXY_SRC}" ] || { echo "error: name the codebase to adopt: make adopt SRC=PATH" >&2; exit 2; }
	@./scripts/adopt.sh

.PHONY: audit
audit: deps ## Check the running stack's security (ports, root, capabilities, secrets, backups); exit 1 on a high finding (ARGS="--json")
	@./scripts/audit.sh

.PHONY: alert-test
alert-test: deps ## Send a test alert through every configured channel (ALERT_* in .env); exit 1 unless all accept it
	@./scripts/alert-test.sh

.PHONY: report
report: deps ## Write docs/reports/05_SYSTEM_READY_REPORT.md from the live system
	@./scripts/report.sh

.PHONY: bench
bench: deps ## Measure start, health, recovery, deploy, backup, discovery, scale; write bench/results/ (ARGS="--only start --runs 5")
	@./scripts/bench.sh

##@ Develop

.PHONY: test
test: deps ## Run every test (typecheck, shellcheck, unit, bats, integration); last line is the summary
	@$(split_args); $(TSX) test/run.ts "$${args[@]}"

.PHONY: test-unit
test-unit: deps ## Run the fast tests only (typecheck, shellcheck, unit, bats); no Docker needed
	@$(split_args); $(TSX) test/run.ts --fast "$${args[@]}"

.PHONY: lint
lint: deps ## shellcheck every shell file and typecheck the TypeScript
	@git ls-files -z '*.sh' '*.bash' '*.bats' .ci/run | xargs -0 shellcheck -x
	@$(NODE_BIN)/tsc --noEmit

.PHONY: format
format: deps ## Lay out the TypeScript with Prettier (the check in make test fails until this is run)
	@$(NODE_BIN)/prettier --write --log-level warn .
