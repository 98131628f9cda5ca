"""A small hand-written data set with one deliberately bad row per quarantine reason.

Each bad row is marked by a recognisable value in one column, and EXPECTED lists, per table, that
marker and the reason the staging layer must give. The good rows have hand-computed values
(amounts converted at the fx rates below) that tests compare against.
"""

from __future__ import annotations

import csv
from pathlib import Path

from customer_pyramid.ingest.contract import load_contract

CONTRACT = load_contract()
# The files' headers: every contract column of orders, engagement_events and fx_rates; some of the others.
ORDERS = CONTRACT["orders"].column_names
CUSTOMERS = ["customer_id", "email", "signup_at", "is_member"]
ITEMS = ["order_id", "product_id", "category", "quantity", "unit_price"]
EVENTS = CONTRACT["engagement_events"].column_names
FX = CONTRACT["fx_rates"].column_names

CUSTOMER_ROWS = [
    ["c1", "ONE@example.com", "2024-12-01 09:00:00+00:00", "yes"],
    ["c1", "ONE@example.com", "2024-12-01 09:00:00+00:00", "yes"],  # exact duplicate
    ["c2", "two@example.com", "2024-12-02", "0"],
    ["c3", "", "", ""],
    ["c4", "four@example.com", "2025-01-02T10:00:00Z", "maybe"],
    ["", "nobody@example.com", "2025-01-01", ""],  # missing_customer_id
    ["c5", "five@example.com", "not a date", ""],  # unparseable_signup_at
    ["c6", "six@example.com", "2099-01-01 00:00:00", ""],  # future_timestamp
    ["c7", "seven@example.com", "2025-01-01", ""],  # conflicting_duplicate_key
    ["c7", "SEVEN@other.example", "2025-01-01", ""],  # conflicting_duplicate_key
]

ORDER_ROWS = [
    # good rows: o1 USD, o2 EUR at 1.1 (local date 2025-02-11 in UTC), o3 GBP refunded, o4 partial refund
    ["o1", "c1", "2025-01-10 10:00:00+00:00", "100.00", "completed", "0", "online", "USD", ""],
    ["o1", "c1", "2025-01-10 10:00:00+00:00", "100.00", "completed", "0", "online", "USD", ""],  # exact duplicate
    ["o1", "c1", "2025-01-10 10:00:00+00:00", "100.00", "completed", "0", "online", "USD", ""],  # exact duplicate
    ["o2", "c2", "2025-02-10T23:30:00-05:00", "50", "paid", "", "web", "eur", ""],
    ["o3", "c3", "2025-03-01 12:00:00", "20.00", "Refunded", "", "store", "GBP", "S1"],
    ["o4", "c4", "2025-03-05 08:00:00+00:00", "80.00", "partially refunded", "30.00", "", "", ""],
    # bad rows, one per reason
    ["", "c1", "2025-01-11 10:00:00", "1.00", "", "", "", "", ""],  # missing_order_id
    ["bad_missing_customer", "", "2025-01-11 10:00:00", "1.00", "", "", "", "", ""],
    ["bad_missing_ordered_at", "c1", "", "1.00", "", "", "", "", ""],
    ["bad_unparseable_ordered_at", "c1", "2025-13-45 99:00", "1.00", "", "", "", "", ""],
    ["bad_missing_amount", "c1", "2025-01-11 10:00:00", "", "", "", "", "", ""],
    ["bad_unparseable_amount", "c1", "2025-01-11 10:00:00", "12,3x", "", "", "", "", ""],
    ["bad_unparseable_refund", "c1", "2025-01-11 10:00:00", "10.00", "", "abc", "", "", ""],
    ["bad_negative_amount", "c1", "2025-01-11 10:00:00", "-5.00", "", "", "", "", ""],
    ["bad_negative_refund", "c1", "2025-01-11 10:00:00", "5.00", "", "-1.00", "", "", ""],
    ["bad_refund_above_amount", "c1", "2025-01-11 10:00:00", "10.00", "partially_refunded", "20.00", "", "", ""],
    ["bad_unknown_status", "c1", "2025-01-11 10:00:00", "10.00", "on hold", "", "", "", ""],
    ["bad_future", "c1", "2099-01-11 10:00:00", "10.00", "", "", "", "", ""],
    ["bad_unknown_currency", "c1", "2025-01-11 10:00:00", "10.00", "", "", "", "XYZ", ""],
    ["bad_unknown_customer", "c999", "2025-01-11 10:00:00", "10.00", "", "", "", "", ""],
    ["bad_customer_quarantined", "c7", "2025-01-11 10:00:00", "10.00", "", "", "", "", ""],
    ["bad_conflict", "c1", "2025-01-11 10:00:00", "10.00", "", "", "", "", ""],
    ["bad_conflict", "c1", "2025-01-11 10:00:00", "11.00", "", "", "", "", ""],
]

