# Two commands: `make run` (set up everything, load the demo, serve it) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000

.PHONY: run test deps system-packages migrate demo lint bench clean

$(BIN)/.deps: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.deps: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(BIN)/.deps node_modules/.deps

# Debian packages the suite uses (chromium for browser tests, poppler-utils to read PDFs
# back, TrueType CJK fonts for reports): installed where this machine allows it.
system-packages:
	@bash scripts/system-packages.sh

migrate: deps system-packages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

demo: migrate
	$(BIN)/python manage.py seed_demo

# The job queue's embedded worker (database backend) and the daily schedule run beside the
# development server and stop with it: nothing else to install or start.
run: demo
	@echo "演示地址：http://$(HOST)/  （以上任一账号登录，密码 qinghai2024）"
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	$(BIN)/python manage.py run_schedule & schedule=$$!; \
	trap 'kill $$worker $$schedule 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST)

test: deps system-packages
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: deps
	$(BIN)/ruff check .

# Every benchmark, each printing its figures beside a baseline measured in the same run.
# bench/RESULTS.md keeps the latest figures (regenerate with `make bench | tee bench/last-run.txt`).
BENCHMARKS = pages scaling access_checks survey_scaling http_load survey_submit export_responses export_campaign import_plan report_compile pairing_suggest notify_delivery two_servers reminders_national publish_national gunicorn_sizes

bench: deps
	@EXTRA_PACKAGES=wrk bash scripts/system-packages.sh
	@for name in $(BENCHMARKS); do echo; echo "== bench/$$name.py"; $(BIN)/python bench/$$name.py || exit 1; done

clean:
	rm -rf $(VENV) node_modules var staticfiles .pytest_cache
