"""Deterministic synthetic CRM data in the raw-data contract.

``generate(customers, out_dir)`` writes ``orders``, ``customers``,
``order_items``, ``engagement_events``, ``customer_identities``, ``feedback``
and ``fx_rates`` as CSV or Parquet files (every column is text) and returns
the rows written per table.

Linked ids: some customers buy in stores with a loyalty card (their offline
orders carry the card's id, ``L...``), buy on a marketplace that issues one
id per order (their social-channel orders carry ``M<order number>``), or
answer surveys under the survey tool's id (``R...``); customer_identities
links every such id to the customer's own ``C...`` id.  Feedback: about a
third of the buyers answer 1-4 times (NPS, star ratings, CSAT), a few days
after an order; customers within 120 days of their last order answer lower
(a detractor is more likely to stop buying, the pattern the churn-risk
backtest looks for).
All work is vectorised with numpy and pyarrow; the same arguments always
give byte-identical files.

Time model: the window runs from ``end_date - years * 365`` days (00:00:00
UTC) to ``end_date`` 23:59:59 UTC.  Times are handled as integer seconds
since the window start, money as integer cents, FX rates as integer
millionths; they are only turned into text when a file is written.

Deliberately bad rows (``bad_rows=True``) are appended after the valid rows
of each table.  Values are taken from the first valid rows of the same
table, so ids look like normal ids.  With n valid orders, new order ids are
``O{n+1:08d}`` .. ``O{n+11:08d}``; ``C9999999`` (or ``C{customers+500}`` if
that were a real id) is a customer id that does not exist.

orders (15 rows):
  1. order_id missing (null / empty field)
  2. customer_id missing
  3. ordered_at ``2025-13-45 99:00`` (unparseable)
  4. amount ``-15.00`` (negative)
  5. refund_amount ``35.00`` above amount ``20.00`` (partially_refunded)
  6. refund_amount ``-5.00`` (refunded)
  7. status ``shipped`` (unknown)
  8. currency ``XYZ`` (unknown)
  9. customer_id ``C9999999`` (not in customers)
  10. ordered_at ``2099-06-01 12:00:00+00:00`` (far future)
  11. amount ``12,3x`` (unparseable)
  12-14. exact copies of valid rows 2, 3 and 4 (byte-identical rows)
  15. valid row 5 repeated with amount ``999.99`` (or ``1.00``): conflicting
      duplicate order_id; its items no longer sum to the amount
customers (5 rows):
  1. customer_id missing
  2-3. exact copies of valid rows 2 and 3
  4. new id ``C{customers+1}`` with signup_at ``2024-02-30 25:61:00``
  5. the id of valid row 4 again with a different email (conflicting)
order_items (6 rows):
  1. order_id missing
  2. order_id ``O{n+500:08d}`` (not in orders)
  3. quantity ``two`` (non-numeric), for the order of valid row 1
  4. unit_price ``-3.50`` (negative), for the order of valid row 1
  5-6. exact copies of valid rows 1 and 2
  (rows 3-6 make the items of those orders no longer sum to the amount)
engagement_events (7 rows):
  1. customer_id missing
  2. occurred_at ``not-a-timestamp``
  3. event_type missing
  4. occurred_at ``2099-01-01 00:00:00+00:00`` (far future)
  5-7. exact copies of valid rows 1, 2 and 3
customer_identities (3 rows):
  1. person_id missing
  2. customer_id missing
  3. exact copy of valid row 1
feedback (6 rows):
  1. customer_id missing
  2. score ``five`` (unparseable)
  3. score ``11`` on the nps scale (out of range)
  4. scale ``thumbs`` (unknown)
  5. occurred_at ``2099-01-01 00:00:00+00:00`` (far future)
  6. exact copy of valid row 1
fx_rates (3 rows):
  1. EUR rate ``0.000000`` (non-positive) on a date before the fx range
  2. GBP rate_date ``2025-02-30`` (unparseable)
  3. exact copy of valid row 1
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from customer_pyramid.ingest.contract import load_contract

# The contract's columns (models/staging/raw/_raw__sources.yml), but for the order_items columns that
# only line-item-only data carries: the generator writes an orders table, so lines take its values.
LINE_ITEM_ONLY_COLUMNS = frozenset({"customer_id", "ordered_at", "line_type"})
COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(c for c in table.column_names if name != "order_items" or c not in LINE_ITEM_ONLY_COLUMNS)
    for name, table in load_contract().items()
}
FORMATS = ("csv", "parquet")
DAY = 86_400
CHUNK_ROWS = 1_000_000
WRITER_THREADS = 3
DICTIONARY_COLUMNS = frozenset(
    {
        "status",
        "channel",
        "currency",
        "store_id",
        "product_id",
        "category",
        "quantity",
        "event_type",
        "first_name",
        "last_name",
        "country",
        "city",
        "gender",
        "acquisition_channel",
        "is_member",
        "accepts_marketing",
    }
)
CUSTOMER_DIGITS = 7
ORDER_DIGITS = 8
PRODUCT_DIGITS = 4
STORE_DIGITS = 3

COUNTRIES = ("US", "CA", "GB", "DE", "FR", "NL", "ES", "IT")
COUNTRY_WEIGHTS = (0.42, 0.08, 0.16, 0.10, 0.09, 0.05, 0.05, 0.05)
CURRENCIES = ("USD", "EUR", "GBP")
COUNTRY_CURRENCY = (0, 0, 2, 1, 1, 1, 1, 1)
PHONE_PREFIXES = (
    "+1-555-",
    "+1-555-",
    "+44-555-",
    "+49-555-",
    "+33-555-",
    "+31-555-",
    "+34-555-",
    "+39-555-",
)
CITIES = (
    ("New York", "Los Angeles", "Chicago", "Austin"),
    ("Toronto", "Vancouver", "Montreal", "Calgary"),
    ("London", "Manchester", "Birmingham", "Leeds"),
    ("Berlin", "Munich", "Hamburg", "Cologne"),
    ("Paris", "Lyon", "Marseille", "Toulouse"),
    ("Amsterdam", "Rotterdam", "Utrecht", "The Hague"),
    ("Madrid", "Barcelona", "Valencia", "Seville"),
    ("Rome", "Milan", "Naples", "Turin"),
)
CITY_WEIGHTS = (0.4, 0.3, 0.2, 0.1)
FIRST_NAMES = (
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Emma",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Jack",
    "Klara",
    "Leo",
    "Maria",
    "Noah",
    "Olivia",
    "Paul",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Umar",
    "Vera",
    "Will",
    "Yara",
    "Zoe",
)
LAST_NAMES = (
    "Smith",
    "Jones",
    "Brown",
    "Miller",
    "Garcia",
    "Martin",
    "Muller",
    "Rossi",
    "Dubois",
    "Jansen",
    "Lopez",
    "Wilson",
    "Taylor",
    "Schmidt",
    "Bianchi",
    "Moreau",
    "Visser",
    "Clark",
    "Lewis",
    "Walker",
)
GENDERS = ("F", "M", "X", None)
GENDER_WEIGHTS = (0.49, 0.45, 0.02, 0.04)
ACQUISITION_CHANNELS = ("organic", "paid_search", "social", "referral", "email", "offline")
ACQUISITION_WEIGHTS = (0.30, 0.22, 0.16, 0.12, 0.08, 0.12)
BIRTH_FIRST = datetime.date(1950, 1, 1)
BIRTH_LAST = datetime.date(2006, 12, 31)
BIRTH_MISSING = 0.10
MEMBER_SHARE = 0.30
MARKETING_SHARE = 0.60

PROSPECT_SHARE = 0.15
ONE_TIME_SHARE = 0.30
REACTIVATED_SHARE = 0.05
ORDERS_PER_CUSTOMER = 10.0
RATE_CALIBRATION = 1.05  # makes up for the shortened spans of reactivated buyers
RATE_SHAPE = 1.0
LIFETIME_DAYS = 450.0
MIN_LIFETIME_DAYS = 14.0
SIGNUP_LEAD_DAYS = 20.0
REACTIVATION_DAYS = 120
REACTIVATION_GAP_DAYS = 401
REACTIVATION_EXTRA_ORDERS = 1.0
ORDER_VALUE_MEDIAN_CENTS = 5_500.0
ORDER_VALUE_SIGMA = 0.5
ORDER_VALUE_SHAPE = 3.0
MIN_UNIT_CENTS = 99

STATUSES = ("completed", "cancelled", "refunded", "partially_refunded")
STATUS_WEIGHTS = (0.92, 0.03, 0.02, 0.03)
ORDER_CHANNELS = ("online", "offline", "social", "other")
ORDER_CHANNEL_WEIGHTS = (0.58, 0.25, 0.11, 0.06)
OFFLINE = 1
MIXER_SHARE = 0.35
MIX_RATE = 0.4
OTHER_STORE_RATE = 0.15
STORES = 32

CATEGORIES = ("apparel", "beauty", "home", "electronics", "books", "sports", "toys", "grocery")
PRODUCTS = 200
LINE_WEIGHTS = (0.45, 0.30, 0.15, 0.10)
QUANTITY_WEIGHTS = (0.70, 0.20, 0.10)

EVENT_TYPES = (
    "site_visit",
    "email_open",
    "app_session",
    "email_click",
    "brand_page_view",
    "review",
    "push_open",
    "newsletter_subscribe",
    "social_follow",
)
EVENT_CHANNELS = ("web", "email", "app", "email", "web", "web", "web", "web", "social")
BULK_EVENT_WEIGHTS = (0.37, 0.27, 0.12, 0.10, 0.118, 0.02, 0.002)
NEWSLETTER, SOCIAL_FOLLOW = 7, 8
NEWSLETTER_SHARE = 0.5
SOCIAL_FOLLOW_SHARE = 0.2
EVENT_SHAPE = 0.8
EVENT_BASE_MEAN = 19.0
EVENTS_PER_ORDER = 1.3
SILENT_BUYER_SHARE = 0.08
SILENT_PROSPECT_SHARE = 0.08
ANCHORED_EVENT_SHARE = 0.45
ANCHOR_SPREAD_DAYS = 3.0
ENGAGED_AFTER_CHURN_DAYS = 60
PROSPECT_INTEREST_DAYS = 180.0

CARD_SHARE = 0.30  # customers with a store card: their offline orders carry the card's id
MARKETPLACE_SHARE = 0.50  # customers whose social-channel orders come from a marketplace (an id per order)
SOCIAL = 2
IDENTITY_SYSTEMS = ("store_card", "marketplace", "survey")
FEEDBACK_SHARE = 0.35  # buyers who answer at least once
FEEDBACK_EXTRA_ANSWERS = 0.8  # further answers per respondent (Poisson), at most FEEDBACK_MAX_ANSWERS in all
FEEDBACK_MAX_ANSWERS = 4
FEEDBACK_DELAY_DAYS = 10
SURVEY_ID_SHARE = 0.40  # respondents whose answers carry the survey tool's id
FEEDBACK_SCALES = ("nps", "stars", "csat")
FEEDBACK_SCALE_WEIGHTS = (0.50, 0.35, 0.15)
FEEDBACK_CHANNELS = ("survey", "review_site", "email")
LEAVING_DAYS = 120  # answers this close to the customer's last order come from Beta(2, 3), others Beta(5, 2)
FEEDBACK_COMMENTS = (None, "Great service, will order again", "Delivery took too long")

FX_CURRENCIES = ("EUR", "GBP")
FX_BASE = (1.08, 1.27)
FX_DAILY_VOL = 0.004
FX_LEAD_DAYS = 30

Frame = dict[str, np.ndarray]
Rows = list[dict[str, str | None]]
TableMaker = Callable[[Frame], dict[str, pa.Array]]


def generate(
    customers: int,
    out_dir: Path,
    seed: int = 42,
    fmt: str = "parquet",
    end_date: datetime.date = datetime.date(2025, 12, 31),
    years: int = 3,
    bad_rows: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write the seven raw tables to ``out_dir`` and return rows per table."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    if customers < 1 or years < 1:
        raise ValueError("customers and years must be positive")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
        sink = _Sink(pool, out_dir, fmt, bad_rows)
        futures = _generate_all(sink, customers, seed, end_date, years)
        for name in COLUMNS:
            counts[name] = futures[name].result()
            if progress is not None:
                progress(f"{name}: {counts[name]:,} rows -> {out_dir / f'{name}.{fmt}'}")
    return counts


class _Sink(NamedTuple):
    pool: ThreadPoolExecutor
    out_dir: Path
    fmt: str
    bad_rows: bool


def _generate_all(
    sink: _Sink, customers: int, seed: int, end_date: datetime.date, years: int
) -> dict[str, Future[int]]:
    """Build the numeric frames and hand each table to a writer thread."""
    days = years * 365 + 1
    start_day = (end_date - datetime.date(1970, 1, 1)).days - years * 365
    # streams 6 and 7 (linked ids, feedback) came later: the first six tables are as they were
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    people = _people(rngs[0], customers)
    plan = _plan(rngs[1], people["prospect"], days)
    ids = _codes(b"C", np.arange(1, customers + 1), CUSTOMER_DIGITS)
    grouped_t = _order_times(rngs[2], plan, days)
    futures = {
        "engagement_events": _submit(
            sink,
            "engagement_events",
            partial(_events, rngs[4], people, plan, grouped_t, days),
            _events_table(ids, start_day),
            _bad_events,
        ),
        "customers": _submit(
            sink,
            "customers",
            partial(_customer_frame, people, plan),
            _customers_table(start_day),
            partial(_bad_customers, customers=customers),
        ),
        "fx_rates": _submit(sink, "fx_rates", partial(_fx, rngs[5], start_day, days), _fx_table, _bad_fx),
    }
    orders, items = _orders(rngs[3], people, plan, grouped_t)
    n_orders = len(orders["t"])
    missing = f"C{max(9_999_999, customers + 500):0{CUSTOMER_DIGITS}d}"
    linked = _linked_ids(rngs[6], people, orders)
    feedback = _feedback(rngs[7], plan, grouped_t, days)
    futures["orders"] = _submit(
        sink,
        "orders",
        lambda: {**orders, "source": linked["order_source"]},
        _orders_table(ids, linked["card"], start_day),
        partial(_bad_orders, n_orders=n_orders, missing_customer=missing),
    )
    futures["feedback"] = _submit(
        sink, "feedback", lambda: feedback, _feedback_table(ids, linked["survey"], start_day), _bad_feedback
    )
    futures["customer_identities"] = _submit(
        sink,
        "customer_identities",
        partial(_identity_links, linked, orders, feedback),
        _identities_table(ids, linked),
        _bad_identities,
    )
    futures["order_items"] = _submit(
        sink, "order_items", lambda: items, _items_table, partial(_bad_items, n_orders=n_orders)
    )
    return futures


def _submit(
    sink: _Sink, name: str, build: Callable[[], Frame], make: TableMaker, bad: Callable[[pa.Table], Rows]
) -> Future[int]:
    """Build the frame and write the table in a worker thread."""
    path = sink.out_dir / f"{name}.{sink.fmt}"
    bad = bad if sink.bad_rows else None
    return sink.pool.submit(lambda: _write(path, sink.fmt, COLUMNS[name], _frame_tables(build(), make), bad))


# ---------------------------------------------------------------- customers


def _people(rng: np.random.Generator, n: int) -> Frame:
    """Static customer attributes (one value per customer)."""
    country = _pick(rng, COUNTRY_WEIGHTS, n)
    city = country * len(CITY_WEIGHTS) + _pick(rng, CITY_WEIGHTS, n)
    birth_lo = (BIRTH_FIRST - datetime.date(1970, 1, 1)).days
    birth_hi = (BIRTH_LAST - datetime.date(1970, 1, 1)).days
    return {
        "country": country,
        "city": city,
        "first": rng.integers(0, len(FIRST_NAMES), n),
        "last": rng.integers(0, len(LAST_NAMES), n),
        "email_number": rng.permutation(n) + 1,
        "phone": rng.integers(0, 10**7, n),
        "birth": rng.integers(birth_lo, birth_hi + 1, n),
        "birth_missing": rng.random(n) < BIRTH_MISSING,
        "gender": _pick(rng, GENDER_WEIGHTS, n),
        "acquisition": _pick(rng, ACQUISITION_WEIGHTS, n),
        "member": rng.random(n) < MEMBER_SHARE,
        "marketing": rng.random(n) < MARKETING_SHARE,
        "prospect": rng.random(n) < PROSPECT_SHARE,
        "channel": _pick(rng, ORDER_CHANNEL_WEIGHTS, n),
        "mixer": rng.random(n) < MIXER_SHARE,
        "value": rng.lognormal(np.log(ORDER_VALUE_MEDIAN_CENTS), ORDER_VALUE_SIGMA, n),
    }


def _customer_frame(people: Frame, plan: Frame) -> Frame:
    keys = (
        "country",
        "city",
        "first",
        "last",
        "email_number",
        "phone",
        "birth",
        "birth_missing",
        "gender",
        "acquisition",
        "member",
        "marketing",
    )
    frame = {key: people[key] for key in keys}
    frame["id"] = np.arange(1, len(people["country"]) + 1)
    frame["signup"] = plan["signup"]
    return frame


# ---------------------------------------------------------------- buying plan


def _mean_active_days(days: int) -> float:
    """Expected active span of a buyer whose first order is uniform in the window."""
    room = (np.arange(10_000) + 0.5) * days / 10_000
    life = MIN_LIFETIME_DAYS + LIFETIME_DAYS * (1 - np.exp(-np.maximum(room - MIN_LIFETIME_DAYS, 0) / LIFETIME_DAYS))
    return float(np.minimum(room, life).mean())


def _rate_mean(days: int) -> float:
    """Mean daily order rate of repeat buyers that gives ORDERS_PER_CUSTOMER."""
    per_buyer = ORDERS_PER_CUSTOMER / (1 - PROSPECT_SHARE)
    fixed = ONE_TIME_SHARE + 2 * (1 - ONE_TIME_SHARE)
    fixed += REACTIVATED_SHARE * (1 + REACTIVATION_EXTRA_ORDERS)
    extra = max(per_buyer - fixed, 0.0) / (1 - ONE_TIME_SHARE)
    return RATE_CALIBRATION * extra / _mean_active_days(days)


def _reactivated(rng: np.random.Generator, first: np.ndarray, repeat: np.ndarray, days: int) -> np.ndarray:
    """Repeat buyers who lapse for > 400 days and come back near the end."""
    latest_first = (days - REACTIVATION_DAYS - REACTIVATION_GAP_DAYS - 80) * DAY
    eligible = repeat & (first < latest_first)
    wanted = REACTIVATED_SHARE * repeat.sum() / (1 - ONE_TIME_SHARE)
    share = min(1.0, wanted / max(int(eligible.sum()), 1))
    return eligible & (rng.random(len(first)) < share)


def _signup(rng: np.random.Generator, first: np.ndarray, lead: np.ndarray) -> np.ndarray:
    """Signup some days before the first order, never before the window."""
    inside = (first * rng.random(len(first))).astype(np.int64)
    return np.where(lead <= first, first - lead, inside)


def _plan(rng: np.random.Generator, prospect: np.ndarray, days: int) -> Frame:
    """Per-customer first order, active span, order counts and signup."""
    n = len(prospect)
    horizon = days * DAY
    first = rng.integers(0, horizon, n)
    life = ((MIN_LIFETIME_DAYS + rng.exponential(LIFETIME_DAYS, n)) * DAY).astype(np.int64)
    end = np.minimum(first + life, horizon)
    one_time = ~prospect & (rng.random(n) < ONE_TIME_SHARE)
    react = _reactivated(rng, first, ~prospect & ~one_time, days)
    end = np.where(react, np.minimum(end, horizon - (REACTIVATION_DAYS + REACTIVATION_GAP_DAYS) * DAY), end)
    rate = rng.gamma(RATE_SHAPE, _rate_mean(days) / RATE_SHAPE, n)
    repeat = 2 + rng.poisson(rate * (end - first) / DAY)
    comeback = np.where(react, 1 + rng.poisson(REACTIVATION_EXTRA_ORDERS, n), 0)
    lead = rng.exponential(SIGNUP_LEAD_DAYS * DAY, n).astype(np.int64)
    interest = ((MIN_LIFETIME_DAYS + rng.exponential(PROSPECT_INTEREST_DAYS, n)) * DAY).astype(np.int64)
    until = np.where(prospect, first + interest, end + ENGAGED_AFTER_CHURN_DAYS * DAY)
    return {
        "first": first,
        "end": end,
        "n_orders": np.where(prospect, 0, np.where(one_time, 1, repeat)) + comeback,
        "n_comeback": comeback,
        "signup": np.where(prospect, first, _signup(rng, first, lead)),
        "until": np.where(react, horizon - 1, np.minimum(until, horizon - 1)),
    }


# ---------------------------------------------------------------- orders


def _owners(counts: np.ndarray) -> np.ndarray:
    """Owner of each row when owner i has counts[i] consecutive rows."""
    has = np.flatnonzero(counts)
    marks = np.zeros(int(counts.sum()), np.int64)
    marks[(np.cumsum(counts) - counts)[has]] = np.diff(has, prepend=0)
    return np.cumsum(marks)


def _positions(counts: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Position of each row within its owner's group."""
    return np.arange(len(owner)) - (np.cumsum(counts) - counts)[owner]


