"""A dbt-duckdb plugin (listed in profiles/profiles.yml) whose only job is to import numpy early.

numpy's first import briefly adds and then deletes OPENBLAS_MAIN_FREE and GOTOBLAS_MAIN_FREE in
os.environ, while dbt iterates os.environ from every thread to scrub secrets out of log lines. When
the first import happened inside the CLV Python model, a SQL model logging on another thread at that
instant failed with `KeyError: 'OPENBLAS_MAIN_FREE'` (seen once in CI). dbt-duckdb imports this module
when it opens the database, before any model runs, and the runner imports it on its main thread before
dbt starts, so numpy is already loaded when the worker threads begin.
"""

from __future__ import annotations

import numpy  # noqa: F401  (imported for its side effect on os.environ, see above)
from dbt.adapters.duckdb.plugins import BasePlugin


class Plugin(BasePlugin):
    """Changes nothing on the connection: importing this module is the whole effect."""
