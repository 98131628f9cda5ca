#!/usr/bin/env python3
"""customer_pyramid runner: load data, build and test the dbt project, generate synthetic data.

Run `python runner.py --help` or `python runner.py <command> --help`.
Exit codes: 0 success, 1 failing models or tests (named), 2 bad usage or dbt unable to run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from customer_pyramid import commands
from customer_pyramid.errors import BuildFailed, UserError


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block) and exit code 2."""

    def error(self, message: str) -> None:
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> Parser:
    parser = Parser(prog="runner.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    demo = sub.add_parser("demo", help="seed the bundled demo data, build and test everything, print a summary")
    _add_build_options(demo)

    build = sub.add_parser("build", help="load your CSV/Parquet files and build and test everything")
    build.add_argument(
        "--data-dir",
        type=Path,
        required=True,
        help="folder with orders.csv|.parquet (required) and optionally customers, "
        "order_items, engagement_events, fx_rates",
    )
    build.add_argument(
        "--mapping",
        type=Path,
        help="YAML file mapping your files and column names onto the contract (see examples/online_retail/mapping.yml)",
    )
    _add_build_options(build)

    test = sub.add_parser("test", help="run the dbt data and unit tests on the last build")
    test.add_argument("--select", help="dbt selection, e.g. 'staging' or 'stg_raw__orders'")

    generate = sub.add_parser("generate", help="write a synthetic data set in the raw-data contract")
    generate.add_argument("--customers", type=commands.positive_int, required=True, help="number of customers")
    generate.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
    generate.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    generate.add_argument(
        "--format", choices=["parquet", "csv"], default="parquet", help="file format (default parquet)"
    )
    generate.add_argument(
        "--end-date", type=commands.iso_date, default=None, help="last day of activity, YYYY-MM-DD (default 2025-12-31)"
    )
    generate.add_argument("--bad-rows", action="store_true", help="add a handful of deliberately bad rows")
    return parser


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=commands.iso_date,
        help="build as of this date, YYYY-MM-DD (default: the latest valid order date in the data)",
    )
    parser.add_argument("--reporting-currency", help="ISO currency code money is reported in (default USD)")
    parser.add_argument("--reporting-time-zone", help="IANA zone for calendar dates (default UTC)")
    parser.add_argument("--source-time-zone", help="IANA zone of timestamps without offset (default UTC)")
    parser.add_argument(
        "--timestamp-format",
        action="append",
        dest="timestamp_formats",
        metavar="FORMAT",
        help="a non-ISO timestamp layout to accept, strptime codes, e.g. '%%m/%%d/%%Y %%H:%%M' (repeatable)",
    )
    parser.add_argument(
        "--decimal-comma",
        action="store_const",
        const=",",
        dest="decimal_separator",
        help="numbers are written 1234,56 or 1.234,56 (European exports); default 1234.56",
    )
    parser.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return commands.run(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BuildFailed as error:
        print(str(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