def _pick(rng: np.random.Generator, weights: tuple[float, ...], n: int) -> np.ndarray:
    """Category index per row drawn with the given weights."""
    u = rng.random(n)
    out = np.zeros(n, np.int64)
    for edge in np.cumsum(weights)[:-1]:
        out += u >= edge
    return out


def _order_times(rng: np.random.Generator, plan: Frame, days: int) -> np.ndarray:
    """Order times in seconds, grouped by customer (first order first)."""
    counts = plan["n_orders"]
    cust = _owners(counts)
    pos = _positions(counts, cust)
    first = plan["first"][cust]
    span = (plan["end"] - plan["first"])[cust]
    t = np.where(pos == 0, first, first + (rng.random(len(cust)) * span).astype(np.int64))
    late = pos >= (counts - plan["n_comeback"])[cust]
    window = REACTIVATION_DAYS * DAY
    comeback = days * DAY - window + (rng.random(len(cust)) * window).astype(np.int64)
    return np.where(late, comeback, t)


def _orders(rng: np.random.Generator, people: Frame, plan: Frame, grouped_t: np.ndarray) -> tuple[Frame, Frame]:
    """Orders sorted by time (order id = position + 1) and their item lines."""
    n_customers = len(plan["n_orders"])
    key = np.sort(grouped_t * n_customers + _owners(plan["n_orders"]))
    t, cust = key // n_customers, key % n_customers
    del key
    n = len(t)
    mean = people["value"][cust]
    value = rng.gamma(ORDER_VALUE_SHAPE, mean / ORDER_VALUE_SHAPE)
    items, amount = _items(rng, value)
    status = _pick(rng, STATUS_WEIGHTS, n)
    channel = _order_channels(rng, people, cust)
    frame = {
        "id": np.arange(1, n + 1),
        "cust": cust,
        "t": t,
        "amount": amount,
        "status": status,
        "refund": _refunds(rng, amount, status),
        "channel": channel,
        "currency": np.asarray(COUNTRY_CURRENCY)[people["country"][cust]],
        "store": _stores(rng, people, cust, channel),
    }
    return frame, items


