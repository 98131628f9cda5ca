"""The scale benchmark (benchmarks/scale_benchmark.py, `make bench`): its hand-written RFM references
against a hand-computed fixture, its report helpers, and a smoke run of the whole benchmark at a
small size (generate, floor, RFM slice against the three references, full and incremental build)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks import rfm_reference, scale_benchmark

PROJECT_DIR = Path(__file__).resolve().parents[3]

ORDERS = [
    # order_id, customer_id, ordered_at, amount, status, refund_amount, currency
    ("A1", "A", "2025-12-31 10:00:00+00:00", "100.00", "completed", "0.00", "USD"),
    ("A2", "A", "2025-12-01 10:00:00+00:00", "50.00", "completed", "0.00", "USD"),
    ("A3", "A", "2025-11-01 10:00:00+00:00", "80.00", "partially_refunded", "20.00", "USD"),
    ("A4", "A", "2025-10-01 10:00:00+00:00", "999.00", "cancelled", "0.00", "USD"),
    # 06:00 UTC on 15 June; the rate of 1 June
    ("B1", "B", "2025-06-15 08:00:00+02:00", "10.00", "completed", "0.00", "EUR"),
    # before the first EUR rate: the earliest rate; 12.34567 rounds to 12.3457
    ("B2", "B", "2025-01-05 10:00:00+00:00", "10.00", "completed", "0.00", "EUR"),
    # 00:30 UTC on 1 January 2025: the first day of the 365-day window; 41.14811811 -> 41.1481
    ("C1", "C", "2024-12-31 23:30:00-01:00", "33.33", None, "0.00", "EUR"),
    # the day before the window: a buyer with nothing in it
    ("D1", "D", "2024-12-31 12:00:00+00:00", "40.00", "completed", "0.00", "USD"),
    # no valid order: not a buyer
    ("E1", "E", "2025-12-30 10:00:00+00:00", "70.00", "cancelled", "0.00", "USD"),
    ("E2", "E", "2025-12-29 10:00:00+00:00", "70.00", "refunded", "70.00", "USD"),
]
FX_RATES = [("EUR", "2025-01-10", "1.234567"), ("EUR", "2025-06-01", "1.200000")]
# By hand: as-of 2025-12-31; window = dates after 2024-12-31. Recency ranks (largest first) D 365,
# C 364, B 199, A 0 -> r 1, 2, 3, 4 (1 + 5 (rank - 1) div 4). Frequency 3, 2, 1, 0 -> f 3, 2, 1, 1
# (cut points 2, 3, 4, 6). Monetary: A 100 + 50 + (80 - 20) = 210; B 12 + 12.3457; C 41.1481; D 0
# -> m (smallest first) D 1, B 2, C 3, A 4. Segments from the R x F grid (seeds/rules/rfm_segments.csv).
EXPECTED = sorted(
    [
        ("A", 0, 3, "210.0000", 4, 3, 4, "potential_loyalist"),
        ("B", 199, 2, "24.3457", 3, 2, 2, "about_to_sleep"),
        ("C", 364, 1, "41.1481", 2, 1, 3, "hibernating"),
        ("D", 365, 0, "0.0000", 1, 1, 1, "lost"),
    ]
)


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rfm_fixture")
    names = ("order_id", "customer_id", "ordered_at", "amount", "status", "refund_amount", "currency")
    pq.write_table(
        pa.table({name: [row[i] for row in ORDERS] for i, name in enumerate(names)}), folder / "orders.parquet"
    )
    names = ("currency", "rate_date", "rate")
    pq.write_table(
        pa.table({name: [row[i] for row in FX_RATES] for i, name in enumerate(names)}), folder / "fx_rates.parquet"
    )
    return folder


@pytest.mark.parametrize("engine", sorted(rfm_reference.ENGINES))
def test_reference_matches_hand_computed_rfm(fixture_dir: Path, engine: str) -> None:
    rule = rfm_reference.Rule.from_project()
    assert rule.window_days == 365 and rule.frequency_cut_points == (2, 3, 4, 6), "the fixture assumes the defaults"
    assert sorted(rfm_reference.ENGINES[engine](fixture_dir, rule, 1, "1GB")) == EXPECTED


def test_money_text_from_units_and_decimals() -> None:
    from decimal import Decimal

    row = ("X", 1, 1, -12345, 1, 1, 1, None)
    assert rfm_reference.normalise(row, money_units=True)[3] == "-1.2345"
    assert rfm_reference.normalise((*row[:3], Decimal("-1.2345"), *row[4:]))[3] == "-1.2345"


def test_growth_exponent() -> None:
    assert scale_benchmark.growth_exponent(10, 10) == pytest.approx(1.0)
    assert scale_benchmark.growth_exponent(10, 100) == pytest.approx(2.0)


def test_report_replaces_only_its_block(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nintro\n\n## Later\nkept\n")
    scale_benchmark.write_report(doc, "first")
    scale_benchmark.write_report(doc, "second")
    text = doc.read_text()
    assert text.count(scale_benchmark.REPORT_START) == 1 and "first" not in text and "second" in text
    assert text.startswith("# Benchmarks\n\nintro") and "## Later\nkept" in text


def test_bad_sizes_are_one_line_errors() -> None:
    completed = subprocess.run(
        [sys.executable, "benchmarks/scale_benchmark.py", "--sizes", "ten"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
    assert completed.stderr.strip().startswith("error: --sizes 'ten'") and "Traceback" not in completed.stderr


def test_smoke_run_at_a_small_size(tmp_path: Path) -> None:
    """The whole benchmark on 500 customers: every step runs, the four RFM tables agree, the
    second build is incremental, and the report lists every step and goal (docs are left alone).
    Its builds run the invariant tests only: the per-column tests are the demo's."""
    completed = subprocess.run(
        [
            sys.executable,
            "benchmarks/scale_benchmark.py",
            *("--sizes", "500", "--work", str(tmp_path), "--no-report", "--data-tests", "invariants"),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    out = completed.stdout
    assert "the four RFM tables agree" in out
    for label in ("floor:", "one DuckDB query", "polars", "pandas", "RFM slice", "full build", "incremental build"):
        assert f"| {label}" in out or label in out
    assert out.count(" x floor, ") == 7
    assert "incremental / full build" in out and "RFM slice / hand-written DuckDB" in out