ITEM_ROWS = [
    ["o1", "p1", "Books", "2", "30.00"],
    ["o1", "p2", "toys", "1", "40.00"],
    ["o1", "p2", "toys", "1", "40.00"],  # exact duplicate
    ["o2", "p3", "home", "1", "50.00"],
    ["", "p9", "x", "1", "1.00"],  # missing_order_id
    ["o1", "bad_missing_quantity", "x", "", "1.00"],
    ["o1", "bad_unparseable_quantity", "x", "two", "1.00"],
    ["o1", "bad_fractional_quantity", "x", "1.5", "1.00"],  # a whole number is required: not rounded to 2
    ["o1", "bad_missing_unit_price", "x", "1", ""],
    ["o1", "bad_unparseable_unit_price", "x", "1", "1.0.0"],
    ["o1", "bad_negative_quantity", "x", "-1", "1.00"],
    ["o1", "bad_negative_unit_price", "x", "1", "-1.00"],
    ["o999", "bad_unknown_order", "x", "1", "1.00"],
    ["bad_negative_amount", "bad_order_quarantined", "x", "1", "1.00"],
]

EVENT_ROWS = [
    ["c1", "2025-01-05 10:00:00+00:00", "site_visit", "web"],
    ["c1", "2025-01-05 10:00:00+00:00", "site_visit", "web"],  # exact duplicate
    ["c2", "2025-02-01 10:00:00", "Email Open", "email"],
    ["visitor_9", "2025-02-02 10:00:00", "push_open", "app"],  # unknown type: kept, not quarantined
    ["", "2025-02-02 10:00:00", "site_visit", "bad_missing_customer"],
    ["c1", "", "site_visit", "bad_missing_occurred_at"],
    ["c1", "yesterday", "site_visit", "bad_unparseable_occurred_at"],
    ["c1", "2025-02-02 10:00:00", "", "bad_missing_event_type"],
    ["c1", "2099-02-02 10:00:00", "site_visit", "bad_future"],
]

FX_ROWS = [
    ["EUR", "2025-01-01", "1.1"],
    ["EUR", "2025-01-01", "1.1"],  # exact duplicate
    ["GBP", "2025-01-01", "1.25"],
    ["GBP", "2025-03-02", "1.30"],
    ["", "2025-01-01", "1.5"],  # missing_currency
    ["bad_missing_rate_date", "", "1.5"],
    ["bad_unparseable_rate_date", "01/02/2025x", "1.5"],
    ["bad_missing_rate", "2025-01-01", ""],
    ["bad_unparseable_rate", "2025-01-01", "one"],
    ["bad_non_positive_rate", "2025-01-01", "0"],
    ["EUR", "2025-02-01", "1.2"],  # conflicting_duplicate_key
    ["EUR", "2025-02-01", "1.3"],  # conflicting_duplicate_key
]

