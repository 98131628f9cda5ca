"""`runner.py export`: every mart of the published build as a file (Parquet or CSV) and a manifest.

It reads the serving file (customer_pyramid/serve/publish.py), so an export holds exactly what BI tools
see: a complete build whose tests passed. The manifest's build id is the published build's id.

The export is written into a new folder beside the target and renamed into place, so a crash leaves
either the previous export or the new one, never half of one. Rows are written in a fixed order
and the manifest holds nothing that changes between runs (no clock), so the same build exports to
the same bytes. CSV text cells that a spreadsheet would run as a formula (starting with = + - @, a
tab or a carriage return) are prefixed with an apostrophe (OWASP's advice for CSV injection), unless
they are a plain signed number or phone number.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from customer_pyramid.errors import UserError
from customer_pyramid.serve.publish import MARTS_SCHEMA, PUBLICATION_SCHEMA, current_publication
from customer_pyramid.settings import Settings
from customer_pyramid.sql import quote_identifier, sql_literal

FORMATS = ("parquet", "csv")
MANIFEST = "manifest.json"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = r"[+-]?[0-9][0-9 ().-]*"
TEXT_TYPES = ("VARCHAR",)


def export(settings: Settings, out: Path, fmt: str = "parquet") -> dict:
    """Write every mart of the serving file into `out`; returns the manifest."""
    if fmt not in FORMATS:
        raise UserError(f"--format must be one of {', '.join(FORMATS)}, got '{fmt}'")
    with atomic_folder(out) as folder:
        manifest = _write_all(settings, folder, fmt)
        write_manifest(folder, manifest)
    return manifest


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """A new folder to write an export into, put at `out` (replacing an earlier export there) only
    when the block finishes; on an error nothing at `out` changes and the new folder is removed."""
    out = out.resolve()
    _restore_interrupted_swap(out)
    if out.exists() and not (out / MANIFEST).exists() and any(out.iterdir()):
        raise UserError(f"{out} exists and is not an earlier export (no {MANIFEST}): give a new or empty folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        _swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _write_all(settings: Settings, folder: Path, fmt: str) -> dict:
    serving = settings.serving_database
    if not serving.exists():
        raise UserError(f"no published build at {serving}: run `python runner.py demo` or `build --data-dir DIR` first")
    with settings.connect_read_only(serving) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' "
                "order by table_name",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
        build_id, as_of = connection.execute(f"select build_id, as_of_date from {PUBLICATION_SCHEMA}.build").fetchone()
        files = {}
        for table in tables:
            files[table] = _write_table(connection, table, folder, fmt)
    return {
        "format": fmt,
        "as_of_date": as_of.isoformat() if as_of else None,
        "build_id": build_id,
        "tables": files,
    }


def _write_table(connection, table: str, folder: Path, fmt: str) -> dict:
    columns = connection.execute(
        "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [MARTS_SCHEMA, table],
    ).fetchall()
    quoted = {name: quote_identifier(name) for name, _ in columns}
    order = ", ".join(quoted.values())
    select = ", ".join(
        f"{neutralised(quoted[name])} as {quoted[name]}" if fmt == "csv" and data_type in TEXT_TYPES else quoted[name]
        for name, data_type in columns
    )
    path = folder / f"{table}.{fmt}"
    options = "format parquet, compression zstd" if fmt == "parquet" else "format csv, header true"
    relation = f"{MARTS_SCHEMA}.{quote_identifier(table)}"
    connection.execute(f"copy (select {select} from {relation} order by {order}) to {sql_literal(path)} ({options})")
    rows = connection.execute(f"select count(*) from {relation}").fetchone()[0]
    return {
        "file": path.name,
        "rows": rows,
        "columns": [{"name": name, "type": data_type} for name, data_type in columns],
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def neutralised(expression: str) -> str:
    """SQL for a text cell that a spreadsheet would run as a formula, prefixed with an apostrophe.
    Cells made only of digits, spaces and `( ) . -` after a sign (phone numbers such as
    +44 20 7946 0958, negative numbers) cannot call a function and are kept as they are."""
    starts = ", ".join("'" + start.replace("'", "''") + "'" for start in FORMULA_STARTS)
    return (
        f"case when left({expression}, 1) in ({starts}) "
        f"and not regexp_full_match({expression}, {sql_literal(PLAIN_NUMBER)}) "
        f"then chr(39) || {expression} else {expression} end"
    )


def _restore_interrupted_swap(out: Path) -> None:
    """A runner killed between the two renames of _swap_in leaves the previous export under its
    hidden name and none at `out`: put it back."""
    if out.exists():
        return
    for old in sorted(out.parent.glob(f".{out.name}.old-*")):
        if (old / MANIFEST).exists():
            old.rename(out)
            return


def _swap_in(new: Path, out: Path) -> None:
    """Put the finished export at `out`: renames only, so `out` is never a mix of two exports."""
    if not out.exists():
        new.rename(out)
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)


# ---- where the last exports went (printed after each build)


def _exports_file(database: Path) -> Path:
    return database.with_name(database.name + ".exports.json")


def remember_export(settings: Settings, kind: str, out: Path, manifest: dict) -> None:
    """Where the last export of each kind went and which published build it holds (for the summary)."""
    path = _exports_file(settings.database)
    exports = json.loads(path.read_text()) if path.exists() else {}
    exports[kind] = {"path": str(out.resolve()), "build_id": manifest["build_id"]}
    path.write_text(json.dumps(exports, indent=2) + "\n")


def exports_lines(settings: Settings, build_id: str | None = None) -> list[str]:
    """The last exports, and whether they hold the build now published (`build_id` when the caller
    just published it; otherwise read from the serving file)."""
    path = _exports_file(settings.database)
    exports = json.loads(path.read_text()) if path.exists() else {}
    if build_id is None and exports:
        build_id = (current_publication(settings)[0] or {}).get("build_id")
    lines = []
    for kind, entry in exports.items():
        state = "current" if entry["build_id"] == build_id else "an earlier build: export again"
        lines.append(f"Last {kind} export: {entry['path']} ({state})")
    return lines or ["Exports: `runner.py export --out DIR` (marts) and `export --audiences --out DIR` (contact lists)"]
