"""One settings object: flags win over a mapping's settings, the environment says where and how much,
and every bad value is one error that names where it came from."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from customer_pyramid.errors import UserError
from customer_pyramid.settings import Settings


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
    assert settings.environment() == {
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
