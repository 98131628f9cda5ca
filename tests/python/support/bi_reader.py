"""A BI reader for the publishing tests, run as its own process: it reads the serving file
read-only every second until a stop file appears (each look hashes every mart: more often would
take a core from the builds under test), and prints one JSON line per look: which build it
saw and whether that build was whole (every mart listed in publication.tables is there with its
row count and content hash, and no other). `hold` keeps one connection open all along (as a BI tool's pool does);
`reconnect` opens a new connection for each look.

    python bi_reader.py SERVING_FILE hold|reconnect STOP_FILE
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb


def look(connection) -> dict:
    build_id, published_at = connection.execute("select build_id, published_at from publication.build").fetchone()
    listed = {
        name: (rows, content)
        for name, rows, content in connection.execute(
            "select table_name, row_count, content_hash from publication.tables"
        ).fetchall()
    }
    present = {
        name
        for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    seen = {
        name: tuple(
            str(value) if position else value
            for position, value in enumerate(
                connection.execute(
                    f'select count(*), coalesce(sum(hash(mart)::hugeint), 0) from marts."{name}" as mart'
                ).fetchone()
            )
        )
        for name in present
    }
    return {"build": f"{build_id} {published_at}", "whole": seen == listed}


def main(path: str, mode: str, stop: str) -> None:
    held = duckdb.connect(path, read_only=True) if mode == "hold" else None
    while not Path(stop).exists():
        connection = held or duckdb.connect(path, read_only=True)
        print(json.dumps(look(connection)), flush=True)
        if held is None:
            connection.close()
        time.sleep(1.0)


if __name__ == "__main__":
    main(*sys.argv[1:])
