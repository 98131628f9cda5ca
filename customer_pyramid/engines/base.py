"""The engine seam: what every engine the project builds on does, behind one interface.

An engine is the warehouse of a dbt target (profiles/profiles.yml), chosen by its adapter type
(customer_pyramid/engines/__init__.py). It

- loads the input files into its raw schema, or says why it reads a raw schema your ingestion fills;
- builds and tests the dbt project: the CLV step as dbt Python models where the adapter runs them,
  otherwise in the runner between two dbt builds (customer_pyramid/engines/runner_clv.py);
- keeps the record of the last complete build (BuildRecord) where it keeps its tables, and the
  id -> person map of that build, to tell whether an id moved to another person since;
- publishes a serving file or grants reader roles, where it has them, and raises a one-line
  UserError where it has not.

Nothing outside this package asks which engine it runs on.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from customer_pyramid.errors import UserError
from customer_pyramid.relations import relation
from customer_pyramid.settings import Settings

# The id -> person map of the last complete build, kept beside the build record.
PREVIOUS_ID_MAP = "pyramid_previous_id_map"
# The id -> person map and every model and seed it reads (staging): an incremental build builds these
# first, so that it knows whether an id moved before it builds anything that depends on persons.
IDENTITY_MODELS = "+int_customer_id_map"

# Ids the last complete build knew that now belong to another person, or that were linked to another
# id then and are gone now (an id seen for the first time, such as a marketplace's new per-order id,
# is no move). Portable SQL: it runs on every engine.
MOVED_IDS_SQL = """
select count(*) as moved
from (
    select now_map.source_customer_id
    from {current} as now_map
    inner join {previous} as before_map
        on now_map.source_customer_id = before_map.source_customer_id
    where now_map.customer_id != before_map.customer_id
    union all
    select before_map.source_customer_id
    from {previous} as before_map
    left join {current} as now_map
        on before_map.source_customer_id = now_map.source_customer_id
    where now_map.source_customer_id is null and before_map.customer_id != before_map.source_customer_id
) as moved_ids
"""


@dataclass(frozen=True)
class BuildRecord:
    """The last complete build of a warehouse: its vars, the data folder and the as-of date (which
    decide whether the next build may be incremental), whether it was a backtest, and the build it
    published (audience manifests name it). A failed or interrupted build leaves none."""

    vars: dict = field(default_factory=dict)
    data_dir: str | None = None
    as_of_date: str | None = None
    backtest: bool = False
    published_build_id: str | None = None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> BuildRecord:
        values = json.loads(text)
        known = {item.name for item in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in values.items() if name in known})


class Engine:
    """One engine's way of doing each step of a run. Subclasses set the class attributes and override
    what differs; the defaults run through dbt's adapter."""

    adapter_type = ""
    # dbt unit tests run here (make test runs them on DuckDB: they test the SQL's logic, which is the
    # same on every engine)
    runs_unit_tests = False
    # the schema of the build record and the previous id map
    state_schema = "raw"
    # the raw tables come only from input files (no raw schema of the warehouse's own to read instead)
    raw_tables_from_files = False
    # a build that passed is published into a serving file (which export, report and audiences read)
    has_serving_file = False

    def __init__(self, settings: Settings, variables: dict | None = None) -> None:
        self.settings = settings
        self.target = settings.target
        # the vars of the run, for dbt invocations of the engine's own (a parse with the same vars as the
        # build's is shared with it: customer_pyramid/dbt.py)
        self.variables = variables or {}

    # ---- dbt

    def environment(self) -> dict[str, str]:
        """The environment variables the profile reads for this target."""
        return {"PYRAMID_THREADS": str(self.settings.threads)}

    def dbt(self, command: str, args: list[str] | None = None, variables: dict | None = None, quiet: bool = True):
        """`dbt <command>` on this engine's target; the node results (BuildFailed names failures)."""
        from customer_pyramid.dbt import run_dbt

        self.check_adapter()
        return run_dbt(self.target, command, args, variables, self.environment(), quiet, self.parse_identity())

    def parse_identity(self) -> str:
        """What a parse of the project depends on besides the target and the vars (the database dbt
        names the relations in): builds with the same identity in one process share the parse."""
        return json.dumps(sorted((name, value) for name, value in os.environ.items() if name.startswith("PYRAMID_")))

    def check_adapter(self) -> None:
        """UserError when this Python lacks the dbt adapter of the engine."""
        try:
            __import__(f"dbt.adapters.{self.adapter_type}")
        except ImportError:
            raise UserError(
                f"target {self.target} needs the dbt-{self.adapter_type} adapter, which this Python lacks: "
                f"{self.adapter_hint}"
            ) from None

    adapter_hint = "install it beside dbt-core"

    # ---- inputs and the build

    def check_files_accepted(self) -> None:
        """UserError when the engine reads a raw schema your ingestion fills instead of input files."""
        return None

    def load(self, inputs: list, say: Callable[[str], None]) -> dict:
        """Replace the raw schema with the input files (customer_pyramid.ingest); what each table got."""
        raise NotImplementedError

    def build(self, args: list[str], variables: dict, quiet: bool) -> list:
        """dbt build with `args` (selections, --full-refresh); the node results."""
        return self.dbt("build", [*self._unit_test_exclusion(), *args], variables, quiet)

    def _unit_test_exclusion(self) -> list[str]:
        return [] if self.runs_unit_tests else ["--exclude-resource-type", "unit_test"]

    def summary(self, results: list, started: float) -> list[str]:
        """What to print after a build that passed."""
        raise NotImplementedError

    # ---- reading and writing the warehouse (SQL portable to every engine)

    def rows(self, sql: str) -> list[tuple]:
        raise NotImplementedError

    def execute(self, sql: str) -> None:
        raise NotImplementedError

    def has_table(self, schema: str, name: str) -> bool:
        raise NotImplementedError

    def create_table_as(self, name: str, sql: str) -> str:
        """SQL that creates the table `name` (schema.table) from a query."""
        return f"create table {name} as {sql}"

    def as_of_date(self) -> str | None:
        """The as-of date of what the warehouse holds now (YYYY-MM-DD)."""
        value = self.rows(f"select as_of_date from {relation('int_as_of_date')}")[0][0]
        return value.isoformat() if value else None

    # ---- the record of the last complete build

    def read_record(self) -> BuildRecord | None:
        raise NotImplementedError

    def write_record(self, record: BuildRecord) -> None:
        raise NotImplementedError

    def no_record_reason(self) -> str:
        """Why there is no record of a complete build, and what to do."""
        return (
            f"no complete build on target {self.target} (the last one failed, was interrupted or was a --select "
            "build, or there was none): run a full `demo` or `build` first"
        )

    def forget_record(self) -> None:
        """Remove the record before a build: a failed or interrupted build leaves none, so nothing
        publishes a half-built warehouse and the next build is a full one."""
        raise NotImplementedError

    # ---- ids that moved to another person

    def save_identities(self) -> None:
        """Keep the id -> person map of this build for the next one to compare with."""
        previous = f"{self.state_schema}.{PREVIOUS_ID_MAP}"
        self.execute(f"create schema if not exists {self.state_schema}")
        self.execute(f"drop table if exists {previous}")
        query = f"select source_customer_id, customer_id from {relation('int_customer_id_map')}"
        self.execute(self.create_table_as(previous, query))

    def knows_identities(self) -> bool:
        """Whether the last complete build left its id -> person map to compare with."""
        return self.has_table(self.state_schema, PREVIOUS_ID_MAP)

    def build_identities(self, args: list[str], variables: dict, quiet: bool) -> list:
        """The first of two builds: the id map, what it reads, and the tests of these alone."""
        selection = ["--select", IDENTITY_MODELS, "--indirect-selection", "cautious"]
        return self.dbt("build", [*self._unit_test_exclusion(), *args, *selection], variables, quiet)

    def build_after_identities(self, args: list[str], variables: dict, quiet: bool) -> list:
        """The second: everything else, with every test the first did not run (cautious: a test that
        reads a staging model and a mart, such as the raw rows reconciling, runs here)."""
        return self.build([*args, "--exclude", IDENTITY_MODELS, "--indirect-selection", "cautious"], variables, quiet)

    def identities_moved(self) -> bool:
        """Whether an id the last complete build knew now belongs to another person."""
        if not self.knows_identities():
            return False
        previous = f"{self.state_schema}.{PREVIOUS_ID_MAP}"
        sql = MOVED_IDS_SQL.format(current=relation("int_customer_id_map"), previous=previous)
        return self.rows(sql)[0][0] > 0

    # ---- serving

    def publish(self, command: str, progress: Callable[[str], None] | None):
        raise UserError(
            f"publishing a serving file is for DuckDB targets: on target {self.target} ({self.adapter_type}) BI "
            "tools read the warehouse's marts schema directly"
        )

    def serving_state(self) -> str:
        """What BI tools read now, in words."""
        return f"BI tools read the marts schema of target {self.target}"

    def require_serving_file(self, command: str) -> None:
        """UserError for commands that read the serving file (export, report, audiences) on an engine
        that publishes none."""
        raise UserError(
            f"`{command}` reads the serving file a DuckDB build publishes; on target {self.target} "
            f"({self.adapter_type}) read the warehouse's marts schema directly"
        )

    def grant(self) -> str:
        raise UserError(
            f"grant is for PostgreSQL targets; {self.target} is a {self.adapter_type} target (reader roles are the "
            "warehouse's own there)"
        )
