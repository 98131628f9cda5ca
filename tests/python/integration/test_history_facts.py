"""The monthly customer facts (int_customer_facts_monthly, built from running totals read where each
snapshot falls) against a straightforward recomputation here of their definition: for every month-end
snapshot and every customer known by then, the facts from that customer's rows dated on or before it,
row by row in plain Python. On the demo data (36 months, engagement, refunds) and on the CDNOW sample."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from customer_pyramid.settings import project_var

COLUMNS = (
    "has_customer_record, is_buyer, first_order_date, last_order_date, tenure_days, recency_days, frequency, "
    "monetary, lifetime_orders, lifetime_net_revenue, average_order_value, average_days_between_orders, "
    "median_interval_days, last_return_date, orders_last_window, orders_previous_window, lifetime_refund_amount, "
    "refunded_orders, cancelled_orders, has_engagement_data, engagement_score, events_last_window, "
    "events_previous_window"
).split(", ")


def by_customer(rows) -> dict[str, list[tuple]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row[1:])
    return grouped


def rounded(value, places: str):
    return None if value is None else Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def recompute(run) -> dict[tuple[datetime.date, str], tuple]:
    """Every fact of every customer at every snapshot, from the rows dated on or before it."""
    rfm, activity = int(project_var("rfm_window_days")), int(project_var("activity_window_days"))
    engagement, churn = int(project_var("engagement_window_days")), int(project_var("churn_days"))
    snapshots = [day for (day,) in run.query("select as_of_date from intermediate.int_snapshot_dates")]
    customers = run.query("select customer_id, has_customer_record, first_seen_date from intermediate.int_customers")
    valid = by_customer(run.query("select customer_id, order_date, net_revenue from intermediate.int_orders_valid"))
    clean = by_customer(run.query("select customer_id, order_date, status, refund_amount from intermediate.int_orders"))
    returns = by_customer(
        run.query("select customer_id, adjustment_date, amount from intermediate.int_revenue_adjustments")
    )
    events = by_customer(
        run.query("select customer_id, event_date, event_type from intermediate.int_engagement_events")
    )
    rules = {
        row[0]: row[1:]
        for row in run.query("select event_type, points, cap, count_unit, lookback from rules.engagement_event_types")
    }
    first_event = min((day for rows in events.values() for day, _ in rows), default=None)
    facts = {}
    for as_of in snapshots:
        has_engagement = first_event is not None and first_event <= as_of
        for customer, has_record, first_seen in customers:
            if first_seen is not None and first_seen > as_of:
                continue
            orders = [(day, net) for day, net in valid.get(customer, []) if day <= as_of]
            ago = [((as_of - day).days, net) for day, net in orders]
            days = sorted({day for day, _ in orders})
            gaps = [(later, (later - earlier).days) for earlier, later in zip(days, days[1:], strict=False)]
            back = [((as_of - day).days, amount) for day, amount in returns.get(customer, []) if day <= as_of]
            statuses = [(status, refund) for day, status, refund in clean.get(customer, []) if day <= as_of]
            seen = [((as_of - day).days, day, kind) for day, kind in events.get(customer, []) if day <= as_of]
            count, revenue = len(orders), sum((net for _, net in orders), Decimal(0)) + sum(a for _, a in back)
            first, last = (days[0], days[-1]) if days else (None, None)
            score = 0
            for kind, (points, cap, unit, lookback) in rules.items():
                window = [(d, day) for d, day, k in seen if k == kind and (lookback == "lifetime" or d < engagement)]
                counted = len({day for _, day in window}) if unit == "active_day" else len(window)
                score += (points or 0) * min(cap or 0, counted)
            facts[(as_of, customer)] = (
                has_record,
                count > 0,
                first,
                last,
                (as_of - first).days if first else None,
                (as_of - last).days if last else None,
                sum(1 for d, _ in ago if d < rfm),
                sum((net for d, net in ago if d < rfm), Decimal(0)) + sum(a for d, a in back if d < rfm),
                count,
                revenue,
                rounded(revenue / count, "0.0001") if count else None,
                rounded(Decimal((last - first).days) / (count - 1), "0.1") if count > 1 else None,
                rounded(statistics.median([gap for _, gap in gaps]), "0.1") if gaps else None,
                max((day for day, gap in gaps if gap > churn), default=None),
                sum(1 for d, _ in ago if d < activity),
                sum(1 for d, _ in ago if activity <= d < 2 * activity),
                sum((refund or Decimal(0) for _, refund in statuses), Decimal(0)) - sum(a for _, a in back),
                sum(1 for status, _ in statuses if status == "refunded"),
                sum(1 for status, _ in statuses if status == "cancelled"),
                has_engagement,
                min(100, score) if has_engagement else None,
                sum(1 for d, _, _ in seen if d < activity),
                sum(1 for d, _, _ in seen if activity <= d < 2 * activity),
            )
    return facts


# Averages are divided in binary floating point before rounding to their column's scale, so an exact
# half may round either way: they are compared to one unit of their last place, sums exactly.
LAST_PLACE = {"average_order_value": Decimal("0.0001"), "average_days_between_orders": Decimal("0.1")}


def assert_monthly_facts_match(run) -> None:
    built_rows = run.query(
        f"select as_of_date, customer_id, {', '.join(COLUMNS)} from intermediate.int_customer_facts_monthly"
    )
    expected = recompute(run)
    built = {(row[0], row[1]): row[2:] for row in built_rows}
    assert len(built) == len(built_rows), "one row per customer and snapshot"
    assert set(built) == set(expected)
    for key, want in expected.items():
        got = built[key]
        for name, value, reference in zip(COLUMNS, got, want, strict=True):
            if isinstance(reference, Decimal) or isinstance(value, Decimal | float):
                assert value is not None and reference is not None, (key, name, value, reference)
                tolerance = LAST_PLACE.get(name, Decimal(0))
                assert abs(Decimal(str(value)) - Decimal(str(reference))) <= tolerance, (key, name, value, reference)
            else:
                assert value == reference, (key, name, value, reference)


@pytest.mark.check
@pytest.mark.xdist_group("demo")
def test_demo_monthly_facts_equal_a_row_by_row_recomputation(demo_build):
    assert demo_build.query("select count(distinct as_of_date) from intermediate.int_customer_facts_monthly")[0][0] > 24
    assert_monthly_facts_match(demo_build)


@pytest.mark.xdist_group("cdnow")
def test_cdnow_monthly_facts_equal_a_row_by_row_recomputation(cdnow_build):
    assert_monthly_facts_match(cdnow_build)
