"""Every value that reaches SQL is checked or quoted: hostile text (quotes, semicolons, `--`, spaces)
in flags, environment settings, file headers and mapping values gives a one-line error or a
correctly quoted result, never executed SQL. (PostgreSQL's side: tests/python/engines/test_postgres.py builds
with a hostile schema name and timestamp layout and refuses a hostile role name.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, STAGING, assert_one_line_error, write_csv

ATTACK = "'; drop table raw.orders; --"


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--as-of", "2025-01-01" + ATTACK),
        ("--reporting-currency", "USD" + ATTACK),
        ("--reporting-time-zone", "UTC" + ATTACK),
        ("--source-time-zone", 'Europe/London"; select 1; --'),
        ("--target", "duckdb; rm -rf /"),
    ],
)
def test_hostile_flags_are_one_line_errors(runner, tmp_path, flag, value):
    write_csv(tmp_path / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    run = runner("build", "--data-dir", str(tmp_path), flag, value)
    assert_one_line_error(run, flag, value)


@pytest.mark.parametrize("value", ['my "schema"', "tab\tschema", "x" * 64])
def test_hostile_schema_names_are_one_line_errors(runner, tmp_path, monkeypatch, value):
    monkeypatch.setenv("PYRAMID_PG_SCHEMA", value)
    write_csv(tmp_path / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    run = runner("build", "--data-dir", str(tmp_path))
    assert_one_line_error(run, "PYRAMID_PG_SCHEMA")


def test_hostile_headers_mapping_values_and_layouts_are_quoted(runner, tmp_path):
    """A folder name, a header, a mapped column name, a rule's prefix, a constant and a timestamp
    layout full of SQL are data: the build reads them as text and the raw table is still there."""
    header = 'Total"; drop table raw.orders; --'
    data = tmp_path / "da'ta; --"
    write_csv(
        data / "export.csv",
        ["Invoice", "Client", "When", header],
        [["X'1", "c1", "01/02/2025 10:00", "15.30"], ["536366", "c2", "2025-02-03 09:00:00", "2.00"]],
    )
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(
        "tables:\n"
        "  orders:\n"
        "    file: export.csv\n"
        "    columns:\n"
        "      order_id: Invoice\n"
        "      customer_id: Client\n"
        "      ordered_at: When\n"
        f"      amount: '{header}'\n"
        '      currency: {value: "US\'D"}\n'
        '      status: {column: Invoice, rule: prefix, prefix: "X\'", then: cancelled, else: completed}\n'
    )
    run = runner(
        "build",
        "--data-dir",
        str(data),
        "--mapping",
        str(mapping),
        "--timestamp-format",
        "%d/%m/%Y %H:%M" + ATTACK,
        "--timestamp-format",
        "%d/%m/%Y %H:%M",
        dbt_args=STAGING,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    assert run.query("select count(*) from raw.orders") == [(2,)]
    rows = run.query(
        "select order_id, status, original_currency, cast(ordered_at as varchar), cast(amount as varchar) "
        "from staging.stg_raw__orders order by order_id"
    )
    assert rows == []  # the constant currency "US'D" reached staging as text: no such currency
    quarantined = run.query(
        "select order_id, amount, status, currency, reason from staging.stg_raw__orders_quarantined order by order_id"
    )
    # both timestamps parsed (the hostile layout is one more layout that matches nothing), so the
    # currency is the reason; the hostile header's amounts and the quoted prefix rule were read
    assert quarantined == [
        ("536366", "2.00", "completed", "US'D", "unknown_currency"),
        ("X'1", "15.30", "cancelled", "US'D", "unknown_currency"),
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("churn_days", "365; drop table raw.orders; --"),
        ("age_band_starts", "[18, 25]"),
        ("pareto_top_share", "0.2'"),
        ("reporting_currency", "USD'; --"),
    ],
)
def test_hostile_dbt_vars_stop_the_run_before_any_model(tmp_path, name, value):
    """Plain dbt (docs/engines.md, "Using dbt directly") checks every var at the start of a run (on-run-start):
    a var that would reach SQL as a number, a code or a date and is anything else stops the run
    with a message naming it."""
    environment = {
        **os.environ,
        "PYRAMID_DB": str(tmp_path / "w.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [
            str(dbt),
            "run",
            "--profiles-dir",
            "profiles",
            "--select",
            "int_as_of_date",
            "--vars",
            json.dumps({name: value}),
        ],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert f"var {name}" in result.stdout, result.stdout[-2000:]


def test_a_rule_var_out_of_range_stops_the_runner_before_any_model(runner, tmp_path):
    """--var values of the right kind are checked by the project itself at the start of the run (the
    ranges and orderings of macros/config/validate_vars.sql): one line naming the vars, exit code 2."""
    data = write_csv(tmp_path / "data" / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    run = runner("build", "--data-dir", str(data.parent), "--var", "new_customer_days=500", "--quiet")
    assert_one_line_error(run, "new_customer_days <= declining_after_days < churn_days", "500")
    assert not run.query("select count(*) from duckdb_tables() where schema_name = 'marts'")[0][0]
