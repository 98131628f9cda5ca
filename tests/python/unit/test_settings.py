"""One settings object: flags win over a mapping's settings, the environment says where and how much,
and every bad value is one error that names where it came from."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from customer_pyramid.engines.duckdb import DuckDBEngine
from customer_pyramid.errors import UserError
from customer_pyramid.settings import BUILD_SETTINGS, READING_VARS, Settings, project_vars


def test_flags_win_and_the_mapping_fills_the_rest(tmp_path):
    flags = {"as_of": "2025-06-30", "reporting_currency": None, "timestamp_formats": None, "full_refresh": True}
    mapping = {"as_of": "2024-01-01", "reporting_currency": "GBP", "timestamp_formats": "%d/%m/%Y"}
    settings = Settings.resolve(flags, mapping, env={"PYRAMID_DB": str(tmp_path / "w.duckdb")})
    assert settings.as_of == datetime.date(2025, 6, 30)
    assert settings.reporting_currency == "GBP"
    assert settings.timestamp_formats == ("%d/%m/%Y",)
    assert settings.full_refresh
    assert settings.database == tmp_path / "w.duckdb"
    assert settings.temp_directory == tmp_path / "tmp"
    assert settings.dbt_vars("raw") == {
        "raw_schema": "raw",
        "as_of_date": "2025-06-30",
        "reporting_currency": "GBP",
        "source_timestamp_formats": ["%d/%m/%Y"],
    }


def test_defaults_leave_the_dbt_vars_to_the_project():
    settings = Settings.resolve(env={})
    assert settings.dbt_vars("demo_raw") == {"raw_schema": "demo_raw"}
    assert (settings.memory_limit, settings.threads) == ("4GB", 2)
    assert settings.database.name == "customer_pyramid.duckdb"


def test_the_environment_is_read_and_handed_to_dbt_as_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"PYRAMID_DB": "w.duckdb", "PYRAMID_MEMORY_LIMIT": "512MB", "PYRAMID_THREADS": "3"}
    settings = Settings.resolve(env=env)
    assert DuckDBEngine(settings).environment() == {
        "PYRAMID_DB": str(tmp_path / "w.duckdb"),
        "PYRAMID_TEMP_DIRECTORY": str(tmp_path / "tmp"),
        "PYRAMID_MEMORY_LIMIT": "512MB",
        "PYRAMID_THREADS": "3",
    }
    assert Path(settings.duckdb_config()["temp_directory"]) == tmp_path / "tmp"


@pytest.mark.parametrize(
    ("flags", "mapping", "env", "fragments"),
    [
        ({"as_of": "2025-02-30"}, None, {}, ["--as-of", "'2025-02-30'", "not a valid calendar date"]),
        ({}, {"as_of": "30.06.2025"}, {}, ["mapping setting as_of", "YYYY-MM-DD"]),
        ({"reporting_currency": "usd"}, None, {}, ["--reporting-currency", "'usd'"]),
        ({}, {"source_time_zone": "Mars/Olympus"}, {}, ["mapping setting source_time_zone", "IANA"]),
        ({}, {"decimal_separator": ";"}, {}, ["mapping setting decimal_separator", "'.' or ','"]),
        ({}, {"timestamp_formats": ["dd/mm/yyyy"]}, {}, ["mapping setting timestamp_formats", "strptime"]),
        ({}, None, {"PYRAMID_THREADS": "two"}, ["PYRAMID_THREADS", "'two'"]),
        ({}, None, {"PYRAMID_MEMORY_LIMIT": "80%"}, ["PYRAMID_MEMORY_LIMIT", "memory size"]),
    ],
)
def test_a_bad_value_names_where_it_came_from(flags, mapping, env, fragments):
    with pytest.raises(UserError) as error:
        Settings.resolve(flags, mapping, env=env)
    message = str(error.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_rule_vars_from_flags_and_the_mapping_are_checked_by_the_kind_of_their_default(tmp_path):
    """--var name=value (YAML values) wins over a mapping's `vars:`; both reach the dbt vars."""
    flags = {"var": ["churn_days=200", "value_tier_shares=[0.02, 0.1, 0.3, 0.6]", "clv_model=mbgnbd"]}
    mapping = {"vars": {"churn_days": 120, "identity_max_rounds": 12}}
    settings = Settings.resolve(flags, mapping, env={"PYRAMID_DB": str(tmp_path / "w.duckdb")})
    assert settings.dbt_vars("raw") == {
        "raw_schema": "raw",
        "churn_days": 200,
        "identity_max_rounds": 12,
        "value_tier_shares": [0.02, 0.1, 0.3, 0.6],
        "clv_model": "mbgnbd",
    }


@pytest.mark.parametrize(
    ("flags", "mapping", "fragments"),
    [
        ({"var": ["churn_days"]}, None, ["--var", "name=value"]),
        ({"var": ["chrun_days=3"]}, None, ["--var chrun_days", "not a var of the project"]),
        ({"var": ["churn_days=soon"]}, None, ["--var churn_days", "a number", "'soon'"]),
        ({"var": ["identity_match_email=true"]}, None, ["identity_match_email", "--match-on"]),
        ({"var": ["as_of_date=2025-01-01"]}, None, ["as_of_date", "--as-of"]),
        ({"var": ["raw_schema=x"]}, None, ["raw_schema", "set by the runner"]),
        ({"var": ["value_tier_shares=0.5"]}, None, ["value_tier_shares", "a list"]),
        ({"var": ["marketing_consent_when_unknown=1"]}, None, ["true or false"]),
        ({}, {"vars": {"churn_days": "x"}}, ["mapping setting vars.churn_days", "a number"]),
        ({}, {"vars": ["churn_days"]}, ["mapping setting vars", "map var names"]),
    ],
)
def test_a_bad_rule_var_is_one_error_that_names_it(flags, mapping, fragments):
    with pytest.raises(UserError) as error:
        Settings.resolve(flags, mapping, env={})
    message = str(error.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_the_settings_table_declares_what_the_flags_mapping_and_vars_are():
    """Every var a build setting sets is a var of the project, and the vars whose change forces a full
    refresh are the reading settings' (not the as-of date, which an incremental build moves forward)."""
    declared = {name for setting in BUILD_SETTINGS for name in setting.variables}
    assert declared <= set(project_vars())
    assert "as_of_date" not in READING_VARS and {"source_time_zone", "identity_match_email"} <= set(READING_VARS)
    assert len({setting.flag for setting in BUILD_SETTINGS}) == len(BUILD_SETTINGS)
