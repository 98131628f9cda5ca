"""The RFM mart equals an independent plain-Python recomputation, customer by customer, on the demo
data and on the CDNOW sample as of the end of its calibration period (every one of its 2,357
customers)."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from conftest import CDNOW, CDNOW_CALIBRATION_END
from identity_oracle import person_of, staged_person_map
from rfm_oracle import Order, latest_purchase_date, rfm


def mart_rows(run) -> dict[str, tuple]:
    rows = run.query(
        "select customer_id, recency_days, frequency, monetary, r_score, f_score, m_score, rfm_segment "
        "from marts.fct_customer_rfm"
    )
    return {row[0]: row[1:] for row in rows}


def oracle_rows(orders: list[Order], as_of: datetime.date) -> dict[str, tuple]:
    return {
        customer: (x.recency_days, x.frequency, x.monetary, x.r_score, x.f_score, x.m_score, x.segment)
        for customer, x in rfm(orders, as_of).items()
    }


def cdnow_orders() -> list[Order]:
    """Every purchase line of the sample file, read here with no code of the project."""
    orders = []
    for line in CDNOW.read_text().splitlines():
        _, customer, date, _, amount = line.split()
        day = datetime.date(int(date[:4]), int(date[4:6]), int(date[6:]))
        orders.append(Order(customer, day, "completed", Decimal(amount)))
    return orders


def staged_demo_orders(run) -> list[Order]:
    """The clean orders as staging typed them, each of its person (the oracles recompute everything
    downstream of that: identity_oracle.py the persons, rfm_oracle.py the scores)."""
    mapping = staged_person_map(run)
    rows = run.query("select customer_id, order_date, status, net_amount from staging.stg_raw__orders")
    return [Order(person_of(mapping, customer), *rest) for customer, *rest in rows]


@pytest.mark.check
@pytest.mark.xdist_group("demo")
def test_demo_rfm_equals_the_oracle(demo_build):
    orders = staged_demo_orders(demo_build)
    as_of = latest_purchase_date(orders)
    assert demo_build.query("select as_of_date from intermediate.int_as_of_date")[0][0] == as_of
    assert mart_rows(demo_build) == oracle_rows(orders, as_of)


@pytest.mark.xdist_group("cdnow")
def test_cdnow_rfm_equals_the_oracle_for_every_customer(cdnow_build):
    as_of = datetime.date.fromisoformat(CDNOW_CALIBRATION_END)
    expected = oracle_rows(cdnow_orders(), as_of)
    assert len(expected) == 2357
    assert mart_rows(cdnow_build) == expected


@pytest.mark.check
@pytest.mark.xdist_group("demo")
def test_demo_segments_are_balanced_and_pareto_shows(demo_build):
    orders = staged_demo_orders(demo_build)
    result = rfm(orders, latest_purchase_date(orders))
    largest = Counter(x.segment for x in result.values()).most_common(1)[0][1]
    assert largest <= 0.6 * len(result)
    amounts = sorted((x.monetary for x in result.values()), reverse=True)
    top = amounts[: -(-len(amounts) * 20 // 100)]
    share = sum(top) / sum(amounts)
    assert 0.5 < share < 0.95
    headline = demo_build.query("select revenue_share from marts.mart_pareto where is_headline")[0][0]
    assert abs(headline - float(share)) < 1e-9


@pytest.mark.check
@pytest.mark.xdist_group("demo")
def test_every_demo_customer_is_in_dim_customers_once(demo_build):
    mapping = staged_person_map(demo_build)
    ids = {
        row[0]
        for table in ("customers", "engagement_events", "feedback")
        for row in demo_build.query(f"select customer_id from staging.stg_raw__{table}")
    }
    buyers = {order.customer_id for order in staged_demo_orders(demo_build)}
    dim = demo_build.query("select customer_id from marts.dim_customers")
    assert len(dim) == len({row[0] for row in dim})
    # the demo has nothing after its as-of date, so every known id's person is a customer
    assert {row[0] for row in dim} == {person_of(mapping, i) for i in ids} | buyers
    # the demo's store cards, marketplace order ids and survey ids all belong to its C... customers
    assert len(dim) < len(ids | set(mapping)) and all(person.startswith("C") for person in mapping.values())


@pytest.mark.check
@pytest.mark.xdist_group("demo")
def test_demo_summary_names_what_was_built(demo_build):
    assert "As-of date:" in demo_build.stdout
    assert "Rows per input table" in demo_build.stdout
    assert "quarantined" in demo_build.stdout
