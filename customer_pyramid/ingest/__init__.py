"""Files in: a data folder (CSV, Parquet, Excel; a file or a folder of parts per table), read as the
contract says (customer_pyramid/ingest/contract.py: the dbt source YAML) or as a mapping describes
(customer_pyramid/ingest/mapping.py), into the raw schema of a DuckDB file, every column as text.
Engines load it there (customer_pyramid/engines/): DuckDB into its working file, PostgreSQL through a
scratch file and COPY.
"""

from __future__ import annotations

from pathlib import Path

from customer_pyramid.ingest.files import RAW_SCHEMA, REJECTS_TABLE, InputFile, Loaded, dialect_note, load_inputs

__all__ = ["RAW_SCHEMA", "InputFile", "Loaded", "describe_inputs", "describe_loaded", "find_inputs", "load_inputs"]


def find_inputs(data_dir: Path, mapping_path: Path | None = None, mapping: dict | None = None) -> list[InputFile]:
    """The input files of `data_dir`, through the mapping when one is given (`mapping`: its parsed text)."""
    from customer_pyramid.ingest import files
    from customer_pyramid.ingest.mapping import mapped_inputs

    if mapping_path is not None:
        return mapped_inputs(data_dir, mapping_path, mapping)
    return files.find_inputs(data_dir)


def describe_inputs(inputs: list[InputFile]) -> list[str]:
    """A line per input found: its name, how it reads, the columns left out."""
    lines = []
    for item in inputs:
        ignored = f"ignored columns: {', '.join(item.ignored)}" if item.ignored else ""
        notes = "; ".join(note for note in (dialect_note(item.paths[0], item.layout), ignored) if note)
        lines.append(f"Found {item.name}" + (f" ({notes})" if notes else ""))
    return lines


def describe_loaded(loaded: dict[str, Loaded]) -> tuple[list[str], list[str]]:
    """A line per raw table loaded (progress), and one per table with lines set aside (a warning, shown
    even with --quiet)."""
    progress, warnings = [], []
    for table, item in loaded.items():
        progress.append(f"Loaded {item.rows:,} rows into {RAW_SCHEMA}.{table}")
        if item.malformed_lines:
            warnings.append(
                f"  set aside {item.malformed_lines:,} malformed lines in {RAW_SCHEMA}.{REJECTS_TABLE} "
                f"(first: {item.first_malformed})"
            )
    return progress, warnings
