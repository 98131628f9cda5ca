"""`runner.py export`: every mart as a file with a manifest, byte-identical for the same build,
written whole or not at all, and CSV cells that a spreadsheet would run as formulas neutralised."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from conftest import CONTACTS, FORMULAS, assert_one_line_error, built, run_runner

from customer_pyramid.serve import export as export_module

DEMO = pytest.mark.xdist_group("demo")  # the tests that read the demo build run where it is built


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def exported(demo_build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "marts"
    built(["export", "--out", str(out)], demo_build.database)
    return out


@DEMO
def test_every_mart_is_a_file_with_its_rows_columns_and_hash(demo_build, exported: Path) -> None:
    manifest = json.loads((exported / "manifest.json").read_text())
    marts = {
        name
        for (name,) in demo_build.query("select table_name from information_schema.tables where table_schema = 'marts'")
    }
    assert set(manifest["tables"]) == marts
    assert {path.name for path in exported.iterdir()} == {f"{name}.parquet" for name in marts} | {"manifest.json"}
    assert manifest["as_of_date"] == str(demo_build.query("select as_of_date from intermediate.int_as_of_date")[0][0])
    for name, entry in manifest["tables"].items():
        path = exported / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        with duckdb.connect() as connection:
            file_rows = connection.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
            file_columns = [
                row[0] for row in connection.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
            ]
        assert entry["rows"] == file_rows == demo_build.query(f"select count(*) from marts.{name}")[0][0]
        assert [column["name"] for column in entry["columns"]] == file_columns


@DEMO
def test_the_same_build_exports_the_same_bytes(demo_build, exported: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    built(["export", "--out", str(again)], demo_build.database)
    assert files_of(again) == files_of(exported)


@DEMO
def test_a_failed_export_leaves_the_previous_one_whole(demo_build, exported: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "marts"
    built(["export", "--out", str(out)], demo_build.database)
    before = files_of(out)
    written = []
    real = export_module._write_table

    def failing(connection, table, folder, fmt):
        if len(written) == 3:
            raise OSError("disk full (simulated)")
        written.append(table)
        return real(connection, table, folder, fmt)

    monkeypatch.setattr(export_module, "_write_table", failing)
    with pytest.raises(OSError):
        export_module.export(_settings(demo_build.database), out, "csv")
    assert files_of(out) == before
    assert [path.name for path in tmp_path.iterdir()] == ["marts"], "no partial folder is left behind"


def _settings(database: Path):
    from customer_pyramid.dbt import temporary_environment
    from customer_pyramid.settings import Settings

    with temporary_environment({"PYRAMID_DB": str(database)}):
        return Settings.resolve()


@DEMO
def test_export_errors_are_one_line(demo_build, tmp_path: Path) -> None:
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine")
    assert_one_line_error(run_runner(["export", "--out", str(occupied)], demo_build.database), "not an earlier export")
    assert (occupied / "notes.txt").read_text() == "mine"
    assert_one_line_error(
        run_runner(["export", "--out", str(tmp_path / "x")], tmp_path / "none.duckdb"), "no published build"
    )
    run = run_runner(["export", "--out", str(tmp_path / "x"), "--format", "xlsx"], demo_build.database)
    assert run.returncode == 2 and "invalid choice: 'xlsx'" in run.stderr


CONTACTS_BUILD = pytest.mark.xdist_group("contacts")


@CONTACTS_BUILD
def test_csv_cells_that_start_like_formulas_are_neutralised(contacts_build, tmp_path: Path) -> None:
    built(["export", "--out", str(tmp_path / "csv"), "--format", "csv"], contacts_build.database)
    built(["export", "--out", str(tmp_path / "parquet")], contacts_build.database)
    with open(tmp_path / "csv" / "dim_customers.csv", newline="") as handle:
        exported = {row["customer_id"]: row["city"] for row in csv.DictReader(handle)}
    formulas = {f"c{i + 1}": "'" + name for i, name in enumerate(FORMULAS)}
    assert exported == {"c0": "Plain", **formulas, "'+c5": "Town"}, "ids and text cells alike"
    with duckdb.connect() as connection:
        kept = connection.execute(
            "select customer_id, city from read_parquet(?)", [str(tmp_path / "parquet" / "dim_customers.parquet")]
        ).fetchall()
    assert dict(kept) == {row[0]: row[3] for row in CONTACTS}, "Parquet keeps the values as they are"
