"""Properties of the real build on small random data sets (hypothesis), each checked against what is
computed here from the generated rows:
- every known customer is in dim_customers once, in exactly one segment of each segmentation (buyers
  and only buyers in an RFM segment), and each segmentation's summary counts every customer once;
- net revenue is preserved from the input to the marts, customer by customer;
- raising a customer's spend (a larger amount, one more order) never lowers their M score, and adding
  an order never raises their recency_days.
Each example is two builds into one warehouse: the data set, then the same with one customer changed.
`make test` tries 2 examples; PROPERTY_EXAMPLES=50 tries more (a few seconds each).
"""

from __future__ import annotations

import csv
import datetime
import os
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import built
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

AS_OF = datetime.date(2025, 6, 30)
PURCHASES = ("completed", "partially_refunded")
# Everything the properties read, and the data tests whose parents are all built.
SELECTION = ["--select", "+dim_customers", "+fct_customer_rfm", "+mart_segment_summary"]
SEGMENTATIONS = (
    "rfm_segment",
    "lifecycle_stage",
    "value_tier",
    "value_band",
    "value_group",
    "loyalty_cell",
    "loyalty_tier",
    "channel_segment",
    "next_best_action",
)
EVERY_CUSTOMER_HAS = ("lifecycle_stage", "value_group", "loyalty_cell", "loyalty_tier", "next_best_action")
pytestmark = pytest.mark.xdist_group("properties")


@dataclass(frozen=True)
class Order:
    order_id: str
    customer_id: str
    day: datetime.date
    amount: Decimal
    status: str
    refund: Decimal

    @property
    def net(self) -> Decimal:
        return self.amount - self.refund if self.status in PURCHASES else Decimal(0)


@st.composite
def orders_of(draw, customers: list[str], count: int, span_days: int = 800) -> list[Order]:
    orders = []
    for number in range(count):
        amount = Decimal(draw(st.integers(0, 50_000))) / 100
        status = draw(st.sampled_from(("completed", "completed", "cancelled", "refunded", "partially_refunded")))
        refund = {"refunded": amount, "partially_refunded": amount * draw(st.integers(0, 100)) / 100}.get(status, 0)
        orders.append(
            Order(
                order_id=f"o{number}",
                customer_id=draw(st.sampled_from(customers)),
                day=AS_OF - datetime.timedelta(days=draw(st.integers(0, span_days))),
                amount=amount,
                status=status,
                refund=Decimal(refund).quantize(Decimal("0.01")),
            )
        )
    return orders


@st.composite
def data_sets(draw):
    customers = [f"c{number}" for number in range(draw(st.integers(1, 25)))]
    # tiny spans too: every order on one day, or on two (tests/python/integration/test_tiny_data_sets.py
    # builds such data sets with every data test)
    span_days = draw(st.sampled_from((0, 1, 30, 800)))
    orders = draw(orders_of(customers, draw(st.integers(0, 60)), span_days))
    visitors = customers + ["visitor_1", "visitor_2"]
    events = [
        (draw(st.sampled_from(visitors)), AS_OF - datetime.timedelta(days=draw(st.integers(0, 120))), kind)
        for kind in draw(st.lists(st.sampled_from(("site_visit", "email_click", "social_follow")), max_size=30))
    ]
    return customers, orders, events


def write(directory: Path, customers: list[str], orders: list[Order], events: list[tuple]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tables = {
        "customers": (["customer_id"], [[customer] for customer in customers]),
        "orders": (
            ["order_id", "customer_id", "ordered_at", "amount", "status", "refund_amount"],
            [[o.order_id, o.customer_id, f"{o.day} 12:00:00", o.amount, o.status, o.refund] for o in orders],
        ),
        "engagement_events": (
            ["customer_id", "occurred_at", "event_type"],
            [[customer, f"{day} 09:00:00", kind] for customer, day, kind in events],
        ),
    }
    for name, (header, rows) in tables.items():
        with open(directory / f"{name}.csv", "w", newline="") as handle:
            csv.writer(handle).writerows([header, *rows])


def build(directory: Path, data_tests: bool) -> dict:
    """Build the data set as of AS_OF (a full refresh each time; with the data tests whose parents are
    all built, or none) and read what the properties need."""
    database = directory.parent / "warehouse.duckdb"
    args = ["build", "--data-dir", str(directory), "--as-of", AS_OF.isoformat(), "--full-refresh"]
    tests = ["--indirect-selection", "cautious"] if data_tests else ["--exclude-resource-type", "test"]
    run = built(args, database, [*SELECTION, *tests])
    columns = ", ".join(SEGMENTATIONS)
    dim = run.query(f"select customer_id, is_buyer, lifetime_net_revenue, {columns} from marts.dim_customers")
    segments = [dict(zip(SEGMENTATIONS, row[3:], strict=True)) for row in dim]
    summary = run.query("select segmentation, sum(customers) from marts.mart_segment_summary group by 1")
    rfm = run.query("select customer_id, recency_days, monetary, m_score from marts.fct_customer_rfm")
    return {
        "dim": {
            row[0]: {"is_buyer": row[1], "revenue": row[2], **named} for row, named in zip(dim, segments, strict=True)
        },
        "summary": dict(summary),
        "rfm": {row[0]: row[1:] for row in rfm},
    }


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties") / "data"


@settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "2")),
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large),
)
@given(data=data_sets(), change=st.data())
def test_segments_revenue_and_monotone_scores(scratch, data, change):
    customers, orders, events = data
    write(scratch, customers, orders, events)
    marts = build(scratch, data_tests=True)

    known = set(customers) | {customer for customer, _, _ in events}
    buyers = {o.customer_id for o in orders if o.status in PURCHASES}
    assert set(marts["dim"]) == known
    assert {c for c, row in marts["dim"].items() if row["is_buyer"]} == buyers
    for customer, row in marts["dim"].items():
        assert (row["rfm_segment"] is not None) == (customer in buyers), customer
        assert all(row[name] is not None for name in EVERY_CUSTOMER_HAS), (customer, row)
    # every segmentation of the summary (behaviour, who they are, what they say) counts every customer once
    who = ("age_band", "gender", "region", "country_code", "nps_class")
    assert marts["summary"] == {name: len(known) for name in (*SEGMENTATIONS, *who)}

    revenue = {customer: sum((o.net for o in orders if o.customer_id == customer), Decimal(0)) for customer in buyers}
    assert {c: row["revenue"] for c, row in marts["dim"].items() if c in buyers} == revenue

    if not buyers:
        return
    customer = change.draw(st.sampled_from(sorted(buyers)), label="customer")
    own = [o for o in orders if o.customer_id == customer and o.status in PURCHASES]
    raised = change.draw(st.sampled_from(own), label="raised order")
    extra = change.draw(orders_of([customer], 1), label="added order")[0]
    extra = replace(extra, order_id="o_added", status="completed", refund=Decimal(0))
    more = Decimal(change.draw(st.integers(1, 100_000), label="cents more")) / 100
    changed = [replace(o, amount=o.amount + more) if o is raised else o for o in orders] + [extra]
    write(scratch, customers, changed, events)
    after = build(scratch, data_tests=False)
    recency, monetary, m_score = marts["rfm"][customer]
    new_recency, new_monetary, new_m_score = after["rfm"][customer]
    assert new_recency <= recency
    assert new_monetary >= monetary
    assert new_m_score >= m_score
