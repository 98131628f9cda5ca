"""Typed Parquet inputs (timestamps with and without a zone, dates, decimals, integers), as warehouse
exports write them, are read as their values: a zoned timestamp at its instant, a timestamp without
zone and a date as local time of source_time_zone, a decimal exactly. They take staging's fast
path (strict ISO text once loaded) and give what the same values written as text give."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import STAGING

NEW_YORK = "America/New_York"


def write_orders(folder: Path, ordered_at: pa.Array) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.table(
        {
            "order_id": pa.array(["1", "2"]),
            "customer_id": pa.array(["c1", "c2"]),
            "ordered_at": ordered_at,
            "amount": pa.array([Decimal("12.34"), Decimal("0.10")], pa.decimal128(10, 2)),
            "refund_amount": pa.array([2, None], pa.int64()),
        }
    )
    pq.write_table(table, folder / "orders.parquet")
    return folder


@pytest.mark.parametrize(
    ("ordered_at", "expected_utc"),
    [
        pytest.param(
            pa.array(
                [
                    datetime.datetime(2025, 3, 4, 3, 30, tzinfo=datetime.UTC),
                    datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC),
                ],
                pa.timestamp("us", tz="Asia/Kolkata"),
            ),
            [datetime.datetime(2025, 3, 4, 3, 30), datetime.datetime(2025, 7, 1)],
            id="zoned-timestamp",
        ),
        pytest.param(
            pa.array(
                [datetime.datetime(2025, 3, 4, 9, 0, 0, 500000), datetime.datetime(2025, 7, 1)], pa.timestamp("us")
            ),
            # New York is UTC-5 in March (before the switch on 9 March) and UTC-4 in July
            [datetime.datetime(2025, 3, 4, 14, 0, 0, 500000), datetime.datetime(2025, 7, 1, 4)],
            id="local-timestamp",
        ),
        pytest.param(
            pa.array([datetime.date(2025, 3, 4), datetime.date(2025, 7, 1)], pa.date32()),
            [datetime.datetime(2025, 3, 4, 5), datetime.datetime(2025, 7, 1, 4)],
            id="date",
        ),
    ],
)
def test_typed_parquet_values(runner, tmp_path: Path, ordered_at: pa.Array, expected_utc: list) -> None:
    data = write_orders(tmp_path / "data", ordered_at)
    run = runner("build", "--data-dir", str(data), "--source-time-zone", NEW_YORK, dbt_args=STAGING)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert run.query("select count(*) from staging.stg_raw__orders_quarantined") == [(0,)]
    assert run.query("select ordered_at, amount, refund_amount from staging.stg_raw__orders order by order_id") == [
        (expected_utc[0], Decimal("12.3400"), Decimal("2.0000")),
        (expected_utc[1], Decimal("0.1000"), Decimal("0.0000")),
    ]
