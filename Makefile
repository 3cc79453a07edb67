# Anju — two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint format bench messages serve demo clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.copied: node_modules/.installed scripts/copy_assets.py
	$(BIN)/python scripts/copy_assets.py
	touch $@

var/pii.key:
	mkdir -p var
	$(BIN)/python scripts/dev_key.py > $@

setup: $(BIN)/.installed static/vendor/.copied var/pii.key

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data --if-empty
	$(BIN)/python manage.py import_jobs_recover
	$(BIN)/python manage.py demo_votes --if-empty
	$(BIN)/python manage.py personas
	$(BIN)/python manage.py orders_sweep --loop 60 & SWEEP=$$!; \
	trap 'kill $$SWEEP 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile tests anju

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/orders.py
	$(BIN)/python bench/voting.py

messages: setup
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=node_modules
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) node_modules static/vendor
