"""Bad arguments and bad files: one line on stderr, exit code 2, never a traceback. The command line
runs in-process here (conftest.run_runner); the last tests run it as a new process, as a user does."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, assert_one_line_error, write_csv

from customer_pyramid import __version__, cli


def test_missing_directory(runner, tmp_path):
    run = runner("build", "--data-dir", str(tmp_path / "nowhere"))
    assert_one_line_error(run, "nowhere", "no such directory")


def test_directory_without_orders(runner, tmp_path):
    write_csv(tmp_path / "data" / "customers.csv", ["customer_id"], [["c1"]])
    run = runner("build", "--data-dir", str(tmp_path / "data"))
    assert_one_line_error(run, "orders.csv", "required")


def test_missing_required_column_names_file_and_column(runner, tmp_path):
    write_csv(tmp_path / "data" / "orders.csv", ["order_id", "customer_id", "ordered_at"], [["o1", "c1", "2025-01-01"]])
    run = runner("build", "--data-dir", str(tmp_path / "data"))
    assert_one_line_error(run, "orders.csv", "'amount'")


def test_missing_required_column_of_optional_table(runner, tmp_path):
    data = tmp_path / "data"
    write_csv(
        data / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [["o1", "c1", "2025-01-01", "1"]]
    )
    write_csv(data / "engagement_events.csv", ["customer_id", "occurred_at"], [["c1", "2025-01-01"]])
    run = runner("build", "--data-dir", str(data))
    assert_one_line_error(run, "engagement_events.csv", "'event_type'")


@pytest.mark.parametrize("value", ["2025-13-01", "2025-02-30", "01/02/2025", "yesterday"])
def test_malformed_as_of_date(runner, tmp_path, value):
    write_csv(tmp_path / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    run = runner("build", "--data-dir", str(tmp_path), "--as-of", value)
    assert_one_line_error(run, "--as-of", value)


def test_unknown_time_zone(runner, tmp_path):
    write_csv(tmp_path / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    run = runner("build", "--data-dir", str(tmp_path), "--source-time-zone", "Mars/Olympus")
    assert_one_line_error(run, "--source-time-zone", "Mars/Olympus")


def test_bad_reporting_currency(runner, tmp_path):
    write_csv(tmp_path / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    run = runner("build", "--data-dir", str(tmp_path), "--reporting-currency", "dollars")
    assert_one_line_error(run, "--reporting-currency", "dollars")


def test_both_csv_and_parquet_is_ambiguous(runner, tmp_path):
    write_csv(tmp_path / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    (tmp_path / "orders.parquet").write_bytes(b"PAR1")
    run = runner("build", "--data-dir", str(tmp_path))
    assert_one_line_error(run, "orders.csv", "orders.parquet")


def test_unreadable_parquet(runner, tmp_path):
    (tmp_path / "orders.parquet").write_bytes(b"this is not parquet")
    run = runner("build", "--data-dir", str(tmp_path))
    assert_one_line_error(run, "orders.parquet", "cannot be read")


def test_unknown_subcommand_and_missing_arguments(runner):
    assert_one_line_error(runner("launch"), "invalid choice")
    assert_one_line_error(runner("generate", "--out", "x"), "--customers")
    assert_one_line_error(runner("generate", "--customers", "0", "--out", "x"), "above zero")


def test_test_without_a_build(runner):
    assert_one_line_error(runner("test"), "no build found")


# every subcommand the parser knows (a new one cannot be left out here)
COMMANDS = sorted(
    next(action for action in cli.build_parser()._actions if isinstance(action, argparse._SubParsersAction)).choices
)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(runner, command):
    run = runner(command, "--help")
    assert run.returncode == 0
    assert "usage: customer-pyramid " + command in run.stdout


def test_generate_arguments_are_checked_before_anything_is_written(runner, tmp_path):
    out = tmp_path / "out"
    assert_one_line_error(
        runner("generate", "--customers", "5", "--out", str(out), "--end-date", "2025-02-30"), "--end-date"
    )
    assert_one_line_error(runner("generate", "--customers", "5", "--out", str(out), "--seed", "x"), "--seed", "'x'")
    assert not out.exists()


def test_bad_environment_settings(runner, tmp_path, monkeypatch):
    write_csv(tmp_path / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    monkeypatch.setenv("PYRAMID_MEMORY_LIMIT", "lots")
    assert_one_line_error(runner("build", "--data-dir", str(tmp_path)), "PYRAMID_MEMORY_LIMIT", "'lots'")
    monkeypatch.setenv("PYRAMID_MEMORY_LIMIT", "2GB")
    monkeypatch.setenv("PYRAMID_THREADS", "0")
    assert_one_line_error(runner("build", "--data-dir", str(tmp_path)), "PYRAMID_THREADS", "above zero")


def fresh_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)


def test_runner_py_and_the_console_script_are_one_command():
    script = str(Path(sys.executable).with_name("customer-pyramid"))
    shim = fresh_process(sys.executable, "runner.py", "build", "--help")
    installed = fresh_process(script, "build", "--help")
    assert shim.returncode == installed.returncode == 0
    # the same help, but for the program name (argparse wraps the usage lines by its length)
    assert " ".join(shim.stdout.replace("runner.py", "customer-pyramid").split()) == " ".join(installed.stdout.split())
    assert fresh_process(script, "--version").stdout.strip() == f"customer-pyramid {__version__}"
    assert fresh_process(sys.executable, "runner.py", "--version").stdout.strip() == f"runner.py {__version__}"


def test_help_and_bad_arguments_do_not_import_dbt(tmp_path):
    """What makes `--help` and a one-line error answer at once: neither imports dbt (about 1.5 s) or
    numpy. Checked by what was imported, not by a clock."""
    code = (
        "import sys\n"
        "from customer_pyramid import cli\n"
        "codes = []\n"
        "bad_date = ['build', '--as-of', 'x', '--data-dir', '.']\n"
        "for argv in (['build', '--help'], ['build', '--data-dir', sys.argv[1]], bad_date):\n"
        "    try:\n"
        "        codes.append(cli.main(argv))\n"
        "    except SystemExit as exit_:\n"
        "        codes.append(exit_.code)\n"
        "print(codes, sorted(m for m in ('dbt', 'numpy') if m in sys.modules))\n"
    )
    done = fresh_process(sys.executable, "-c", code, str(tmp_path / "nowhere"))
    assert done.stdout.strip().splitlines()[-1] == "[0, 2, 2] []", done.stdout + done.stderr


def test_backtest_arguments(runner, tmp_path):
    assert_one_line_error(runner("backtest"), "--as-of")
    assert_one_line_error(runner("backtest", "--as-of", "2025-06-30", "--horizon-days", "0"), "--horizon-days", "'0'")
    assert_one_line_error(runner("backtest", "--as-of", "2025-06-31"), "--as-of", "'2025-06-31'")
    assert_one_line_error(
        runner("backtest", "--as-of", "2025-06-30", "--mapping", str(tmp_path / "m.yml")), "--mapping needs --data-dir"
    )


# ---- targets (docs/engines.md)


def test_an_unknown_target_names_the_profile_targets(runner):
    run = runner("demo", "--target", "snowflake")
    assert_one_line_error(run, "--target must be one of duckdb, spark, spark_thrift, spark_http", "'snowflake'")


def test_a_spark_target_without_dbt_spark_says_which_venv(runner):
    # this venv (.venv) has no dbt-spark: the runner says to run from .venv-spark, before dbt starts
    run = runner("demo", "--target", "spark")
    assert_one_line_error(run, "needs the dbt-spark adapter", ".venv-spark")


def test_build_on_a_cluster_target_takes_no_data_folder(runner, tmp_path):
    run = runner("build", "--target", "spark_http", "--data-dir", str(tmp_path))
    assert_one_line_error(run, "--data-dir and --mapping for DuckDB and PostgreSQL", "schema raw")


def test_build_on_duckdb_needs_a_data_folder(runner):
    assert_one_line_error(runner("build"), "--data-dir is required")


def test_a_failed_data_test_points_at_the_query_that_lists_the_failing_rows() -> None:
    """A failing `model_checks` names the model's test; its rows (one per broken rule) come from the
    compiled query, which the message names. A failed model gets no such line."""
    from types import SimpleNamespace

    from customer_pyramid.dbt import _failure_text

    path = "target/compiled/customer_pyramid/models/staging/raw/stg_raw__orders.yml/model_checks_stg_raw__orders.sql"
    test = SimpleNamespace(
        message="Got 2 results, configured to fail if != 0",
        node=SimpleNamespace(resource_type="test", name="model_checks_stg_raw__orders", compiled_path=path),
    )
    model = SimpleNamespace(
        message="Runtime Error\nConversion failed", node=SimpleNamespace(resource_type="model", name="dim_customers")
    )
    assert _failure_text("build", [test, model]).splitlines() == [
        "dbt build: 2 failed:",
        "  test model_checks_stg_raw__orders: Got 2 results, configured to fail if != 0",
        f"    the failing rows: run the query in {path}",
        "  model dim_customers: Runtime Error",
    ]
