"""The demo on PostgreSQL: built and tested on a real server, equal to DuckDB mart for mart, and
readable by the reader roles exactly as documented.

The module starts a throwaway server (scripts/postgres-server.sh: a cluster in a temporary folder, on
127.0.0.1 and a free port) and stops and removes it at the end. `runner.py build --target postgres
--data-dir seeds/demo` (the demo's files, loaded into the server's `raw` schema with COPY) runs as a
process of its own, as a user runs it, while this process builds the same folder on DuckDB; its
profile schema has a space, a quote and a semicolon in its name, and a timestamp layout carries an
SQL comment and a statement: both must reach PostgreSQL quoted. Each mart is copied out with
`COPY ... TO STDOUT` and compared with warehouse_compare (money to the cent, floating point such as
CLV to 1e-6 relative, the rest exactly).
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg2
import pytest
from conftest import PROJECT_DIR, built, write_csv
from warehouse_compare import attached_marts, differences

pytestmark = pytest.mark.xdist_group("postgres")

SERVER_SCRIPT = PROJECT_DIR / "scripts" / "postgres-server.sh"
HOSTILE_SCHEMA = "pyramid fns; --'x"
HOSTILE_FORMAT = "%d/%m/%Y'); drop table demo_raw.orders; --"
PERSONAL_COLUMNS = {"email", "phone", "first_name", "last_name", "birth_date", "comment"}
IDENTITY_KEYS = {"contact_value", "link_key"}  # intermediate: normalised emails and phones


def _server_environment(output: str) -> dict[str, str]:
    pairs = dict(line.split("=", 1) for line in output.splitlines() if line.startswith("PYRAMID_PG_"))
    assert {"PYRAMID_PG_HOST", "PYRAMID_PG_PORT", "PYRAMID_PG_USER"} <= set(pairs), output
    return pairs


@pytest.fixture(scope="module")
def server() -> Iterator[dict[str, str]]:
    # under /tmp itself: the server runs as the `postgres` user when the tests run as root, and must
    # reach its folder (pytest's own temporary folders are private to this user)
    folder = Path("/tmp") / f"pyramid-pg-{uuid.uuid4().hex[:12]}"
    started = subprocess.run(
        ["bash", str(SERVER_SCRIPT), "start", str(folder)], capture_output=True, text=True, timeout=600
    )
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield _server_environment(started.stdout)
    finally:
        subprocess.run(["bash", str(SERVER_SCRIPT), "stop", str(folder)], capture_output=True, timeout=120)
    assert not folder.exists()


def connect(server: dict[str, str], user: str | None = None, dbname: str = "customer_pyramid"):
    return psycopg2.connect(
        host=server["PYRAMID_PG_HOST"],
        port=int(server["PYRAMID_PG_PORT"]),
        user=user or server["PYRAMID_PG_USER"],
        dbname=dbname,
    )


def _environment(server: dict[str, str], base: Path) -> dict[str, str]:
    return {
        **os.environ,
        **server,
        "PYRAMID_PG_SCHEMA": HOSTILE_SCHEMA,
        "PYRAMID_DB": str(base / "lock.duckdb"),  # the runner's lock file, never a real warehouse's
        # each model and test is a few round trips to the server: four at once keep both cores busy
        "PYRAMID_THREADS": "4",
        "DBT_TARGET_PATH": str(base / "target"),
        "DBT_LOG_PATH": str(base / "logs"),
    }


def runner(args: list[str], server: dict[str, str], base: Path, extra: dict | None = None) -> subprocess.Popen:
    """The runner as a new process on the test server, its dbt files and lock under `base`."""
    return subprocess.Popen(
        [sys.executable, "runner.py", *args],
        cwd=PROJECT_DIR,
        env={**_environment(server, base), **(extra or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def dbt(args: list[str], server: dict[str, str], base: Path) -> subprocess.CompletedProcess:
    """Plain dbt on the test server (as docs/engines.md, "Using dbt directly"), its files under `base`."""
    command = [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", "profiles", "--target", "postgres"]
    return subprocess.run(
        command, cwd=PROJECT_DIR, env=_environment(server, base), capture_output=True, text=True, timeout=600
    )


def finished(process: subprocess.Popen, timeout: int = 900) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output[-6000:]
    return output


@pytest.fixture(scope="module")
def demo(server: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    """The demo's files built on the server and, meanwhile, on DuckDB with the same flags."""
    base = tmp_path_factory.mktemp("postgres")
    flags = ["--data-dir", str(PROJECT_DIR / "seeds" / "demo"), "--timestamp-format", HOSTILE_FORMAT, "--quiet"]
    process = runner(["build", "--target", "postgres", *flags], server, base)
    try:
        # the reference; its data tests are the PostgreSQL build's, which runs every one of them
        duck = built(["build", *flags, "--data-tests", "invariants"], base / "duckdb" / "warehouse.duckdb")
        output = finished(process)
    finally:
        process.kill()
    return output, duck, base