# (table, marker column, marker value, reason, rows with that marker)
EXPECTED = [
    ("customers", "customer_id", "", "missing_customer_id", 1),
    ("customers", "customer_id", "c5", "unparseable_signup_at", 1),
    ("customers", "customer_id", "c6", "future_timestamp", 1),
    ("customers", "customer_id", "c7", "conflicting_duplicate_key", 2),
    ("orders", "order_id", "", "missing_order_id", 1),
    ("orders", "order_id", "bad_missing_customer", "missing_customer_id", 1),
    ("orders", "order_id", "bad_missing_ordered_at", "missing_ordered_at", 1),
    ("orders", "order_id", "bad_unparseable_ordered_at", "unparseable_ordered_at", 1),
    ("orders", "order_id", "bad_missing_amount", "missing_amount", 1),
    ("orders", "order_id", "bad_unparseable_amount", "unparseable_amount", 1),
    ("orders", "order_id", "bad_unparseable_refund", "unparseable_refund_amount", 1),
    ("orders", "order_id", "bad_negative_amount", "negative_amount", 1),
    ("orders", "order_id", "bad_negative_refund", "negative_refund_amount", 1),
    ("orders", "order_id", "bad_refund_above_amount", "refund_above_amount", 1),
    ("orders", "order_id", "bad_unknown_status", "unknown_status", 1),
    ("orders", "order_id", "bad_future", "future_timestamp", 1),
    ("orders", "order_id", "bad_unknown_currency", "unknown_currency", 1),
    ("orders", "order_id", "bad_unknown_customer", "unknown_customer", 1),
    ("orders", "order_id", "bad_customer_quarantined", "customer_quarantined", 1),
    ("orders", "order_id", "bad_conflict", "conflicting_duplicate_key", 2),
    ("order_items", "order_id", "", "missing_order_id", 1),
    ("order_items", "product_id", "bad_missing_quantity", "missing_quantity", 1),
    ("order_items", "product_id", "bad_unparseable_quantity", "unparseable_quantity", 1),
    ("order_items", "product_id", "bad_fractional_quantity", "unparseable_quantity", 1),
    ("order_items", "product_id", "bad_missing_unit_price", "missing_unit_price", 1),
    ("order_items", "product_id", "bad_unparseable_unit_price", "unparseable_unit_price", 1),
    ("order_items", "product_id", "bad_negative_quantity", "negative_quantity", 1),
    ("order_items", "product_id", "bad_negative_unit_price", "negative_unit_price", 1),
    ("order_items", "product_id", "bad_unknown_order", "unknown_order", 1),
    ("order_items", "product_id", "bad_order_quarantined", "order_quarantined", 1),
    ("engagement_events", "customer_id", "", "missing_customer_id", 1),
    ("engagement_events", "channel", "bad_missing_occurred_at", "missing_occurred_at", 1),
    ("engagement_events", "channel", "bad_unparseable_occurred_at", "unparseable_occurred_at", 1),
    ("engagement_events", "channel", "bad_missing_event_type", "missing_event_type", 1),
    ("engagement_events", "channel", "bad_future", "future_timestamp", 1),
    ("fx_rates", "currency", "", "missing_currency", 1),
    ("fx_rates", "currency", "bad_missing_rate_date", "missing_rate_date", 1),
    ("fx_rates", "currency", "bad_unparseable_rate_date", "unparseable_rate_date", 1),
    ("fx_rates", "currency", "bad_missing_rate", "missing_rate", 1),
    ("fx_rates", "currency", "bad_unparseable_rate", "unparseable_rate", 1),
    ("fx_rates", "currency", "bad_non_positive_rate", "non_positive_rate", 1),
    ("fx_rates", "rate", "1.2", "conflicting_duplicate_key", 1),
    ("fx_rates", "rate", "1.3", "conflicting_duplicate_key", 1),
]

# Hand-computed clean orders: order_id -> (status, amount, refund_amount, order_date) in USD.
EXPECTED_ORDERS = {
    "o1": ("completed", "100.0000", "0.0000", "2025-01-10"),
    "o2": ("completed", "55.0000", "0.0000", "2025-02-11"),
    "o3": ("refunded", "25.0000", "25.0000", "2025-03-01"),
    "o4": ("partially_refunded", "80.0000", "30.0000", "2025-03-05"),
}

TABLES = {
    "customers": (CUSTOMERS, CUSTOMER_ROWS),
    "orders": (ORDERS, ORDER_ROWS),
    "order_items": (ITEMS, ITEM_ROWS),
    "engagement_events": (EVENTS, EVENT_ROWS),
    "fx_rates": (FX, FX_ROWS),
}


def write_crafted(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for table, (header, rows) in TABLES.items():
        with open(directory / f"{table}.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return directory
