# LendPilot — the two commands: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= small
SEED ?= 42

.PHONY: demo test fuzz venv lock browser bench load lint messages serve clean

# Settings default to production (DEBUG off, secrets required); the local targets run on the development
# values explicitly. A server gets its own environment (README, Settings).
demo serve test fuzz bench messages: export DEBUG ?= 1

venv: $(VENV)/.installed

# Installs exactly the versions in requirements.lock (hash-checked), then the project itself with no
# further resolution, so a fresh machine runs what CI tested. `make lock` upgrades the lock.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

## make lock: re-resolve requirements.lock from pyproject.toml's ranges (newest allowed versions)
lock: venv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 \
		--upgrade --quiet -o requirements.lock

## make demo: set up, load the demo bank into var/lendpilot.sqlite3, serve http://127.0.0.1:8000
demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --scale $(SCALE) --seed $(SEED) --reset
	$(BIN)/python manage.py runserver 127.0.0.1:8000

serve: venv
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## make test: set up and run every test (DATABASE_URL picks SQLite or PostgreSQL)
test: venv browser
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

browser:
	@bash scripts/ensure_chromium.sh
	@bash scripts/ensure_axe.sh

## make fuzz: schemathesis over every API operation, 100 examples each (positive and negative), every answer
## checked for server errors, content type, documented status code and body shape
fuzz: venv
	LENDPILOT_FUZZ_EXAMPLES=100 LENDPILOT_FUZZ_STRICT=1 $(BIN)/pytest lendpilot/core/tests/test_openapi_fuzz.py \
		-p no:randomly -q

bench: venv
	$(BIN)/python manage.py bench --scale $(SCALE)

## make load: locust on the loopback against the web processes (scripts/web.sh) and a fresh PostgreSQL demo bank, 200 req/s for 5 minutes
## (LOAD_USERS, LOAD_SECONDS, LOAD_SCALE, LOAD_WORKERS, LOAD_THREADS); p50/p99 and errors per endpoint
load: venv
	bash scripts/load/run.sh

lint: venv
	$(BIN)/ruff check .

messages: venv
	cd lendpilot && ../$(BIN)/python ../manage.py makemessages -l zh_Hans --no-obsolete && ../$(BIN)/python ../manage.py compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var/*.sqlite3* staticfiles