def test_every_mart_on_postgres_equals_duckdb(server, demo, tmp_path: Path) -> None:
    output, duck, _ = demo
    assert "CLV: fitted" in output, output[-3000:]
    with connect(server) as postgres, postgres.cursor() as cursor:
        # every line of the files arrived (COPY), the hostile layout was quoted, not run; the
        # functions live in the oddly named schema
        for table in ("orders", "order_items", "customers", "engagement_events", "fx_rates"):
            cursor.execute(f"select count(*) from raw.{table}")
            assert [cursor.fetchone()] == duck.query(f"select count(*) from raw.{table}"), table
        cursor.execute("select count(*) from pg_proc where pronamespace = %s::regnamespace", [f'"{HOSTILE_SCHEMA}"'])
        assert cursor.fetchone()[0] == 3
    found = mart_differences(server, duck.database, tmp_path)
    assert not found, "\n".join(found)


def mart_differences(server: dict[str, str], database: Path, folder: Path, dbname: str = "customer_pyramid") -> list:
    """What differs between the marts on the server and those of the DuckDB warehouse `database`."""
    with connect(server, dbname=dbname) as postgres, postgres.cursor() as cursor:
        cursor.execute("select tablename from pg_tables where schemaname = 'marts' order by tablename")
        postgres_marts = [row[0] for row in cursor.fetchall()]
        files = {}
        for table in postgres_marts:
            path = folder / f"{table}.csv"
            with path.open("w", encoding="utf-8") as handle:
                cursor.copy_expert(f"copy (select * from marts.{table}) to stdout with (format csv, header)", handle)
            files[table] = path
    with duckdb.connect() as connection:
        duck_marts = attached_marts(connection, database)
        assert duck_marts and postgres_marts == duck_marts
        found = []
        for table in duck_marts:
            types = {row[0]: row[1] for row in connection.execute(f"describe duck.marts.{table}").fetchall()}
            with files[table].open(encoding="utf-8") as handle:
                header = next(csv.reader(handle))
            columns = ", ".join(f"'{name}': '{types.get(name, 'VARCHAR')}'" for name in header)
            postgres_table = (
                f"read_csv('{files[table]}', header = true, columns = {{{columns}}}, allow_quoted_nulls = false)"
            )
            found += differences(connection, f"duck.marts.{table}", postgres_table, table)
    return found


def _tables(cursor, schemas: tuple[str, ...]) -> list[str]:
    cursor.execute(
        "select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables "
        "where table_schema = any(%s) order by 1",
        [list(schemas)],
    )
    return [row[0] for row in cursor.fetchall()]


def _can_read(server: dict[str, str], user: str, relation: str, columns: str = "*") -> bool:
    with connect(server, user) as connection, connection.cursor() as cursor:
        try:
            cursor.execute(f"select {columns} from {relation} limit 1")
        except psycopg2.errors.InsufficientPrivilege:
            return False
    return True


def test_reader_roles_read_what_the_docs_say_and_keep_it_after_a_rebuild(server, demo, tmp_path: Path) -> None:
    finished(runner(["grant", "--target", "postgres"], server, tmp_path))
    with connect(server) as connection, connection.cursor() as cursor:
        cursor.execute("create role metabase login in role bi_reader")
        cursor.execute("create role mailer login in role activation")
    for rebuilt in (False, True):
        if rebuilt:
            # dbt replaces tables and views on every run: the grants must follow (on-run-end, and
            # default privileges for the marts)
            # (PostgreSQL drops the views on a replaced relation, cascade: its view descendants go too)
            selection = [
                "--select",
                "int_customer_records",
                "int_customer_records+,config.materialized:view",
                "dim_customers",
            ]
            again = dbt(["run", *selection, "--vars", '{"raw_schema": "raw"}'], server, tmp_path)
            assert again.returncode == 0, again.stdout[-3000:]
        with connect(server) as connection, connection.cursor() as cursor:
            marts = _tables(cursor, ("marts",))
            private = _tables(cursor, ("raw", "demo_raw", "staging", "intermediate", "rules"))
        assert len(marts) > 20 and any(name.startswith("staging.") for name in private)
        assert "raw.orders" in private and "marts.dim_customers" in marts
        for relation in marts:
            assert _can_read(server, "metabase", relation), relation
            assert _can_read(server, "mailer", relation), relation
        for relation in private:
            assert not _can_read(server, "metabase", relation), relation
            if relation != "intermediate.int_customer_records":
                assert not _can_read(server, "mailer", relation), relation
        contacts = "customer_id, email, phone, first_name, last_name, country"
        assert _can_read(server, "mailer", "intermediate.int_customer_records", contacts)
        assert not _can_read(server, "mailer", "intermediate.int_customer_records", "birth_date")


