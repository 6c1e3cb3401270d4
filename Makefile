# The commands the README teaches. `make run` serves the stack on this machine; `make test` runs every tier.
SHELL := bash
.SHELLFLAGS := -o errexit -o nounset -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Loads .env for variables the environment does not already set.
LOAD_ENV := while IFS='=' read -r key value || [[ -n "$$key" ]]; do [[ -z "$$key" || "$$key" == "\#"* || -n "$${!key+x}" ]] || export "$$key=$$value"; done < .env

.PHONY: help
help:  ## List the targets.
	@grep -E '^[a-z.-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' \
		'{ name[NR] = $$1; text[NR] = $$2; if (length($$1) > width) width = length($$1) } \
		END { for (i = 1; i <= NR; i++) printf "  make %-*s  %s\n", width, name[i], text[i] }'

$(BIN)/.installed: requirements.txt requirements-dev.txt ecs/requirements.txt ecs/requirements-local.txt pyproject.toml
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || $(call install_packages,python3-venv)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --requirement requirements-dev.txt
	@# This repository itself, editable: the ecs-task command (.venv/bin/ecs-task), reading ecs/ in place.
	@# setuptools warns at every editable install of a flat layout; its output is kept, and shown on failure.
	$(BIN)/pip install --quiet --no-deps --editable . >$(VENV)/editable-install.log 2>&1 \
		|| { cat $(VENV)/editable-install.log; exit 1; }
	@touch $@

.PHONY: venv
venv: $(BIN)/.installed  ## Create .venv with the pinned dependencies.

.env:  ## Create .env from .env.example with a fresh secret key and PostgreSQL password.
	@key=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))'); \
	password=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(24))'); \
	sed -e "s|^DJANGO_SECRET_KEY=.*|DJANGO_SECRET_KEY=$$key|" -e "s|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=$$password|" \
		.env.example > .env.tmp && mv .env.tmp .env
	@echo "Wrote .env with a new DJANGO_SECRET_KEY and POSTGRES_PASSWORD."

# $(call install_packages,PACKAGES): apt-get as root on Debian/Ubuntu, else print the command and stop.
define install_packages
	if [[ $$(id -u) == 0 ]] && command -v apt-get >/dev/null; then \
		echo "Installing $(1) with apt-get"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1) >/dev/null \
		|| { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1) >/dev/null; }; \
	else \
		echo "Missing: $(1). Install it: sudo apt-get install $(1) (Debian/Ubuntu), or the same packages from your system's package manager."; \
		exit 1; \
	fi
endef

