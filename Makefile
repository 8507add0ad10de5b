# The two commands: `make run` (set up and serve on http://127.0.0.1:8000) and `make test`.
# Both set up whatever is missing and are safe to repeat; see README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTEST_ARGS ?=

.PHONY: help run setup test stop backup restore lint check bench maps

help:
	@echo "make run      set up everything and serve on http://127.0.0.1:8000 (PORT=... to change)"
	@echo "make test     set up everything and run the whole test suite"
	@echo "make setup    set up without serving"
	@echo "make stop     stop the server and the local database cluster"
	@echo "make backup   the database and the uploaded files into one file in backups/ (mode 0600)"
	@echo "make restore FILE=backups/....tar   restore a backup, database and files (the current state is backed up first)"
	@echo "make lint     ruff"
	@echo "make maps     the plan's eleven administrative maps (PDF) into maps/"
	@echo "make bench    benchmarks (search, tiles, print maps; not part of make test)"

run:
	@scripts/run.sh

setup:
	@scripts/setup.sh

test: setup
	@scripts/test.sh $(PYTEST_ARGS)

stop:
	@scripts/stop.sh

backup:
	@scripts/db.sh backup

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/<name>.tar (or an old .dump)"; exit 2; }
	@scripts/db.sh restore "$(FILE)"

lint:
	@.venv/bin/ruff check .

maps: setup
	@scripts/maps.sh

bench: setup
	@scripts/bench.sh
