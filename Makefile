# civstat: the two commands of the README are `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup test-env superset-env demo test test-slow dev validate docs superset superset-down clean

# The virtualenv, with the pinned versions of constraints.txt.
$(BIN)/civstat: pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "civstat needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	touch $@

# What the tests need besides: pytest, the server deployment's packages and
# the Spark engine's (pyspark is large, so the demo goes without it).
$(VENV)/.test-extras: $(BIN)/civstat
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	touch $@

## setup: virtualenv, packages, and the dbt manifest Dagster loads
setup: $(BIN)/civstat
	$(BIN)/civstat prepare

## demo: sample extracts → ingestion → dbt → quality suites → published marts
demo: export CIVSTAT_DEMO = 1
demo: setup
	$(BIN)/civstat generate --scale tiny --seed 1 --start 2024-01 --end 2024-12
	$(BIN)/civstat run
	$(BIN)/civstat sql "select * from mart_assistance_monthly_by_township order by period_month desc, township_code, assistance_type limit 5"

## superset-env: Superset's own virtualenv (.venv-superset, about 2 minutes the first time)
# Needs only Python (superset/service.py imports the standard library alone),
# so it installs side by side with .venv.
superset-env:
	$(PYTHON) -c 'from superset.service import setup; print("Superset virtualenv:", setup())'

## test-env: setup, then the packages the tests need (after: pip reinstalls civstat itself)
test-env: setup
	$(MAKE) $(VENV)/.test-extras

## test: the whole suite on the real stack (DuckDB, dbt, Dagster, GX, Superset, Spark, Postgres)
test:
	$(MAKE) -j2 test-env superset-env
	$(BIN)/pytest -q

## test-slow: the tests that take minutes each (killing a run during its dbt build)
test-slow: test-env
	$(BIN)/pytest -q -m slow

## dev: the Dagster UI on http://127.0.0.1:3000
dev: setup
	CIVSTAT_DEMO=1 DAGSTER_HOME=$(CURDIR)/var/dagster $(BIN)/dagster dev -m orchestration -h 127.0.0.1 -p 3000

## validate: Dagster's own check of the definitions
validate: setup
	DAGSTER_HOME=$(CURDIR)/var/dagster $(BIN)/dagster definitions validate -m orchestration

## docs: the dbt docs site (models, columns, tests, lineage) as one page in var/docs/index.html
docs: export CIVSTAT_DEMO = 1
docs: setup
	$(BIN)/civstat dbt docs generate --static
	mkdir -p var/docs && cp var/dbt/target/static_index.html var/docs/index.html
	@echo "dbt docs: file://$(CURDIR)/var/docs/index.html  (or: $(BIN)/civstat dbt docs serve --host 127.0.0.1 --port 8080)"

## superset: Superset on http://127.0.0.1:8088 with the dashboards (demo secrets); `make superset-down` stops it
superset: export CIVSTAT_DEMO = 1
superset: setup superset-env
	$(BIN)/civstat superset up
	$(BIN)/civstat superset provision

superset-down: export CIVSTAT_DEMO = 1
superset-down:
	$(BIN)/civstat superset down

clean:
	rm -rf var dbt_project/target dbt_project/logs
