"""Every valid data set builds, passes every one of its own data tests and publishes, the tiniest
included (the property tests draw larger random sets): one customer with one order on one day, the
two-order file a spreadsheet saves (byte-order mark, CRLF line ends), only one-time buyers (two of
them on the same day), and one person with every input table. Each is a full build with every data test; what the
marts say is checked against counts made here from the rows."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import built

ORDERS = ["order_id", "customer_id", "ordered_at", "amount"]


def table(header: list[str], rows: list[list[str]]) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    return text.getvalue()


# name -> (files, persons, buyers, net revenue of the valid orders in the reporting currency)
DATA_SETS = {
    # one customer, one order: one day of data, one buyer, nobody repeating
    "one_customer_one_order": (
        {"orders.csv": table(ORDERS, [["1", "a", "2024-03-01 10:00:00", "12.50"]])},
        1,
        1,
        Decimal("12.50"),
    ),
    # the data set of issue 27, as Excel saves a CSV: a byte-order mark and CRLF line ends
    "two_orders_bom_crlf": (
        {
            "orders.csv": "\ufefforder_id,customer_id,ordered_at,amount\r\n"
            "1,a,2024-01-05 10:00:00,10.50\r\n2,b,2024-01-06 10:00:00,3\r\n"
        },
        2,
        2,
        Decimal("13.50"),
    ),
    "one_time_buyers": (
        {
            "orders.csv": table(
                ORDERS,
                [
                    [str(number), f"c{number}", f"{day} 08:00:00", str(10 * number)]
                    for number, day in enumerate(
                        ["2023-01-10", "2023-06-01", "2023-12-24", "2024-11-30", "2024-11-30"], 1
                    )
                ],
            )
        },
        5,
        5,
        Decimal("150"),
    ),
    # two ids of one person (a web account and a store card), with every optional table: a refunded
    # order (no purchase), a partly refunded one, one in EUR converted at 1.1
    "one_person_everything": (
        {
            "customers.csv": table(
                ["customer_id", "email", "signup_at", "country", "birth_date", "gender", "accepts_marketing"],
                [
                    ["web-1", "ann@example.org", "2023-01-02 10:00:00", "GB", "1980-05-01", "F", "true"],
                    ["card-9", "", "2023-03-01 10:00:00", "United Kingdom", "", "", ""],
                ],
            ),
            "customer_identities.csv": table(
                ["customer_id", "person_id", "system"], [["web-1", "p1", "web"], ["card-9", "p1", "store_card"]]
            ),
            "orders.csv": table(
                ["order_id", "customer_id", "ordered_at", "amount", "status", "refund_amount", "currency", "channel"],
                [
                    ["o1", "web-1", "2023-02-01 10:00:00", "100", "completed", "", "USD", "web"],
                    ["o2", "card-9", "2023-08-15 15:00:00", "50", "completed", "", "EUR", "store"],
                    ["o3", "web-1", "2024-01-20 09:00:00", "40", "partially_refunded", "10", "USD", "web"],
                    ["o4", "card-9", "2024-02-02 12:00:00", "25", "refunded", "", "USD", "store"],
                ],
            ),
            "order_items.csv": table(
                ["order_id", "product_id", "category", "quantity", "unit_price"],
                [
                    ["o1", "p-1", "shoes", "1", "100"],
                    ["o2", "p-2", "socks", "5", "10"],
                    ["o3", "p-1", "shoes", "1", "40"],
                    ["o4", "p-3", "hats", "1", "25"],
                ],
            ),
            "engagement_events.csv": table(
                ["customer_id", "occurred_at", "event_type", "channel"],
                [
                    ["web-1", "2024-01-25 20:00:00", "site_visit", "web"],
                    ["web-1", "2024-01-26 20:00:00", "email_click", "email"],
                ],
            ),
            "feedback.csv": table(
                ["customer_id", "occurred_at", "score", "scale", "channel"],
                [["card-9", "2024-01-28 12:00:00", "9", "nps", "survey"]],
            ),
            "fx_rates.csv": table(["currency", "rate_date", "rate"], [["EUR", "2023-01-01", "1.1"]]),
        },
        1,
        1,
        Decimal("185"),  # 100 + 50 x 1.1 + (40 - 10); the refunded order is no purchase
    ),
}


@pytest.mark.parametrize("name", sorted(DATA_SETS))
def test_a_tiny_data_set_builds_passes_its_tests_and_publishes(name: str, tmp_path: Path) -> None:
    files, persons, buyers, revenue = DATA_SETS[name]
    data = tmp_path / "data"
    data.mkdir()
    for file_name, text in files.items():
        (data / file_name).write_bytes(text.encode("utf-8"))
    run = built(["build", "--data-dir", str(data), "--quiet"], tmp_path / "warehouse.duckdb")
    assert "Serving file (BI tools, read-only)" in run.stdout, run.stdout[-2000:]
    assert run.query("select count(*), count(*) filter (where is_buyer) from marts.dim_customers") == [
        (persons, buyers)
    ]
    assert run.query("select sum(lifetime_net_revenue) from marts.dim_customers") == [(revenue,)]
    published = run.database.with_name("warehouse_serving.duckdb")
    assert published.exists()
