"""Publishing: the marts of a complete, tested build, copied into the serving file BI tools read.

dbt builds into the working file (PYRAMID_DB). When a build and all its tests pass, `publish`
copies the marts schema, and nothing else (no raw or staging rows, so no contact data), into a new
file beside the serving file, checkpoints and closes it, and renames it over the serving file.
A rename within one folder is atomic: a reader opens either the previous file or the new one,
never a mix. A reader that holds the previous file open keeps reading it (its data stays on disk
until the reader closes it) and never blocks the runner, which never opens the serving file
itself. A runner killed while publishing leaves the previous serving file untouched and a
`.partial` file that the next publish removes. The serving file carries the schema `publication`:
which build it holds (`publication.build`: an id that is a digest of the marts' contents, the
as-of date, when and by which command it was published) and the rows of each mart
(`publication.tables`, with the sum of its row hashes).

POSIX rename replaces a file that is open; Windows refuses while a reader holds the file (the error
says so, and the build stays in the working file until `runner.py publish` succeeds).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from customer_pyramid.errors import UserError
from customer_pyramid.relations import marts_schema, relation
from customer_pyramid.settings import Settings
from customer_pyramid.sql import quote_identifier, sql_literal

MARTS_SCHEMA = "marts"
PUBLICATION_SCHEMA = "publication"
# Test hook: seconds to wait after copying each mart, so that a test can kill a runner mid-publish.
PAUSE_VARIABLE = "PYRAMID_TEST_PUBLISH_PAUSE"


@dataclass(frozen=True)
class Publication:
    path: Path
    build_id: str
    as_of_date: datetime.date | None
    tables: dict[str, int]


def publish(settings: Settings, command: str, progress: Callable[[str], None] | None = None) -> Publication:
    """Copy the marts of the working file into a new serving file and swap it in."""
    import duckdb

    serving = settings.serving_database
    if serving.resolve() == settings.database.resolve():
        raise UserError(f"the serving file must differ from the working file ({serving})")
    serving.parent.mkdir(parents=True, exist_ok=True)
    _remove_partials(serving)  # left by runners that were killed
    partial = serving.with_name(f".{serving.name}.partial-{os.getpid()}")
    pause = float(os.environ.get(PAUSE_VARIABLE) or 0)
    try:
        with duckdb.connect(str(partial), config=settings.duckdb_config()) as connection:
            connection.execute("set TimeZone = 'UTC'")
            connection.execute(f"attach {sql_literal(settings.database)} as working (read_only)")
            tables = _marts(connection)
            if not tables:
                raise UserError(f"{settings.database} has no marts to publish: run a full build first")
            as_of = connection.execute(f"select as_of_date from working.{relation('int_as_of_date')}").fetchone()[0]
            connection.execute(f"create schema {MARTS_SCHEMA}")
            rows, contents, digest = {}, {}, hashlib.sha256(f"as of {as_of}\n".encode())
            for number, table in enumerate(tables, 1):
                copy_started = time.monotonic()
                served = f"{MARTS_SCHEMA}.{quote_identifier(table)}"
                working = f"working.{marts_schema()}.{quote_identifier(table)}"
                connection.execute(f"create table {served} as select * from {working}")
                # the id of the build is a digest of its contents: the same marts publish the same id
                count, content = connection.execute(
                    f"select count(*), coalesce(sum(hash(mart)::hugeint), 0) from {served} as mart"
                ).fetchone()
                rows[table] = count
                contents[table] = str(content)
                digest.update(f"{table} {count} {content}\n".encode())
                seconds = time.monotonic() - copy_started
                if progress and seconds >= 1:  # the large marts only (at a million customers, the history)
                    progress(f"  published {number}/{len(tables)} {table} ({count:,} rows, {seconds:.0f}s)")
                if pause:
                    time.sleep(pause)
            build_id = digest.hexdigest()[:16]
            _record(connection, build_id, as_of, command, rows, contents)
            connection.execute("detach working")
            connection.execute("checkpoint")
        _fsync(partial)
        _remove(serving.with_name(serving.name + ".wal"))  # a stale log would be replayed into the new file
        try:
            os.replace(partial, serving)
        except PermissionError as error:
            raise UserError(
                f"cannot replace {serving} ({error.strerror}): a program holds it open (Windows does not allow "
                "replacing an open file). The build is in the working file; close the readers and run "
                "`runner.py publish`"
            ) from None
        _fsync(serving.parent)
    finally:
        _remove(partial)
        _remove(partial.with_name(partial.name + ".wal"))
    return Publication(serving, build_id, as_of, rows)


def published(path: Path) -> dict | None:
    """What the serving file at `path` holds (build id, as-of date, publish time, command), or None."""
    import duckdb

    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        cursor = connection.execute(f"select * from {PUBLICATION_SCHEMA}.build")
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def current_publication(settings: Settings) -> tuple[dict | None, str | None]:
    """What the serving file holds (None without one), or why it cannot be read: a damaged or
    foreign file is reported, never raised, after a build that passed."""
    try:
        return published(settings.serving_database), None
    except Exception as error:  # noqa: BLE001
        return None, str(error).splitlines()[0]


def serving_state(settings: Settings) -> str:
    """What the serving file holds now, in words."""
    current, error = current_publication(settings)
    if error:
        return f"{settings.serving_database} cannot be read ({error})"
    if current is None:
        return f"no serving file yet ({settings.serving_database} is written by the first build that passes)"
    return (
        f"the serving file {settings.serving_database} still holds build {current['build_id']} "
        f"(as of {current['as_of_date']}, published {current['published_at']:%Y-%m-%d %H:%M} UTC)"
    )


def _marts(connection) -> list[str]:
    return [
        name
        for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_catalog = 'working' "
            "and table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            [marts_schema()],
        ).fetchall()
    ]


def _record(connection, build_id: str, as_of, command: str, rows: dict[str, int], contents: dict[str, str]) -> None:
    connection.execute(f"create schema {PUBLICATION_SCHEMA}")
    connection.execute(
        f"create table {PUBLICATION_SCHEMA}.build as select ? as build_id, ?::date as as_of_date, "
        "now() as published_at, ? as runner_command",
        [build_id, as_of, command],
    )
    connection.execute(
        f"create table {PUBLICATION_SCHEMA}.tables (table_name varchar, row_count bigint, content_hash varchar)"
    )
    connection.executemany(
        f"insert into {PUBLICATION_SCHEMA}.tables values (?, ?, ?)",
        [(table, count, contents[table]) for table, count in rows.items()],
    )


def _remove_partials(serving: Path) -> None:
    """The new files of publishing runners that are no longer running (a killed runner leaves one)."""
    for path in serving.parent.glob(f".{serving.name}.partial-*"):
        pid = path.name.rsplit("-", 1)[-1].split(".")[0]
        if not (pid.isdigit() and _running(int(pid))):
            _remove(path)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk, so that a power cut does not undo the swap.
    Windows flushes only files opened for writing, and cannot open a folder."""
    if path.is_dir() and os.name == "nt":
        return
    descriptor = os.open(path, os.O_RDONLY if path.is_dir() else os.O_RDWR)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