def _order_channels(rng: np.random.Generator, people: Frame, cust: np.ndarray) -> np.ndarray:
    switch = people["mixer"][cust] & (rng.random(len(cust)) < MIX_RATE)
    other = _pick(rng, ORDER_CHANNEL_WEIGHTS, len(cust))
    return np.where(switch, other, people["channel"][cust])


def _stores(rng: np.random.Generator, people: Frame, cust: np.ndarray, channel: np.ndarray) -> np.ndarray:
    """Store number (1-based) for offline orders, -1 otherwise."""
    home = people["city"][cust] % STORES + 1
    away = rng.integers(1, STORES + 1, len(cust))
    store = np.where(rng.random(len(cust)) < OTHER_STORE_RATE, away, home)
    return np.where(channel == OFFLINE, store, -1)


def _refunds(rng: np.random.Generator, amount: np.ndarray, status: np.ndarray) -> np.ndarray:
    partial = (amount * rng.uniform(0.1, 0.7, len(amount))).astype(np.int64)
    partial = np.clip(partial, 1, amount - 1)
    refund = np.where(status == 2, amount, 0)
    return np.where(status == 3, partial, refund)


def _items(rng: np.random.Generator, value: np.ndarray) -> tuple[Frame, np.ndarray]:
    """Item lines in integer cents; the order amount is the sum of its lines."""
    counts = _pick(rng, LINE_WEIGHTS, len(value)) + 1
    order = _owners(counts)
    starts = np.cumsum(counts) - counts
    weight = rng.standard_gamma(2.0, len(order))
    share = weight / np.add.reduceat(weight, starts)[order] if len(order) else weight
    quantity = _pick(rng, QUANTITY_WEIGHTS, len(order)) + 1
    unit = np.maximum(np.rint(value[order] * share / quantity), MIN_UNIT_CENTS).astype(np.int64)
    amount = np.add.reduceat(quantity * unit, starts) if len(order) else unit
    # popular products first; lines of one order step through distinct products
    base = (PRODUCTS * rng.random(len(value)) ** 2).astype(np.int64)
    step = rng.integers(1, PRODUCTS // len(LINE_WEIGHTS), len(value))
    product = (base[order] + _positions(counts, order) * step[order]) % PRODUCTS
    frame = {"order": order + 1, "product": product, "quantity": quantity, "unit": unit}
    return frame, amount


# ---------------------------------------------------------------- events


def _events(rng: np.random.Generator, people: Frame, plan: Frame, grouped_t: np.ndarray, days: int) -> Frame:
    """Engagement events sorted by customer and time, without exact duplicates."""
    n = len(plan["first"])
    appetite = rng.gamma(EVENT_SHAPE, EVENT_BASE_MEAN / EVENT_SHAPE, n) + EVENTS_PER_ORDER * plan["n_orders"]
    silent = rng.random(n) < np.where(people["prospect"], SILENT_PROSPECT_SHARE, SILENT_BUYER_SHARE)
    counts = np.where(silent, 0, rng.poisson(appetite))
    near = np.where(plan["n_orders"] > 0, rng.binomial(counts, ANCHORED_EVENT_SHARE), 0)
    cust_near, t_near = _events_near_orders(rng, near, plan, grouped_t, days)
    cust_free = _owners(counts - near)
    t_free = _uniform_times(rng, cust_free, plan)
    kind = _pick(rng, BULK_EVENT_WEIGHTS, len(cust_near) + len(cust_free))
    active = np.flatnonzero(counts > 0)
    newsletter = active[people["marketing"][active] & (rng.random(len(active)) < NEWSLETTER_SHARE)]
    follow = active[rng.random(len(active)) < SOCIAL_FOLLOW_SHARE]
    once = np.concatenate([newsletter, follow])
    once_kind = np.repeat([NEWSLETTER, SOCIAL_FOLLOW], [len(newsletter), len(follow)])
    cust = np.concatenate([cust_near, cust_free, once])
    t = np.concatenate([t_near, t_free, _uniform_times(rng, once, plan)])
    return _unique_events(cust, t, np.concatenate([kind, once_kind]), days * DAY)


def _unique_events(cust: np.ndarray, t: np.ndarray, kind: np.ndarray, horizon: int) -> Frame:
    """Sort by customer, time and type and drop exact repeats."""
    key = np.sort((cust * horizon + t) * 16 + kind, kind="stable")
    key = key[np.concatenate([[True], key[1:] != key[:-1]])]
    return {"cust": key // 16 // horizon, "t": key // 16 % horizon, "kind": key % 16}


def _uniform_times(rng: np.random.Generator, cust: np.ndarray, plan: Frame) -> np.ndarray:
    """Times spread over each customer's engaged span (signup .. until)."""
    lo = plan["signup"][cust]
    return lo + (rng.random(len(cust)) * (plan["until"][cust] - lo)).astype(np.int64)


def _events_near_orders(
    rng: np.random.Generator, counts: np.ndarray, plan: Frame, grouped_t: np.ndarray, days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Events a few days before or after a random order of the customer."""
    cust = _owners(counts)
    n_orders = plan["n_orders"][cust]
    starts = (np.cumsum(plan["n_orders"]) - plan["n_orders"])[cust]
    anchor = grouped_t[starts + (rng.random(len(cust)) * n_orders).astype(np.int64)]
    offset = np.abs(rng.laplace(0.0, ANCHOR_SPREAD_DAYS * DAY, len(cust))).astype(np.int64)
    before = rng.random(len(cust)) < 0.5
    signup = plan["signup"][cust]
    t = np.where(before & (anchor - offset >= signup), anchor - offset, anchor + offset)
    return cust, np.minimum(t, days * DAY - 1)


# ---------------------------------------------------------------- linked ids and feedback


def _linked_ids(rng: np.random.Generator, people: Frame, orders: Frame) -> Frame:
    """Who has a store card or buys on the marketplace, the ids of cards and of survey respondents, and
    each order's id source (0 own id, 1 store card, 2 marketplace)."""
    n = len(people["country"])
    card = rng.random(n) < CARD_SHARE
    market = rng.random(n) < MARKETPLACE_SHARE
    cust, channel = orders["cust"], orders["channel"]
    source = np.where((channel == OFFLINE) & card[cust], 1, np.where((channel == SOCIAL) & market[cust], 2, 0))
    return {
        "card": _codes(b"L", rng.permutation(n) + 1, CUSTOMER_DIGITS),
        "survey": _codes(b"R", rng.permutation(n) + 1, CUSTOMER_DIGITS),
        "order_source": source,
    }


def _identity_links(linked: Frame, orders: Frame, feedback: Frame) -> Frame:
    """One link per store card in use, per marketplace order and per survey id in use, by customer."""
    source = linked["order_source"]
    card_holders = np.unique(orders["cust"][source == 1])
    market_orders = np.flatnonzero(source == 2)
    respondents = np.unique(feedback["cust"][feedback["by_survey_id"]])
    cust = np.concatenate([card_holders, orders["cust"][market_orders], respondents])
    system = np.repeat([0, 1, 2], [len(card_holders), len(market_orders), len(respondents)])
    order_id = np.concatenate(
        [np.zeros(len(card_holders), np.int64), orders["id"][market_orders], np.zeros(len(respondents), np.int64)]
    )
    order = np.lexsort((order_id, system, cust))
    return {"cust": cust[order], "system": system[order], "order": order_id[order]}


def _feedback(rng: np.random.Generator, plan: Frame, grouped_t: np.ndarray, days: int) -> Frame:
    """Answers a few days after a random order of the customer, sorted by customer and time."""
    n = len(plan["n_orders"])
    buyer = plan["n_orders"] > 0
    answers = np.where(
        buyer & (rng.random(n) < FEEDBACK_SHARE),
        np.minimum(1 + rng.poisson(FEEDBACK_EXTRA_ANSWERS, n), FEEDBACK_MAX_ANSWERS),
        0,
    )
    by_survey_id = rng.random(n) < SURVEY_ID_SHARE
    cust = _owners(answers)
    starts = (np.cumsum(plan["n_orders"]) - plan["n_orders"])[cust]
    anchor = grouped_t[starts + (rng.random(len(cust)) * plan["n_orders"][cust]).astype(np.int64)]
    t = np.minimum(anchor + (rng.random(len(cust)) * FEEDBACK_DELAY_DAYS * DAY).astype(np.int64), days * DAY - 1)
    stops = plan["end"][cust] < days * DAY - 1
    leaving = stops & (plan["end"][cust] - t < LEAVING_DAYS * DAY)
    mood = np.where(leaving, rng.beta(2.0, 3.0, len(cust)), rng.beta(5.0, 2.0, len(cust)))
    scale = _pick(rng, FEEDBACK_SCALE_WEIGHTS, len(cust))
    top = np.where(scale == 0, 10, 4)
    score = np.minimum((mood * (top + 1)).astype(np.int64), top) + np.where(scale == 0, 0, 1)
    high = score >= np.where(scale == 0, 9, 5)
    low = score <= np.where(scale == 0, 6, 3)
    said = rng.random(len(cust)) < 0.3
    comment = np.where(said & high, 1, np.where(said & low, 2, 0))
    order = np.lexsort((scale, t, cust))
    return {
        "cust": cust[order],
        "t": t[order],
        "scale": scale[order],
        "score": score[order],
        "comment": comment[order],
        "by_survey_id": by_survey_id[cust][order],
    }


# ---------------------------------------------------------------- fx rates


def _fx(rng: np.random.Generator, start_day: int, days: int) -> Frame:
    """Daily EUR and GBP rates: a random walk pinned to its base at both ends."""
    n = days + FX_LEAD_DAYS
    walk = np.cumsum(rng.normal(0.0, FX_DAILY_VOL, (len(FX_CURRENCIES), n)), axis=1)
    walk -= walk[:, -1:] * np.linspace(0.0, 1.0, n)
    rate = np.asarray(FX_BASE)[:, None] * np.exp(walk)
    return {
        "currency": np.repeat(np.arange(len(FX_CURRENCIES)), n),
        "day": np.tile(np.arange(n) + start_day - FX_LEAD_DAYS, len(FX_CURRENCIES)),
        "micros": np.rint(rate.ravel() * 1_000_000).astype(np.int64),
    }


# ---------------------------------------------------------------- text


def _codes(prefix: bytes, numbers: np.ndarray, width: int) -> np.ndarray:
    """Fixed-width codes such as b'C0000042' as a numpy void array."""
    top = int(numbers.max(initial=0))
    width = max(width, len(str(top)))
    out = np.empty((len(numbers), len(prefix) + width), np.uint8)
    out[:, : len(prefix)] = np.frombuffer(prefix, np.uint8)
    rest = numbers.astype(np.int64)
    for column in range(out.shape[1] - 1, len(prefix) - 1, -1):
        out[:, column] = rest % 10 + 48
        rest = rest // 10
    return out.view(f"V{out.shape[1]}").ravel()


def _dates(days: np.ndarray, suffix: bytes = b"") -> np.ndarray:
    """'YYYY-MM-DD' (+ suffix) for days since 1970-01-01, as a void array."""
    lo = int(days.min())
    table = np.arange(lo, int(days.max()) + 1).astype("datetime64[D]")
    text = np.datetime_as_string(table).astype("S10")
    if suffix:
        text = np.char.add(text, suffix)
    return text.view(f"V{text.itemsize}")[days - lo]


def _clock_times(seconds: np.ndarray) -> np.ndarray:
    """'HH:MM:SS+00:00' for seconds of the day, as a void array."""
    s = np.arange(DAY)
    table = np.empty((DAY, 14), np.uint8)
    table[:, 2:9:3] = ord(":")
    for column, unit in ((0, 3600), (3, 60), (6, 1)):
        value = s // unit % 60 if unit < 3600 else s // unit
        table[:, column] = value // 10 + 48
        table[:, column + 1] = value % 10 + 48
    table[:, 8:] = np.frombuffer(b"+00:00", np.uint8)
    return table.view("V14").ravel()[seconds]


def _text(*parts: np.ndarray) -> pa.Array:
    """Concatenate fixed-width void arrays row-wise into a string array."""
    dtype = np.dtype([(f"f{i}", part.dtype) for i, part in enumerate(parts)])
    out = np.empty(len(parts[0]), dtype)
    for i, part in enumerate(parts):
        out[f"f{i}"] = part
    offsets = np.arange(0, len(out) * dtype.itemsize + 1, dtype.itemsize, dtype=np.int32)
    return pa.StringArray.from_buffers(len(out), pa.py_buffer(offsets), pa.py_buffer(out.view(np.uint8)))


def _timestamps(seconds: np.ndarray, start_day: int) -> pa.Array:
    return _text(_dates(start_day + seconds // DAY, b" "), _clock_times(seconds % DAY))


def _decimal(values: np.ndarray, places: int) -> pa.Array:
    """Non-negative scaled integers as text with exactly `places` decimals."""
    digits = pc.cast(pa.array(values, pa.int64()), pa.string())
    padded = pc.utf8_lpad(digits, places + 1, "0")
    return pc.utf8_replace_slice(padded, -places, -places, ".")


def _labels(names: tuple[str | None, ...], index: np.ndarray) -> pa.Array:
    """Look up names; a negative index gives null."""
    index = np.asarray(index, np.int64)
    return pc.take(pa.array(names, pa.string()), pa.array(index, mask=index < 0))


def _blank_where(mask: np.ndarray, values: pa.Array) -> pa.Array:
    """Null where mask is true."""
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), values)


def _integers(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values, pa.int64()), pa.string())


def _flags(values: np.ndarray) -> pa.Array:
    return _labels(("false", "true"), values.astype(np.int64))


# ---------------------------------------------------------------- tables


def _frame_tables(frame: Frame, make: TableMaker) -> Iterator[dict[str, pa.Array]]:
    """Format a numeric frame in chunks of CHUNK_ROWS rows."""
    rows = len(next(iter(frame.values())))
    for lo in range(0, rows, CHUNK_ROWS):
        yield make({key: value[lo : lo + CHUNK_ROWS] for key, value in frame.items()})


def _orders_table(customer_ids: np.ndarray, card_ids: np.ndarray, start_day: int) -> TableMaker:
    def make(f: Frame) -> dict[str, pa.Array]:
        return {
            "order_id": _text(_codes(b"O", f["id"], ORDER_DIGITS)),
            "customer_id": _order_customer_ids(f, customer_ids, card_ids),
            "ordered_at": _timestamps(f["t"], start_day),
            "amount": _decimal(f["amount"], 2),
            "status": _labels(STATUSES, f["status"]),
            "refund_amount": _decimal(f["refund"], 2),
            "channel": _labels(ORDER_CHANNELS, f["channel"]),
            "currency": _labels(CURRENCIES, f["currency"]),
            "store_id": _labels(_store_names(), f["store"] - 1),
        }

    return make


def _order_customer_ids(f: Frame, customer_ids: np.ndarray, card_ids: np.ndarray) -> pa.Array:
    """The customer's own id, the store card's on card orders, a per-order id on marketplace orders."""
    own = _text(customer_ids[f["cust"]])
    card = _text(card_ids[f["cust"]])
    market = _text(_codes(b"M", f["id"], ORDER_DIGITS))
    return pc.if_else(pa.array(f["source"] == 1), card, pc.if_else(pa.array(f["source"] == 2), market, own))


def _store_names() -> tuple[str, ...]:
    return tuple(f"S{i:0{STORE_DIGITS}d}" for i in range(1, STORES + 1))


def _customers_table(start_day: int) -> TableMaker:
    def make(f: Frame) -> dict[str, pa.Array]:
        first = _labels(FIRST_NAMES, f["first"])
        last = _labels(LAST_NAMES, f["last"])
        handle = pc.binary_join_element_wise(pc.utf8_lower(first), pc.utf8_lower(last), ".")
        phone = _text(_codes(b"", f["phone"], 7))
        return {
            "customer_id": _text(_codes(b"C", f["id"], CUSTOMER_DIGITS)),
            "email": pc.binary_join_element_wise(handle, _integers(f["email_number"]), "@example.com", ""),
            "phone": pc.binary_join_element_wise(_labels(PHONE_PREFIXES, f["country"]), phone, ""),
            "first_name": first,
            "last_name": last,
            "signup_at": _timestamps(f["signup"], start_day),
            "country": _labels(COUNTRIES, f["country"]),
            "city": _labels(tuple(c for cities in CITIES for c in cities), f["city"]),
            "birth_date": _blank_where(f["birth_missing"], _text(_dates(f["birth"]))),
            "gender": _labels(GENDERS, f["gender"]),
            "acquisition_channel": _labels(ACQUISITION_CHANNELS, f["acquisition"]),
            "is_member": _flags(f["member"]),
            "accepts_marketing": _flags(f["marketing"]),
        }

    return make


def _items_table(f: Frame) -> dict[str, pa.Array]:
    return {
        "order_id": _text(_codes(b"O", f["order"], ORDER_DIGITS)),
        "product_id": _text(_codes(b"P", f["product"] + 1, PRODUCT_DIGITS)),
        "category": _labels(CATEGORIES, f["product"] % len(CATEGORIES)),
        "quantity": _integers(f["quantity"]),
        "unit_price": _decimal(f["unit"], 2),
    }


def _events_table(customer_ids: np.ndarray, start_day: int) -> TableMaker:
    def make(f: Frame) -> dict[str, pa.Array]:
        return {
            "customer_id": _text(customer_ids[f["cust"]]),
            "occurred_at": _timestamps(f["t"], start_day),
            "event_type": _labels(EVENT_TYPES, f["kind"]),
            "channel": _labels(EVENT_CHANNELS, f["kind"]),
        }

    return make


def _identities_table(customer_ids: np.ndarray, linked: Frame) -> TableMaker:
    def make(f: Frame) -> dict[str, pa.Array]:
        card = _text(linked["card"][f["cust"]])
        survey = _text(linked["survey"][f["cust"]])
        market = _text(_codes(b"M", f["order"], ORDER_DIGITS))
        source = pc.if_else(pa.array(f["system"] == 0), card, pc.if_else(pa.array(f["system"] == 1), market, survey))
        return {
            "customer_id": source,
            "person_id": _text(customer_ids[f["cust"]]),
            "system": _labels(IDENTITY_SYSTEMS, f["system"]),
        }

    return make


def _feedback_table(customer_ids: np.ndarray, survey_ids: np.ndarray, start_day: int) -> TableMaker:
    def make(f: Frame) -> dict[str, pa.Array]:
        own = _text(customer_ids[f["cust"]])
        survey = _text(survey_ids[f["cust"]])
        return {
            "customer_id": pc.if_else(pa.array(f["by_survey_id"]), survey, own),
            "occurred_at": _timestamps(f["t"], start_day),
            "score": _integers(f["score"]),
            "scale": _labels(FEEDBACK_SCALES, f["scale"]),
            "channel": _labels(FEEDBACK_CHANNELS, f["scale"]),
            "comment": _labels(FEEDBACK_COMMENTS, f["comment"]),
        }

    return make


def _fx_table(f: Frame) -> dict[str, pa.Array]:
    return {
        "currency": _labels(FX_CURRENCIES, f["currency"]),
        "rate_date": _text(_dates(f["day"])),
        "rate": _decimal(f["micros"], 6),
    }


# ---------------------------------------------------------------- bad rows


def _row(sample: pa.Table, i: int) -> dict[str, str | None]:
    return sample.slice(i % sample.num_rows, 1).to_pylist()[0]


def _bad_orders(sample: pa.Table, n_orders: int, missing_customer: str) -> Rows:
    base = dict(_row(sample, 0), status="completed", refund_amount="0.00")
    changes = [
        {"order_id": None},
        {"customer_id": None},
        {"ordered_at": "2025-13-45 99:00"},
        {"amount": "-15.00"},
        {"amount": "20.00", "refund_amount": "35.00", "status": "partially_refunded"},
        {"refund_amount": "-5.00", "status": "refunded"},
        {"status": "shipped"},
        {"currency": "XYZ"},
        {"customer_id": missing_customer},
        {"ordered_at": "2099-06-01 12:00:00+00:00"},
        {"amount": "12,3x"},
    ]
    rows = [
        {**base, "order_id": f"O{n_orders + k:0{ORDER_DIGITS}d}", **change} for k, change in enumerate(changes, start=1)
    ]
    rows += [_row(sample, i) for i in (1, 2, 3)]
    conflict = _row(sample, 4)
    conflict["amount"] = "1.00" if conflict["amount"] == "999.99" else "999.99"
    return rows + [conflict]


def _bad_customers(sample: pa.Table, customers: int) -> Rows:
    conflict = _row(sample, 3)
    conflict["email"] = "conflicting.duplicate@example.com"
    return [
        dict(_row(sample, 0), customer_id=None, email="no.id@example.com"),
        _row(sample, 1),
        _row(sample, 2),
        dict(
            _row(sample, 0),
            customer_id=f"C{customers + 1:0{CUSTOMER_DIGITS}d}",
            email="bad.signup@example.com",
            signup_at="2024-02-30 25:61:00",
        ),
        conflict,
    ]


def _bad_items(sample: pa.Table, n_orders: int) -> Rows:
    base = _row(sample, 0)
    return [
        dict(base, order_id=None),
        dict(base, order_id=f"O{n_orders + 500:0{ORDER_DIGITS}d}"),
        dict(base, quantity="two"),
        dict(base, unit_price="-3.50"),
        _row(sample, 0),
        _row(sample, 1),
    ]


def _bad_events(sample: pa.Table) -> Rows:
    base = _row(sample, 0)
    return [
        dict(base, customer_id=None),
        dict(base, occurred_at="not-a-timestamp"),
        dict(base, event_type=None),
        dict(base, occurred_at="2099-01-01 00:00:00+00:00"),
        _row(sample, 0),
        _row(sample, 1),
        _row(sample, 2),
    ]


def _bad_identities(sample: pa.Table) -> Rows:
    base = _row(sample, 0)
    return [dict(base, person_id=None), dict(base, customer_id=None), _row(sample, 0)]


def _bad_feedback(sample: pa.Table) -> Rows:
    base = _row(sample, 0)
    return [
        dict(base, customer_id=None),
        dict(base, score="five"),
        dict(base, score="11", scale="nps"),
        dict(base, scale="thumbs"),
        dict(base, occurred_at="2099-01-01 00:00:00+00:00"),
        _row(sample, 0),
    ]


def _bad_fx(sample: pa.Table) -> Rows:
    first_day = datetime.date.fromisoformat(_row(sample, 0)["rate_date"])
    return [
        {"currency": "EUR", "rate_date": (first_day - datetime.timedelta(days=1)).isoformat(), "rate": "0.000000"},
        {"currency": "GBP", "rate_date": "2025-02-30", "rate": "1.270000"},
        _row(sample, 0),
    ]


# ---------------------------------------------------------------- writing


class _CsvWriter:
    """Comma-separated text with a header; quotes only where needed; null is empty."""

    def __init__(self, path: Path, names: tuple[str, ...]) -> None:
        self._file = path.open("wb")
        self._file.write((",".join(names) + "\n").encode())

    def write_table(self, table: pa.Table) -> None:
        fields = [_csv_field(column.combine_chunks()) for column in table.columns]
        lines = pc.binary_join_element_wise(*fields, ",", null_handling="replace", null_replacement="")
        lines = pc.binary_join_element_wise(lines, "", "\n")
        offsets = np.frombuffer(lines.buffers()[1], np.int32)[lines.offset :]
        body = memoryview(lines.buffers()[2])[offsets[0] : offsets[len(lines)]]
        self._file.write(body)

    def close(self) -> None:
        self._file.close()


def _csv_field(values: pa.Array) -> pa.Array:
    special = pc.match_substring_regex(values, '[",\r\n]')
    if not pc.any(special).as_py():
        return values
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(special, quoted, values)


def _write(
    path: Path,
    fmt: str,
    names: tuple[str, ...],
    chunks: Iterator[dict[str, pa.Array]],
    bad: Callable[[pa.Table], Rows] | None,
) -> int:
    """Write chunks (and optional bad rows) to one file; return the row count."""
    schema = pa.schema([(name, pa.string()) for name in names])
    writer = _CsvWriter(path, names) if fmt == "csv" else _parquet_writer(path, schema)
    rows, sample = 0, None
    try:
        for chunk in chunks:
            table = pa.table(chunk, schema=schema)
            sample = table if sample is None else sample
            writer.write_table(table)
            rows += table.num_rows
        if bad is not None and sample is not None:
            extra = pa.Table.from_pylist(bad(sample.slice(0, 10)), schema=schema)
            writer.write_table(extra)
            rows += extra.num_rows
    finally:
        writer.close()
    return rows


def _parquet_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """zstd, dictionary pages only for low-cardinality columns, no statistics."""
    dictionary = [name for name in schema.names if name in DICTIONARY_COLUMNS]
    return pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=dictionary, write_statistics=False)