def test_no_mart_holds_personal_data(server, demo) -> None:
    """Columns tagged `meta: {pii: true}` exist only in raw, staging and intermediate (identity
    resolution's contacts, a person's merged record): no mart column is tagged, and none of the marts
    on the server has a column of a tagged name."""
    manifest = json.loads((demo[2] / "target" / "manifest.json").read_text())
    tagged: dict[str, set[str]] = {}
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        for column in node.get("columns", {}).values():
            if (column.get("meta") or {}).get("pii") or (column.get("config", {}).get("meta") or {}).get("pii"):
                tagged.setdefault(node["schema"], set()).add(column["name"])
    assert set(tagged) <= {"raw", "demo_raw", "staging", "intermediate"}, tagged
    assert set().union(*tagged.values()) == PERSONAL_COLUMNS | IDENTITY_KEYS
    with connect(server) as connection, connection.cursor() as cursor:
        cursor.execute("select table_name, column_name from information_schema.columns where table_schema = 'marts'")
        leaked = [f"{table}.{column}" for table, column in cursor.fetchall() if column in PERSONAL_COLUMNS]
    assert not leaked


def test_every_unit_test_passes_on_postgres(server, demo, tmp_path: Path) -> None:
    """The rules' unit tests (`unit_tests:`), which builds run on DuckDB only, hold on PostgreSQL too:
    parsing, time zones, medians and casts through the project's PostgreSQL functions."""
    result = dbt(["test", "--select", "test_type:unit", "--vars", '{"raw_schema": "raw"}'], server, tmp_path)
    assert result.returncode == 0, result.stdout[-6000:]
    assert "ERROR=0" in result.stdout and " PASS=4" in result.stdout, result.stdout[-2000:]


def test_hostile_role_names_are_refused_before_any_sql(server, tmp_path: Path) -> None:
    hostile_vars = '{"bi_reader_role": "x; drop schema marts cascade; --"}'
    hostile = dbt(["run-operation", "create_reader_roles", "--vars", hostile_vars], server, tmp_path)
    assert hostile.returncode != 0
    assert "var bi_reader_role must be a lower-case SQL name" in hostile.stdout + hostile.stderr
    with connect(server) as connection, connection.cursor() as cursor:
        cursor.execute("select count(*) from information_schema.schemata where schema_name = 'marts'")
        assert cursor.fetchone()[0] == 1


def passed_tests(output: str) -> int:
    return int(re.search(r"passed (\d+) data tests", output).group(1))


def test_an_id_moving_to_another_person_rebuilds_in_full_and_equals_duckdb(server, tmp_path: Path) -> None:
    """As on DuckDB (tests/python/integration/test_time.py): the build record and the id map of the last
    build live on the server, and an incremental build in which a known id moved to another person (a
    new link joins two long-standing customers) rebuilds the incremental models in full, and the next
    day's build, with no move, builds the id map first and then the rest; the marts then equal a DuckDB
    build of the same files."""
    connection = connect(server)
    connection.autocommit = True  # CREATE DATABASE runs outside a transaction
    try:
        connection.cursor().execute("create database pyramid_moves")
    finally:
        connection.close()
    environment = {"PYRAMID_PG_DATABASE": "pyramid_moves"}
    data = tmp_path / "data"
    orders = [
        [f"o{n}", customer, f"2025-{month:02d}-{day:02d} 10:00:00", str(10 + n)]
        for n, (customer, month, day) in enumerate(
            [("a", 1, 5), ("b", 1, 20), ("c", 2, 3), ("a", 2, 25), ("b", 3, 14), ("c", 4, 2), ("a", 4, 28)]
        )
    ]
    write_csv(data / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], orders)
    links = [["c-card", "c", "store_card"]]
    write_csv(data / "customer_identities.csv", ["customer_id", "person_id", "system"], links)
    # the invariant tests only: the per-column ones run in the demo's build on this server
    build = ["build", "--target", "postgres", "--data-dir", str(data), "--data-tests", "invariants"]
    first = finished(runner(build, server, tmp_path, environment))
    assert "Full refresh: first build into this warehouse" in first, first[-2000:]

    # a day later: one more order, and a link that makes b part of a
    orders.append(["o9", "c", "2025-04-29 09:00:00", "5"])
    write_csv(data / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], orders)
    write_csv(data / "customer_identities.csv", ["customer_id", "person_id", "system"], [*links, ["b", "a", "merge"]])
    second = finished(runner(build, server, tmp_path, environment))
    assert "Incremental build" in second and "Ids now belong to other persons" in second, second[-3000:]

    # another day, no move: the id map and staging first, then the rest, incrementally
    orders.append(["o10", "a", "2025-04-30 09:00:00", "7"])
    write_csv(data / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], orders)
    third = finished(runner(build, server, tmp_path, environment))
    assert "Incremental build" in third and "Ids now belong" not in third, third[-3000:]
    assert passed_tests(third) == passed_tests(second), third[-3000:]  # every invariant ran, once

    duck = built(["build", "--data-dir", str(data), "--data-tests", "invariants", "--quiet"], tmp_path / "w.duckdb")
    found = mart_differences(server, duck.database, tmp_path, dbname="pyramid_moves")
    assert not found, "\n".join(found)
    with connect(server, dbname="pyramid_moves") as connection, connection.cursor() as cursor:
        cursor.execute("select count(*) from marts.dim_customers")
        assert cursor.fetchone()[0] == 2  # a (with b) and c (with its card)