.PHONY: host-packages
host-packages:  ## Install nginx, envsubst and curl if missing (apt-get as root, else prints the command).
	@missing=(); \
	command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light); \
	command -v envsubst >/dev/null || missing+=(gettext-base); \
	command -v curl >/dev/null || missing+=(curl); \
	if (( $${#missing[@]} )); then $(call install_packages,$${missing[*]}); fi

.PHONY: browser-packages
browser-packages:  ## Install Debian's chromium and chromedriver if missing (for the browser tests).
	@missing=(); \
	command -v chromium >/dev/null || missing+=(chromium); \
	command -v chromedriver >/dev/null || missing+=(chromium-driver); \
	if (( $${#missing[@]} )); then $(call install_packages,$${missing[*]}); fi

.PHONY: postgres-packages
postgres-packages:  ## Install Debian's PostgreSQL server if missing (the e2e tier starts a private one).
	@compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || $(call install_packages,postgresql)

.PHONY: docker-packages
docker-packages:  ## Install Docker, Compose and debootstrap if missing (for the docker tier and base images).
	@missing=(); \
	docker info >/dev/null 2>&1 || command -v dockerd >/dev/null || [[ -x /usr/sbin/dockerd ]] || missing+=(docker.io); \
	docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || missing+=(docker-compose); \
	command -v debootstrap >/dev/null || [[ -x /usr/sbin/debootstrap ]] || missing+=(debootstrap); \
	if (( $${#missing[@]} )); then $(call install_packages,$${missing[*]}); fi

.PHONY: base-images
base-images: docker-packages .env  ## As root: stand-in base images from Debian packages, named in .env.
	@docker info >/dev/null 2>&1 || { echo "make base-images: no Docker engine is reachable: start one" \
		"(systemctl start docker, or as root: dockerd >/var/log/dockerd.log 2>&1 &) and run it again."; exit 1; }
	bash base-images/build.sh

.PHONY: run
run: venv host-packages .env  ## Serve the site at http://127.0.0.1:8080 with nginx and gunicorn (Ctrl-C stops).
	@$(LOAD_ENV); \
	mkdir -p data; \
	$(BIN)/python manage.py migrate --noinput -v0; \
	$(BIN)/python manage.py collectstatic --noinput -v0; \
	exec $(BIN)/python -m native

.PHONY: manage
manage: venv .env  ## manage.py with make run's environment (.env): make manage ARGS="createsuperuser".
	@$(LOAD_ENV); \
	mkdir -p data; \
	exec $(BIN)/python manage.py $(ARGS)

.PHONY: migrate
migrate: venv .env  ## Apply the migrations to make run's database (data/db.sqlite3, or .env's DATABASE_URL).
	@$(LOAD_ENV); \
	mkdir -p data; \
	exec $(BIN)/python manage.py migrate --noinput

# render and run-local: the network mode.
MODE ?= awsvpc

# `docker compose` (v2) when the plugin exists, else docker-compose (v1, Debian's package), as the docker tier picks.
COMPOSE = $(shell docker compose version >/dev/null 2>&1 && echo 'docker compose' || { command -v docker-compose >/dev/null && echo docker-compose; } || true)
NO_COMPOSE := echo "Missing: Docker Compose. Install it: sudo apt-get install docker.io docker-compose (Debian/Ubuntu), or the compose plugin."

.PHONY: up
up: .env  ## Docker Compose: build and start the stack in the background, at http://127.0.0.1:8080.
	@[[ -n "$(COMPOSE)" ]] || { $(NO_COMPOSE); exit 1; }
	$(COMPOSE) up --build --detach $(ARGS)
	@echo "Serving http://$$($(COMPOSE) port nginx 8080). Logs: $(COMPOSE) logs -f. Stop: make down."

.PHONY: down
down:  ## Docker Compose: stop and remove the containers (keeps the volumes; ARGS=--volumes drops them).
	@[[ -n "$(COMPOSE)" ]] || { $(NO_COMPOSE); exit 1; }
	$(COMPOSE) down $(ARGS)

.PHONY: render
render: venv  ## A task definition to stdout, or OUT=td.json: make render ENV=prod MODE=awsvpc [LAUNCH_TYPE=fargate].
	@[[ -n "$(ENV)" ]] || { echo "make render: ENV= is missing: one of $(basename $(notdir $(wildcard ecs/environments/*.toml)))," \
		"for example make render ENV=prod MODE=awsvpc."; exit 1; }
	@$(BIN)/ecs-task render --env $(ENV) --mode $(MODE) $(if $(LAUNCH_TYPE),--launch-type $(LAUNCH_TYPE)) \
		$(if $(OUT),--out $(OUT)) $(ARGS)

.PHONY: check
check: venv  ## ecs-task check: every environment x network mode x launch type, or FILES=td.json.
	$(BIN)/ecs-task check $(FILES)

# The name `check` had before: kept so that habits and scripts keep working.
.PHONY: ecs-check
ecs-check: check

.PHONY: ecs-references
ecs-references: venv  ## Re-render the committed ecs/task-definition.{bridge,awsvpc}.json (prod).
	$(BIN)/ecs-task render --env prod --mode bridge --out ecs/task-definition.bridge.json
	$(BIN)/ecs-task render --env prod --mode awsvpc --launch-type fargate --out ecs/task-definition.awsvpc.json

.PHONY: run-local
run-local: venv .env  ## The local task on Docker with ECS semantics: MODE=awsvpc (default) or bridge; ARGS for more.
	@$(LOAD_ENV); exec $(BIN)/ecs-task run-local --env local --mode $(MODE) $(ARGS)

.PHONY: rename
rename:  ## Make this reference your service: make rename NAME=shop (needs a clean tree; commits nothing).
	@$(PYTHON) starter/rename.py $(NAME)

.PHONY: lint
lint: venv  ## ruff (lint, format), import-linter, mypy, hadolint, actionlint, shellcheck: the pre-commit hooks' checks.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/hadolint Dockerfile base-images/*.Dockerfile benchmark/*.Dockerfile
	DJANGO_SECRET_KEY=lint-only $(BIN)/mypy .
	@# actionlint runs shellcheck on each `run:` script when it finds one: this one, the pinned one, never none.
	$(BIN)/actionlint -shellcheck $(BIN)/shellcheck
	$(BIN)/shellcheck $(sort $(wildcard .github/scripts/*.sh nginx/docker-entrypoint.d/*.sh nginx/docker-entrypoint.d/*.envsh))

.PHONY: test
test: venv host-packages postgres-packages browser-packages docker-packages lint  ## Every test tier; CI=true turns skipped tiers into failures.
	DJANGO_SECRET_KEY=test-only $(BIN)/pytest

.PHONY: benchmark
benchmark: venv host-packages  ## Every request path against its limit (throughput, CPU per request, latency); writes docs/benchmarks.md.
	@command -v wrk >/dev/null || $(call install_packages,wrk)
	$(if $(wildcard benchmark/requirements.txt),$(BIN)/pip install --quiet --requirement benchmark/requirements.txt)
	DJANGO_SECRET_KEY=benchmark-only $(BIN)/python -m benchmark

.PHONY: clean
clean:  ## Remove the venv, local state and caches (keeps .env and certs/, which .env may name).
	rm -rf $(VENV) .run staticfiles data .mypy_cache .ruff_cache .pytest_cache *.egg-info

.PHONY: mutation
mutation: venv  ## Mutation testing (mutmut) of the ECS checks and the settings readers (slow; not in make test).
	@# A copy in .run/mutation, so that mutmut's mutants/ stays out of the tree that ruff, mypy and pytest read.
	rm -rf .run/mutation && mkdir -p .run/mutation
	tar --create --exclude=__pycache__ ecs myapp topologies.py manage.py tests pyproject.toml \
		| tar --extract --directory .run/mutation
	cd .run/mutation && DJANGO_SECRET_KEY=test-only $(CURDIR)/$(BIN)/mutmut run
	@cd .run/mutation && $(CURDIR)/$(BIN)/mutmut results --all true | awk -F': ' \
		'{ m = $$1; sub(/^ +/, "", m); sub(/\.x[^.]*__mutmut_[0-9]+$$/, "", m); total[m]++; count[m, $$2]++ } \
		END { printf "%-24s %6s %7s %9s %6s %6s\n", "module", "total", "killed", "survived", "other", "score"; \
			for (m in total) printf "%-24s %6d %7d %9d %6d %5.1f%%\n", m, total[m], count[m, "killed"], \
				count[m, "survived"], total[m] - count[m, "killed"] - count[m, "survived"], \
				100 * count[m, "killed"] / total[m] | "sort"; close("sort") }'
	@echo "The survivors: cd .run/mutation && $(CURDIR)/$(BIN)/mutmut results (then: mutmut show NAME)."
