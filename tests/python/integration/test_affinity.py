"""Product and category affinity (models/marts/affinity/) against a plain-Python recomputation of
the basket statistics: on the demo data (from its staged order lines) and on UCI Online Retail (from
the raw parquet, with the documented cleaning rules); and an orders-only data set leaves the marts
empty while everything else builds."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from basket_oracle import VARS, assert_top_pairs_match, pair_statistics


def staged_baskets(run) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Products and categories per valid order of the window, from the staged orders and lines."""
    as_of = run.query("select as_of_date from intermediate.int_as_of_date")[0][0]
    start = as_of - datetime.timedelta(days=VARS["basket_window_days"])
    orders = {
        order_id
        for order_id, status, day in run.query("select order_id, status, order_date from staging.stg_raw__orders")
        if status in ("completed", "partially_refunded") and start < day <= as_of
    }
    products, categories = defaultdict(set), defaultdict(set)
    for order_id, product, category, quantity, is_return in run.query(
        "select order_id, product_id, category, quantity, is_return from staging.stg_raw__order_items"
    ):
        if order_id in orders and product is not None and not is_return and (quantity is None or quantity > 0):
            products[order_id].add(product)
            categories[order_id].add(category or "unknown")
    return products, categories


@pytest.mark.xdist_group("demo")
def test_demo_pairs_equal_a_recomputation(demo_build) -> None:
    products, categories = staged_baskets(demo_build)
    expected_products = pair_statistics(products)
    assert len(expected_products) > 20, "the demo data has pairs bought together in 3 or more orders"
    assert_top_pairs_match(demo_build, "fct_product_pairs", "product", expected_products)
    assert_top_pairs_match(demo_build, "fct_category_pairs", "category", pair_statistics(categories))


@pytest.mark.xdist_group("demo")
def test_demo_top_categories_and_offers_follow_the_rules(demo_build) -> None:
    # top and second category: the most and second most line revenue (ties by name), recomputed
    revenue = defaultdict(lambda: defaultdict(float))
    for customer, category, amount in demo_build.query(
        "select orders.customer_id, coalesce(items.category, 'unknown'), items.line_amount "
        "from staging.stg_raw__order_items as items inner join intermediate.int_orders_valid as orders "
        "using (order_id)"
    ):
        revenue[customer][category] += float(amount)
    expected = {}
    for customer, spend in revenue.items():
        bought = [category for category in spend if round(spend[category], 4) > 0]  # not all returned
        ranked = sorted(bought, key=lambda category: (-round(spend[category], 4), category))
        if ranked:
            expected[customer] = (ranked[0], ranked[1] if len(ranked) > 1 else None)
    built = {
        c: (top, second)
        for c, top, second in demo_build.query(
            "select customer_id, top_category, second_category from marts.dim_customers where top_category is not null"
        )
    }
    assert built == expected
    # every offer was never bought by its customer and has a lift above the minimum
    bought = {
        (c, p)
        for c, p in demo_build.query(
            "select orders.customer_id, items.product_id from staging.stg_raw__order_items as items "
            "inner join intermediate.int_orders_valid as orders using (order_id)"
        )
    }
    offers = demo_build.query(
        "select customer_id, offer, lift from marts.fct_customer_next_offer where offer_type = 'product'"
    )
    assert offers and not {(c, o) for c, o, _ in offers} & bought
    assert min(lift for *_, lift in offers) > VARS["next_offer_min_lift"]
    named = demo_build.query(
        "select count(*) filter (where offer is not null), count(*) from marts.fct_customer_actions "
        "where next_best_action = 'cross_sell'"
    )[0]
    assert named[0] == named[1] > 0, "every cross_sell action names its offer"


@pytest.mark.xdist_group("contacts")
def test_an_orders_only_data_set_leaves_the_affinity_marts_empty(contacts_build) -> None:
    for table in (
        "fct_product_pairs",
        "fct_category_pairs",
        "fct_customer_category_affinity",
        "mart_segment_category_mix",
        "fct_customer_next_offer",
    ):
        assert contacts_build.query(f"select count(*) from marts.{table}")[0][0] == 0, table
    assert contacts_build.query("select count(top_category) from marts.dim_customers")[0][0] == 0
