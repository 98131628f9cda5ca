"""customer-pyramid: load data, build and test the dbt project, generate synthetic data.

Run `customer-pyramid --help` (or `python runner.py --help`) and `<command> --help`.
Exit codes: 0 success, 1 failing models or tests (named), 2 bad usage or dbt unable to run.

Only the standard library is imported before a command runs: help and argument errors answer at
once, and dbt is imported by the commands that run it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from customer_pyramid import __version__
from customer_pyramid.errors import BuildFailed, UserError
from customer_pyramid.settings import BUILD_SETTINGS


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block) and exit code 2."""

    def error(self, message: str) -> None:
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def build_parser(prog: str = "customer-pyramid") -> Parser:
    parser = Parser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    demo = sub.add_parser("demo", help="seed the bundled demo data, build and test everything, print a summary")
    _add_build_options(demo)

    build = sub.add_parser("build", help="load your CSV/Parquet files and build and test everything")
    build.add_argument(
        "--data-dir",
        help="folder with orders.csv|.parquet (required) and optionally customers, "
        "order_items, engagement_events, fx_rates (required on DuckDB; other targets read the warehouse's "
        "raw schema)",
    )
    build.add_argument(
        "--mapping",
        help="YAML file mapping your files and column names onto the contract (see examples/online_retail/mapping.yml)",
    )
    build.add_argument(
        "--select",
        help="build only these models and what they need, in dbt's selection syntax, e.g. '+fct_customer_rfm' "
        "(a partial build: no summary, and the next build is a full one)",
    )
    _add_build_options(build)

    backtest = sub.add_parser(
        "backtest",
        help="build as of a past date and measure how the segments and the churn-risk list predicted "
        "the purchases that followed",
    )
    backtest.add_argument("--data-dir", help="folder of input files, as for build (default: the bundled demo data)")
    backtest.add_argument("--mapping", help="YAML file mapping your files onto the contract, as for build")
    backtest.add_argument(
        "--horizon-days", default="180", help="days after the as-of date whose purchases are counted (default 180)"
    )
    _add_build_options(backtest, as_of_required=True)

    test = sub.add_parser("test", help="run the dbt data and unit tests on the last build")
    test.add_argument("--select", help="dbt selection, e.g. 'staging' or 'stg_raw__orders'")
    _add_quiet(test)

    export = sub.add_parser(
        "export",
        help="write every mart of the published build as a file, with manifest.json (for other tools); "
        "--audiences: the contact lists per next best action and segment, for marketing tools",
    )
    export.add_argument("--out", required=True, help="folder to write (replaced as a whole if it holds an export)")
    export.add_argument(
        "--format", choices=["parquet", "csv"], help="file format of the marts (default parquet; audiences are CSV)"
    )
    export.add_argument(
        "--audiences",
        action="store_true",
        help="write audience lists with contact fields instead: one per next best action, consent respected",
    )
    export.add_argument(
        "--segment",
        action="append",
        metavar="SEGMENT",
        help="with --audiences, also a marketing list of this segment, e.g. champions or lifecycle_stage=new "
        "(repeatable)",
    )
    export.add_argument(
        "--layout",
        choices=["generic", "klaviyo", "google_ads"],
        help="with --audiences, the column headers: generic (default), klaviyo, google_ads (Customer Match)",
    )
    _add_quiet(export)

    report = sub.add_parser(
        "report", help="write an offline HTML report of the published build (charts of every segmentation)"
    )
    report.add_argument("--out", help="HTML file to write (default: report.html beside the warehouse)")

    publish = sub.add_parser(
        "publish",
        help="copy the marts of the last complete build into the serving file again "
        "(after a publish that failed or was interrupted)",
    )
    publish.add_argument(
        "--backtest", action="store_true", help="publish the last build even if it is a backtest (as of a past date)"
    )
    _add_quiet(publish)

    grant = sub.add_parser(
        "grant",
        help="PostgreSQL: create the reader roles (bi_reader: the marts only; activation: the marts and the "
        "contact columns of audience lists) and grant them; later builds keep the grants",
    )
    grant.add_argument(
        "--target", default="postgres", help="a PostgreSQL target of profiles/profiles.yml (default postgres)"
    )
    _add_quiet(grant)

    generate = sub.add_parser("generate", help="write a synthetic data set in the raw-data contract")
    generate.add_argument("--customers", required=True, help="number of customers")
    generate.add_argument("--out", required=True, help="output folder (created if missing)")
    generate.add_argument("--seed", default="42", help="random seed (default 42)")
    generate.add_argument(
        "--format", choices=["parquet", "csv"], default="parquet", help="file format (default parquet)"
    )
    generate.add_argument("--end-date", help="last day of activity, YYYY-MM-DD (default 2025-12-31)")
    generate.add_argument("--bad-rows", action="store_true", help="add a handful of deliberately bad rows")
    return parser


def _add_build_options(parser: argparse.ArgumentParser, as_of_required: bool = False) -> None:
    # the build settings, declared once in customer_pyramid/settings.py (also a mapping's `settings:`)
    for setting in BUILD_SETTINGS:
        options = {"dest": setting.name, "help": setting.help, **setting.argparse}
        if setting.name == "as_of" and as_of_required:
            options |= {"required": True, "help": "build as of this date, YYYY-MM-DD"}
        parser.add_argument(setting.flag, **options)
    parser.add_argument(
        "--var",
        action="append",
        metavar="NAME=VALUE",
        help="a rule var of dbt_project.yml, e.g. churn_days=180 or 'value_tier_shares=[0.02, 0.1, 0.3, 0.6]' "
        "(repeatable; a mapping's `settings: {vars: ...}` too); checked before any model runs",
    )
    parser.add_argument(
        "--data-tests",
        choices=["all", "invariants"],
        default="all",
        help="all (default): every data test (and, for demo, the unit tests); invariants: only the project's "
        "invariant tests (tests/dbt/*.sql: raw rows reconcile, revenue reconciles, every customer in one segment ...), "
        "not the per-column tests (not null, unique, accepted values), which on Spark cost a job each",
    )
    parser.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    parser.add_argument(
        "--target",
        help="dbt target of profiles/profiles.yml: duckdb (default; or env PYRAMID_TARGET), postgres, spark (a "
        "local Spark session), spark_thrift, spark_http; Spark targets run from .venv-spark",
    )
    _add_quiet(parser)


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="no progress output (errors and the summary only)")


def main(argv: list[str] | None = None) -> int:
    prog = "runner.py" if os.path.basename(sys.argv[0]) == "runner.py" else "customer-pyramid"
    args = build_parser(prog).parse_args(argv)

    def command() -> int:
        from customer_pyramid import commands

        return commands.run(args)

    return exit_code(command)


def exit_code(command: Callable[[], int]) -> int:
    """Run a command; errors meant for the user become one line on stderr and their exit code."""
    try:
        return command()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BuildFailed as error:
        print(str(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
