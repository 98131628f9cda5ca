"""numpy must be loaded before dbt's worker threads run models (see customer_pyramid/engines/duckdb_plugin.py):
its first import deletes keys from os.environ while dbt iterates os.environ on other threads."""

import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]


def _fresh_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_committed_profile_loads_the_preload_plugin():
    profile = yaml.safe_load((REPO / "profiles" / "profiles.yml").read_text())
    plugins = profile["customer_pyramid"]["outputs"]["duckdb"]["plugins"]
    assert {"module": "customer_pyramid.engines.duckdb_plugin"} in plugins


def test_dbt_duckdb_creating_the_plugin_loads_numpy():
    code = (
        "import sys\n"
        "from dbt.adapters.duckdb.plugins import BasePlugin\n"
        "before = 'numpy' in sys.modules\n"
        "BasePlugin.create('customer_pyramid.engines.duckdb_plugin')\n"
        "print(before, 'numpy' in sys.modules)\n"
    )
    assert _fresh_python(code) == "False True"


def test_the_runner_loads_numpy_before_invoking_dbt():
    code = "import sys\nimport customer_pyramid.dbt\nprint('numpy' in sys.modules)\n"
    assert _fresh_python(code) == "True"
