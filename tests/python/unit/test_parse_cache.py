"""The parse cache (customer_pyramid/dbt.py parsed_project): a parse is kept on disk for the next
process with the same key, and a changed key, a changed project file or an unreadable file parses
again. The parse itself is replaced by a counter returning dbt's own (empty) Manifest: what is
tested is the keeping, not dbt's parser (every build in the suite parses through it)."""

from __future__ import annotations

import pytest
from dbt.contracts.graph.manifest import Manifest

from customer_pyramid import dbt


@pytest.fixture
def parses(tmp_path, monkeypatch) -> list[dict]:
    """The parses that really ran (their vars), with an empty memory and the disk cache in tmp_path."""
    ran: list[dict] = []

    def parse(target, variables, environment):
        ran.append(dict(variables or {}))
        return Manifest()

    monkeypatch.setattr(dbt, "run_dbt_parse", parse)
    monkeypatch.setattr(dbt, "PARSE_CACHE", tmp_path / "parses")
    monkeypatch.setattr(dbt, "_PARSED", {})
    return ran


def new_process(monkeypatch) -> None:
    monkeypatch.setattr(dbt, "_PARSED", {})


def test_a_second_process_reads_the_parse_from_disk(parses, monkeypatch) -> None:
    first = dbt.parsed_project("duckdb", {"as_of_date": "2025-01-31", "input_files": "a.csv"}, {}, "w")
    assert len(parses) == 1 and len(list(dbt.PARSE_CACHE.glob("*.msgpack"))) == 1
    new_process(monkeypatch)
    # input_files is read when the model runs, not at parse time: another folder shares the parse
    again = dbt.parsed_project("duckdb", {"as_of_date": "2025-01-31", "input_files": "b.csv"}, {}, "w")
    assert len(parses) == 1
    assert isinstance(again, Manifest) and again is not first


@pytest.mark.parametrize(
    "change",
    ["vars", "target", "database", "project files"],
)
def test_another_key_parses_again(parses, monkeypatch, change: str) -> None:
    arguments = ["duckdb", {"as_of_date": "2025-01-31"}, {}, "w"]
    dbt.parsed_project(*arguments)
    new_process(monkeypatch)
    if change == "vars":
        arguments[1] = {"as_of_date": "2025-02-28"}
    elif change == "target":
        arguments[0] = "postgres"
    elif change == "database":
        arguments[3] = "other"
    else:
        monkeypatch.setattr(dbt, "_project_stamp", lambda: "a model was edited")
    dbt.parsed_project(*arguments)
    assert len(parses) == 2


def test_an_unreadable_file_parses_again_and_is_replaced(parses, monkeypatch) -> None:
    dbt.parsed_project("duckdb", None, {}, "w")
    (kept,) = dbt.PARSE_CACHE.glob("*.msgpack")
    kept.write_bytes(b"\x00 half a file")
    new_process(monkeypatch)
    assert isinstance(dbt.parsed_project("duckdb", None, {}, "w"), Manifest)
    new_process(monkeypatch)
    dbt.parsed_project("duckdb", None, {}, "w")
    assert len(parses) == 2  # the broken file was parsed again once, and written anew


def test_only_the_most_recent_parses_are_kept(parses, monkeypatch) -> None:
    monkeypatch.setattr(dbt, "PARSES_KEPT", 3)
    for month in range(1, 6):
        dbt.parsed_project("duckdb", {"as_of_date": f"2025-0{month}-01"}, {}, "w")
    assert len(list(dbt.PARSE_CACHE.glob("*.msgpack"))) == 3


def test_the_project_stamp_follows_a_file_edit(tmp_path, monkeypatch) -> None:
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: x\n")
    (project / "models" / "a.sql").write_text("select 1 as a\n")
    monkeypatch.setattr(dbt, "PROJECT_DIR", project)
    monkeypatch.setattr(dbt, "PROFILES_DIR", project)
    (project / "profiles.yml").write_text("x: {}\n")
    before = dbt._project_stamp()
    assert dbt._project_stamp() == before
    (project / "models" / "a.sql").write_text("select 2 as a, 3 as b\n")
    assert dbt._project_stamp() != before


def test_a_write_that_fails_half_way_leaves_no_file(tmp_path, monkeypatch) -> None:
    """A full disk: the partial file is removed, nothing is kept, and no error reaches the build."""
    written = []

    def half_then_full(self, data: bytes) -> int:
        with open(self, "wb") as file:
            file.write(data[: len(data) // 2])
        written.append(self)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dbt.Path, "write_bytes", half_then_full)
    folder = tmp_path / "parses"
    dbt._keep_parse(folder / "key.msgpack", Manifest())
    assert written and list(folder.iterdir()) == []
