# Two commands do everything on a fresh machine (Python 3.11 with venv is all they assume):
#   make demo   create .venv, install the pinned dependencies and the package, build and test the demo,
#               publish it for BI tools, export the marts and the audience lists
#   make test   everything CI checks: the pytest suite in its tiers (unit, integration, engines), which
#               builds the demo (every model, data test and unit test) and the other data sets on DuckDB,
#               PostgreSQL and Spark, and runs the linters, on two workers
#   make check  the fast loop while you work: the unit tier, the demo build and its oracles, the linters
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed
CI_DB := warehouse/ci.duckdb

.PHONY: demo test check system-packages browser java postgres spark-venv dbt-build pytest lint bench bench-scale bench-clv clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# --no-compile, then compileall on both cores: pip byte-compiles one file at a time, and with
	# PYTHONDONTWRITEBYTECODE set (as on CI) nothing is cached later, so every process that imports
	# dbt would compile it again (12 s of imports become 5 s)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt
	$(BIN)/python -m compileall -q -j 2 $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') >/dev/null
	# the package itself, editable (the lock above already holds its dependencies and the dev extra):
	# gives the `customer-pyramid` command, and dbt's Python models import customer_pyramid from anywhere
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e '.[dev]'
	touch $(STAMP)

# The demo build, then what reaches its users: the serving file BI tools read (published by the
# build), every mart as Parquet, the audience lists per next best action and for one segment, and
# the HTML report (its path is the last line printed).
demo: $(STAMP)
	$(BIN)/python runner.py demo
	$(BIN)/python runner.py export --out warehouse/export
	$(BIN)/python runner.py export --audiences --out warehouse/audiences --segment champions
	$(BIN)/python runner.py report

# The set-up steps run side by side (the two venvs' pip installs and the Debian packages, which
# apt-get installs one after the other), then the tests.
test:
	$(MAKE) --no-print-directory -j3 $(STAMP) $(SPARK_STAMP) system-packages
	$(MAKE) --no-print-directory pytest
	@echo "make test: all checks passed"

# The fast loop (about three minutes on two cores with .venv in place): the unit tier, the tests
# marked `check` (the demo build with its oracles) and the linters. No PostgreSQL, Spark or browser.
check: $(STAMP)
	$(BIN)/python -m pytest tests/python -m "unit or check"

# What the tests need from Debian, one apt-get at a time: Chromium (the report's browser test),
# Java 17 (Spark) and PostgreSQL's server programs (the tests start a throwaway server of their own,
# scripts/postgres-server.sh, and remove it afterwards).
system-packages:
	scripts/ensure-chromium.sh
	scripts/ensure-java.sh
	scripts/ensure-postgres.sh

# The Spark venv (dbt-spark, PySpark; the Spark build and its equality test, docs/engines.md), apart
# from .venv because pyspark is large; and Java 17, which a local Spark session runs in.
spark-venv: java $(SPARK_STAMP)

$(SPARK_STAMP): requirements-spark.txt
	test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-spark.txt
	$(SPARK_VENV)/bin/python -m compileall -q -j 2 $$($(SPARK_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') >/dev/null
	touch $(SPARK_STAMP)

java:
	scripts/ensure-java.sh

# PostgreSQL's server programs (Debian's postgresql, installed when missing).
postgres:
	scripts/ensure-postgres.sh

# Headless Chromium for the report's browser test (Debian's chromium, installed when missing).
browser:
	scripts/ensure-chromium.sh

# The demo seeds, every model, data test and unit test, through plain dbt (no runner; not part of
# `make test`, whose demo build runs the same dbt build through the runner).
dbt-build: $(STAMP)
	mkdir -p warehouse
	rm -f $(CI_DB)
	PYRAMID_DB=$(CI_DB) $(BIN)/dbt build --profiles-dir profiles --full-refresh

# pytest exits non-zero when it collects no tests, so an empty run fails. Options (two workers,
# the slowest tests listed) are in pyproject.toml; tests/python/unit/test_lint.py runs the linters below.
pytest: $(STAMP)
	$(BIN)/python -m pytest tests/python

# The linters alone (make test runs them inside pytest).
lint: $(STAMP)
	$(BIN)/ruff check runner.py customer_pyramid tests/python benchmarks models
	$(BIN)/ruff format --check runner.py customer_pyramid tests/python benchmarks models
	PYRAMID_DB=warehouse/lint.duckdb $(BIN)/sqlfluff lint models

# Both benchmarks (not part of `make test`; a small smoke of the scale benchmark is). Slow: about
# 40 minutes on two cores, most of it building 1,000,000 customers.
bench: bench-scale bench-clv

# How the build scales: 100,000 and 1,000,000 generated customers; the floor, the RFM slice against a
# hand-written DuckDB query, polars and pandas (which must agree), the full build and an incremental
# one; writes the table into docs/benchmarks.md (benchmarks/scale_benchmark.py). Exits 1 if a step
# fails or the RFM tables disagree; goals missed are reported.
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/scale_benchmark.py

# The CLV fit against the `lifetimes` package, 1,000,000 customers (own venv: lifetimes is not a
# dependency of the project). Prints times, memory, ratios; exits 1 below 5x or on parameter drift.
bench-clv: $(STAMP)
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-bench.txt
	.venv-bench/bin/python benchmarks/clv_benchmark.py

clean:
	rm -rf target logs warehouse/*.duckdb warehouse/*.json warehouse/tmp warehouse/spark
