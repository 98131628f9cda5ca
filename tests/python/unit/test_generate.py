"""Tests for customer_pyramid/synthetic/generate.py (synthetic raw CRM data)."""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from customer_pyramid.ingest.contract import load_contract
from customer_pyramid.synthetic.generate import COLUMNS, generate

END = datetime.date(2025, 12, 31)
START = END - datetime.timedelta(days=3 * 365)
TABLES = {name: list(columns) for name, columns in COLUMNS.items()}
STATUSES = {"completed", "cancelled", "refunded", "partially_refunded"}
ORDER_CHANNELS = {"online", "offline", "social", "other"}
KNOWN_EVENTS = {
    "site_visit",
    "app_session",
    "email_open",
    "email_click",
    "newsletter_subscribe",
    "brand_page_view",
    "social_follow",
    "review",
}
CURRENCY_OF = {"US": "USD", "CA": "USD", "GB": "GBP"}
EURO_COUNTRIES = {"DE", "FR", "NL", "ES", "IT", "IE", "AT", "BE", "PT", "FI"}

CUSTOMER_ID = re.compile(r"C\d{7}")
ORDER_ID = re.compile(r"O\d{8}")
PRODUCT_ID = re.compile(r"P\d{4}")
STORE_ID = re.compile(r"S\d{3}")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00:00")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MONEY = re.compile(r"\d+\.\d{2}")
RATE = re.compile(r"\d+\.\d{6}")
EMAIL = re.compile(r"[a-z]+\.[a-z]+\d+@example\.com")
PHONE = re.compile(r"\+\d{1,3}-555-\d{7}")


# ---------------------------------------------------------------- helpers


def read(folder: Path, table: str, fmt: str = "parquet") -> dict[str, list]:
    """Read one generated table as {column: values}, nulls as None."""
    if fmt == "parquet":
        return pq.read_table(folder / f"{table}.parquet").to_pydict()
    names = TABLES[table]
    options = pcsv.ConvertOptions(column_types={name: pa.string() for name in names}, strings_can_be_null=True)
    return pcsv.read_csv(folder / f"{table}.csv", convert_options=options).to_pydict()


def rows(data: dict[str, list]) -> list[tuple]:
    return list(zip(*data.values(), strict=True))


def parse_ts(text: str) -> datetime.datetime:
    assert TIMESTAMP.fullmatch(text), text
    value = datetime.datetime.fromisoformat(text)
    assert value.utcoffset() == datetime.timedelta(0)
    return value


def parse_date(text: str) -> datetime.date:
    assert DATE.fullmatch(text), text
    return datetime.date.fromisoformat(text)


def money(text: str) -> Decimal:
    assert MONEY.fullmatch(text), text
    return Decimal(text)


def net_revenue(orders: dict[str, list]) -> dict[str, Decimal]:
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    columns = (orders["customer_id"], orders["amount"], orders["refund_amount"], orders["status"])
    for cust, amount, refund, status in zip(*columns, strict=True):
        if status in ("completed", "partially_refunded"):
            revenue[cust] += Decimal(amount) - Decimal(refund)
    return revenue


def order_times(orders: dict[str, list]) -> dict[str, list[datetime.datetime]]:
    times: dict[str, list[datetime.datetime]] = defaultdict(list)
    for cust, ts in zip(orders["customer_id"], orders["ordered_at"], strict=True):
        times[cust].append(parse_ts(ts))
    return {cust: sorted(values) for cust, values in times.items()}


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("clean")
    return folder, generate(2000, folder)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("dirty")
    return folder, generate(2000, folder, bad_rows=True)


@pytest.fixture(scope="module")
def tables(clean: tuple[Path, dict[str, int]]) -> dict[str, dict[str, list]]:
    """The clean tables; orders and feedback with `customer_id` the customer each row belongs to
    (a store card's, marketplace order's or survey id's linked C... id) and `source_customer_id` as written."""
    data = {name: read(clean[0], name) for name in TABLES}
    links = data["customer_identities"]
    person = dict(zip(links["customer_id"], links["person_id"], strict=True))
    for name in ("orders", "feedback"):
        data[name] = {**data[name], "source_customer_id": data[name]["customer_id"]}
        data[name]["customer_id"] = [person.get(c, c) for c in data[name]["source_customer_id"]]
    return data


# ---------------------------------------------------------------- api and files


def test_unknown_format_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(50, tmp_path, fmt="xml")


def test_creates_missing_dir_and_reports_progress(tmp_path: Path) -> None:
    messages: list[str] = []
    out = tmp_path / "a" / "b"
    counts = generate(300, out, fmt="csv", progress=messages.append)
    assert set(counts) == set(TABLES)
    assert len(messages) == len(TABLES)
    for name in TABLES:
        assert (out / f"{name}.csv").exists()
        assert any(name in message for message in messages)


def test_counts_match_files(clean: tuple[Path, dict[str, int]], dirty: tuple[Path, dict[str, int]]) -> None:
    for folder, counts in (clean, dirty):
        for name in TABLES:
            assert pq.read_metadata(folder / f"{name}.parquet").num_rows == counts[name]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_same_arguments_give_identical_files(tmp_path: Path, fmt: str) -> None:
    first = generate(400, tmp_path / "one", fmt=fmt, bad_rows=True)
    second = generate(400, tmp_path / "two", fmt=fmt, bad_rows=True)
    assert first == second
    for name in TABLES:
        one = (tmp_path / "one" / f"{name}.{fmt}").read_bytes()
        assert one == (tmp_path / "two" / f"{name}.{fmt}").read_bytes()


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    generate(300, tmp_path / "a", fmt="csv")
    generate(300, tmp_path / "b", fmt="csv", seed=7)
    assert (tmp_path / "a" / "orders.csv").read_bytes() != (tmp_path / "b" / "orders.csv").read_bytes()


def test_columns_are_the_contract_columns() -> None:
    """Every generated table has every contract column, in contract order, but for the order_items
    columns of line-item-only data (customer_id, ordered_at, line_type): the generator writes orders."""
    contract = load_contract()
    assert set(TABLES) == set(contract)
    for name, columns in TABLES.items():
        expected = contract[name].column_names
        if name == "order_items":
            expected = [c for c in expected if c not in ("customer_id", "ordered_at", "line_type")]
        assert columns == expected, name


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_columns_match_contract(tmp_path: Path, fmt: str) -> None:
    generate(300, tmp_path, fmt=fmt)
    for name, columns in TABLES.items():
        if fmt == "parquet":
            schema = pq.read_schema(tmp_path / f"{name}.parquet")
            assert schema.names == columns
            assert all(field.type == pa.string() for field in schema)
        else:
            header = (tmp_path / f"{name}.csv").read_text().splitlines()[0]
            assert header == ",".join(columns)


def test_csv_and_parquet_have_same_content(tmp_path: Path) -> None:
    generate(300, tmp_path / "p", fmt="parquet", bad_rows=True)
    generate(300, tmp_path / "c", fmt="csv", bad_rows=True)
    for name in TABLES:
        assert read(tmp_path / "p", name) == read(tmp_path / "c", name, "csv")


def test_csv_quotes_only_when_needed(tmp_path: Path) -> None:
    generate(300, tmp_path, fmt="csv", bad_rows=True)
    lines = (tmp_path / "orders.csv").read_text().splitlines()
    assert lines[1].count('"') == 0
    assert any('"12,3x"' in line for line in lines)
    offline = next(line for line in lines if ",online," in line)
    assert offline.endswith(",")  # null store_id is an empty field


# ---------------------------------------------------------------- volumes


def test_row_counts_scale_with_customers(clean: tuple[Path, dict[str, int]]) -> None:
    counts = clean[1]
    assert counts["customers"] == 2000
    assert 16_000 <= counts["orders"] <= 24_000
    assert 50_000 <= counts["engagement_events"] <= 70_000
    assert counts["orders"] < counts["order_items"] <= 4 * counts["orders"]
    assert counts["fx_rates"] == 2 * (3 * 365 + 1 + 30)


def test_row_counts_grow_linearly(tmp_path: Path, clean: tuple[Path, dict[str, int]]) -> None:
    small = generate(500, tmp_path)
    for name in ("orders", "engagement_events", "order_items"):
        ratio = clean[1][name] / small[name]
        assert 3.0 < ratio < 5.0, (name, ratio)


# ---------------------------------------------------------------- formats


def test_order_values_parse(tables: dict[str, dict[str, list]]) -> None:
    orders = tables["orders"]
    assert len(set(orders["order_id"])) == len(orders["order_id"])
    for row in zip(*orders.values(), strict=True):
        order_id, cust, ordered_at, amount, status, refund, channel, currency, store, source = row
        assert ORDER_ID.fullmatch(order_id) and CUSTOMER_ID.fullmatch(cust)
        # a store card's id on card orders (offline), a per-order marketplace id (social), else the customer's
        assert source == cust or (source[0], channel) in (("L", "offline"), ("M", "social"))
        assert source[0] != "M" or source[1:] == order_id[1:]
        parse_ts(ordered_at)
        amount, refund = money(amount), money(refund)
        assert amount > 0
        assert status in STATUSES and channel in ORDER_CHANNELS
        assert currency in {"USD", "EUR", "GBP"}
        if status in ("completed", "cancelled"):
            assert refund == 0
        elif status == "refunded":
            assert refund == amount
        else:
            assert 0 < refund < amount
        if channel == "offline":
            assert STORE_ID.fullmatch(store)
        else:
            assert store is None


def test_customer_values_parse(tables: dict[str, dict[str, list]]) -> None:
    customers = tables["customers"]
    assert len(set(customers["customer_id"])) == len(customers["customer_id"])
    for row in zip(*customers.values(), strict=True):
        cust, email, phone, first, last, signup, country, city, birth, gender, acq, member, mkt = row
        assert CUSTOMER_ID.fullmatch(cust)
        assert EMAIL.fullmatch(email) and email.startswith(f"{first.lower()}.{last.lower()}")
        assert PHONE.fullmatch(phone)
        parse_ts(signup)
        assert country and city
        if birth is not None:
            assert datetime.date(1950, 1, 1) <= parse_date(birth) <= datetime.date(2006, 12, 31)
        assert gender in {"F", "M", "X", None}
        assert acq in {"organic", "paid_search", "social", "referral", "email", "offline"}
        assert member in {"true", "false"} and mkt in {"true", "false"}
    births = customers["birth_date"]
    assert 0.05 < births.count(None) / len(births) < 0.15
    assert 0.2 < customers["is_member"].count("true") / len(births) < 0.4
    assert 0.5 < customers["accepts_marketing"].count("true") / len(births) < 0.7
    assert len(set(customers["country"])) >= 6
    assert len(set(customers["email"])) == len(births)


def test_item_values_parse(tables: dict[str, dict[str, list]]) -> None:
    items = tables["order_items"]
    category_of: dict[str, str] = {}
    for order_id, product, category, quantity, price in zip(*items.values(), strict=True):
        assert ORDER_ID.fullmatch(order_id) and PRODUCT_ID.fullmatch(product)
        assert 1 <= int(product[1:]) <= 200
        assert category_of.setdefault(product, category) == category
        assert quantity in {"1", "2", "3"}
        assert money(price) > 0
    assert 6 <= len(set(category_of.values())) <= 10
    lines = Counter(items["order_id"])
    assert set(lines.values()) <= {1, 2, 3, 4}
    assert set(lines) == set(tables["orders"]["order_id"])


def test_event_values_parse(tables: dict[str, dict[str, list]]) -> None:
    events = tables["engagement_events"]
    for cust, occurred_at, event_type, channel in zip(*events.values(), strict=True):
        assert CUSTOMER_ID.fullmatch(cust)
        parse_ts(occurred_at)
        if event_type.startswith("email_"):
            assert channel == "email"
        elif event_type == "app_session":
            assert channel == "app"
        elif event_type == "social_follow":
            assert channel == "social"
        else:
            assert channel == "web"


def test_fx_rates(tables: dict[str, dict[str, list]]) -> None:
    fx = tables["fx_rates"]
    days: dict[str, list[datetime.date]] = defaultdict(list)
    for currency, rate_date, rate in zip(*fx.values(), strict=True):
        assert RATE.fullmatch(rate)
        base = {"EUR": 1.08, "GBP": 1.27}[currency]
        assert abs(float(rate) - base) < 0.25 * base
        days[currency].append(parse_date(rate_date))
    assert set(days) == {"EUR", "GBP"}
    expected = [START - datetime.timedelta(days=30) + datetime.timedelta(days=i) for i in range(3 * 365 + 31)]
    for dates in days.values():
        assert sorted(dates) == expected


# ---------------------------------------------------------------- consistency


def test_items_sum_to_order_amount(tables: dict[str, dict[str, list]]) -> None:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    items = tables["order_items"]
    for order_id, quantity, price in zip(items["order_id"], items["quantity"], items["unit_price"], strict=True):
        totals[order_id] += int(quantity) * Decimal(price)
    orders = tables["orders"]
    for order_id, amount in zip(orders["order_id"], orders["amount"], strict=True):
        assert totals[order_id] == Decimal(amount), order_id


def test_nothing_outside_window(tables: dict[str, dict[str, list]]) -> None:
    first = datetime.datetime.combine(START, datetime.time(), datetime.UTC)
    last = datetime.datetime.combine(END, datetime.time(23, 59, 59), datetime.UTC)
    stamps = (
        tables["orders"]["ordered_at"] + tables["engagement_events"]["occurred_at"] + tables["customers"]["signup_at"]
    )
    assert all(first <= parse_ts(ts) <= last for ts in stamps)
    assert max(parse_date(d) for d in tables["fx_rates"]["rate_date"]) == END


def test_references_and_currency(tables: dict[str, dict[str, list]]) -> None:
    customers = tables["customers"]
    country = dict(zip(customers["customer_id"], customers["country"], strict=True))
    for cust, currency in zip(tables["orders"]["customer_id"], tables["orders"]["currency"], strict=True):
        expected = CURRENCY_OF.get(country[cust], "EUR" if country[cust] in EURO_COUNTRIES else None)
        assert currency == expected
    assert set(tables["engagement_events"]["customer_id"]) <= set(country)
    assert len(set(tables["orders"]["currency"])) == 3


def test_signup_not_after_first_order(tables: dict[str, dict[str, list]]) -> None:
    signup = dict(zip(tables["customers"]["customer_id"], tables["customers"]["signup_at"], strict=True))
    for cust, times in order_times(tables["orders"]).items():
        assert parse_ts(signup[cust]) <= times[0]


def test_no_exact_duplicates_without_bad_rows(tables: dict[str, dict[str, list]]) -> None:
    for name, data in tables.items():
        all_rows = rows(data)
        assert len(set(all_rows)) == len(all_rows), name


# ---------------------------------------------------------------- behaviour


def test_prospect_share(tables: dict[str, dict[str, list]]) -> None:
    buyers = set(tables["orders"]["customer_id"])
    customers = tables["customers"]["customer_id"]
    prospects = [c for c in customers if c not in buyers]
    assert 0.11 < len(prospects) / len(customers) < 0.19
    engaged = set(tables["engagement_events"]["customer_id"])
    with_events = sum(c in engaged for c in prospects) / len(prospects)
    assert 0.6 < with_events < 0.98
    silent_buyers = sum(c not in engaged for c in buyers) / len(buyers)
    assert 0.01 < silent_buyers < 0.2


def test_top_fifth_of_buyers_hold_most_revenue(tables: dict[str, dict[str, list]]) -> None:
    revenue = sorted(net_revenue(tables["orders"]).values(), reverse=True)
    top = revenue[: len(revenue) // 5]
    assert 0.55 <= sum(top) / sum(revenue) <= 0.9


def test_one_time_buyers_and_heavy_tail(tables: dict[str, dict[str, list]]) -> None:
    per_customer = Counter(tables["orders"]["customer_id"])
    one_time = sum(n == 1 for n in per_customer.values()) / len(per_customer)
    assert 0.2 < one_time < 0.4
    assert max(per_customer.values()) > 50


def test_reactivated_customer_exists(tables: dict[str, dict[str, list]]) -> None:
    recent = datetime.datetime.combine(END, datetime.time(), datetime.UTC) - datetime.timedelta(days=120)
    reactivated = [
        cust
        for cust, times in order_times(tables["orders"]).items()
        if times[-1] >= recent and any(b - a > datetime.timedelta(days=365) for a, b in pairwise(times))
    ]
    assert len(reactivated) >= 20


def test_many_buyers_lapsed(tables: dict[str, dict[str, list]]) -> None:
    cutoff = datetime.datetime.combine(END, datetime.time(), datetime.UTC) - datetime.timedelta(days=180)
    last = [times[-1] for times in order_times(tables["orders"]).values()]
    lapsed = sum(t < cutoff for t in last) / len(last)
    assert 0.3 < lapsed < 0.85


def test_first_orders_spread_over_window(tables: dict[str, dict[str, list]]) -> None:
    years = Counter(times[0].year for times in order_times(tables["orders"]).values())
    assert all(years[y] > 200 for y in (2023, 2024, 2025))


def test_status_and_channel_mix(tables: dict[str, dict[str, list]]) -> None:
    orders = tables["orders"]
    status = Counter(orders["status"])
    total = len(orders["status"])
    assert 0.89 < status["completed"] / total < 0.95
    for name in ("cancelled", "refunded", "partially_refunded"):
        assert 0.005 < status[name] / total < 0.06
    channel = Counter(orders["channel"])
    assert channel.most_common(1)[0][0] == "online"
    assert set(channel) == ORDER_CHANNELS
    by_customer: dict[str, set[str]] = defaultdict(set)
    for cust, ch in zip(orders["customer_id"], orders["channel"], strict=True):
        by_customer[cust].add(ch)
    mixed = sum(len(chs) > 1 for chs in by_customer.values()) / len(by_customer)
    assert 0.1 < mixed < 0.6


def test_event_type_mix(tables: dict[str, dict[str, list]]) -> None:
    events = tables["engagement_events"]
    kinds = Counter(events["event_type"])
    total = sum(kinds.values())
    top_two = {kind for kind, _ in kinds.most_common(2)}
    assert top_two == {"site_visit", "email_open"}
    assert KNOWN_EVENTS <= set(kinds)
    unknown = sum(n for kind, n in kinds.items() if kind not in KNOWN_EVENTS)
    assert 0 < unknown / total < 0.01
    assert kinds["review"] / total < 0.05
    once = Counter(
        (cust, kind)
        for cust, kind in zip(events["customer_id"], events["event_type"], strict=True)
        if kind in ("newsletter_subscribe", "social_follow")
    )
    assert sum(n > 1 for n in once.values()) / len(once) < 0.05


def test_events_cluster_around_orders(tables: dict[str, dict[str, list]]) -> None:
    times = order_times(tables["orders"])
    events = tables["engagement_events"]
    near, total = 0, 0
    for cust, occurred_at in zip(events["customer_id"], events["occurred_at"], strict=True):
        if cust in times:
            total += 1
            ts = parse_ts(occurred_at)
            near += any(abs(ts - t) <= datetime.timedelta(days=7) for t in times[cust][:60])
    assert near / total > 0.4


# ---------------------------------------------------------------- bad rows


def test_bad_rows_are_appended_after_clean_rows(
    clean: tuple[Path, dict[str, int]], dirty: tuple[Path, dict[str, int]]
) -> None:
    for name in TABLES:
        good = rows(read(clean[0], name))
        bad = rows(read(dirty[0], name))
        assert bad[: len(good)] == good
        assert 1 <= len(bad) - len(good) <= 20


def extra_rows(clean: tuple[Path, dict[str, int]], dirty: tuple[Path, dict[str, int]], name: str) -> list[dict]:
    data = read(dirty[0], name)
    start = clean[1][name]
    return [dict(zip(data, row, strict=True)) for row in rows(data)[start:]]


def exact_duplicates(folder: Path, name: str) -> int:
    counts = Counter(rows(read(folder, name)))
    return sum(n - 1 for n in counts.values())


def unparseable_ts(text: str | None) -> bool:
    try:
        parse_ts(text)
    except (AssertionError, TypeError, ValueError):
        return True
    return False


def test_bad_orders(clean: tuple[Path, dict[str, int]], dirty: tuple[Path, dict[str, int]]) -> None:
    extra = extra_rows(clean, dirty, "orders")
    customers = set(read(dirty[0], "customers")["customer_id"])
    assert any(r["order_id"] is None for r in extra)
    assert any(r["customer_id"] is None for r in extra)
    assert any(r["ordered_at"] == "2025-13-45 99:00" for r in extra)
    assert any(r["ordered_at"] and r["ordered_at"].startswith("2099") for r in extra)
    assert any(r["amount"].startswith("-") for r in extra)
    assert any(r["amount"] == "12,3x" for r in extra)
    assert any(
        MONEY.fullmatch(r["amount"])
        and MONEY.fullmatch(r["refund_amount"])
        and Decimal(r["refund_amount"]) > Decimal(r["amount"])
        for r in extra
    )
    assert any(r["refund_amount"].startswith("-") for r in extra)
    assert any(r["status"] == "shipped" for r in extra)
    assert any(r["currency"] == "XYZ" for r in extra)
    assert any(r["customer_id"] == "C9999999" and r["customer_id"] not in customers for r in extra)
    assert exact_duplicates(dirty[0], "orders") == 3
    ids = read(dirty[0], "orders")
    amounts: dict[str, set[str]] = defaultdict(set)
    for order_id, amount in zip(ids["order_id"], ids["amount"], strict=True):
        amounts[order_id].add(amount)
    assert sum(len(a) > 1 for oid, a in amounts.items() if oid) == 1
    assert all(ORDER_ID.fullmatch(r["order_id"]) for r in extra if r["order_id"])


def test_bad_customers(clean: tuple[Path, dict[str, int]], dirty: tuple[Path, dict[str, int]]) -> None:
    extra = extra_rows(clean, dirty, "customers")
    assert any(r["customer_id"] is None for r in extra)
    assert any(unparseable_ts(r["signup_at"]) for r in extra)
    assert exact_duplicates(dirty[0], "customers") == 2
    emails: dict[str, set[str]] = defaultdict(set)
    data = read(dirty[0], "customers")
    for cust, email in zip(data["customer_id"], data["email"], strict=True):
        emails[cust].add(email)
    assert sum(len(e) > 1 for c, e in emails.items() if c) == 1


def test_bad_items(clean: tuple[Path, dict[str, int]], dirty: tuple[Path, dict[str, int]]) -> None:
    extra = extra_rows(clean, dirty, "order_items")
    orders = set(read(dirty[0], "orders")["order_id"])
    assert any(r["order_id"] is None for r in extra)
    assert any(r["order_id"] and r["order_id"] not in orders for r in extra)
    assert any(not r["quantity"].isdigit() for r in extra)
    assert any(r["unit_price"].startswith("-") for r in extra)
    assert exact_duplicates(dirty[0], "order_items") == 2


def test_bad_events(clean: tuple[Path, dict[str, int]], dirty: tuple[Path, dict[str, int]]) -> None:
    extra = extra_rows(clean, dirty, "engagement_events")
    assert any(r["customer_id"] is None for r in extra)
    assert any(r["event_type"] is None for r in extra)
    assert any(unparseable_ts(r["occurred_at"]) for r in extra)
    assert any(r["occurred_at"].startswith("2099") for r in extra)
    assert exact_duplicates(dirty[0], "engagement_events") == 3


def test_bad_fx_rates(clean: tuple[Path, dict[str, int]], dirty: tuple[Path, dict[str, int]]) -> None:
    extra = extra_rows(clean, dirty, "fx_rates")
    assert any(Decimal(r["rate"]) <= 0 for r in extra)

    def bad_date(text: str) -> bool:
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            return True
        return False

    assert any(bad_date(r["rate_date"]) for r in extra)
    assert exact_duplicates(dirty[0], "fx_rates") == 1


def test_bad_identities_and_feedback(clean: tuple[Path, dict[str, int]], dirty: tuple[Path, dict[str, int]]) -> None:
    links = extra_rows(clean, dirty, "customer_identities")
    assert any(r["person_id"] is None for r in links) and any(r["customer_id"] is None for r in links)
    assert exact_duplicates(dirty[0], "customer_identities") == 1
    answers = extra_rows(clean, dirty, "feedback")
    assert any(r["customer_id"] is None for r in answers)
    assert any(r["score"] == "five" for r in answers)
    assert any(r["score"] == "11" and r["scale"] == "nps" for r in answers)
    assert any(r["scale"] == "thumbs" for r in answers)
    assert any((r["occurred_at"] or "").startswith("2099") for r in answers)
    assert exact_duplicates(dirty[0], "feedback") == 1


# ---------------------------------------------------------------- linked ids and feedback


def test_linked_ids_belong_to_customers(tables: dict[str, dict[str, list]]) -> None:
    customers = set(tables["customers"]["customer_id"])
    links = tables["customer_identities"]
    assert set(links["person_id"]) <= customers
    prefixes = {"store_card": "L", "marketplace": "M", "survey": "R"}
    for source, system in zip(links["customer_id"], links["system"], strict=True):
        assert source[0] == prefixes[system] and len(source) == (9 if system == "marketplace" else 8)
    assert len(set(links["customer_id"])) == len(links["customer_id"])  # one person per linked id
    written = set(tables["orders"]["source_customer_id"]) | set(tables["feedback"]["source_customer_id"])
    assert {c for c in written if c[0] != "C"} == set(links["customer_id"])  # every linked id is used
    # each store card belongs to one customer, each marketplace id to one order
    marketplace = [c for c in tables["orders"]["source_customer_id"] if c[0] == "M"]
    assert len(marketplace) == len(set(marketplace)) > 0
    cards = {c for c in tables["orders"]["source_customer_id"] if c[0] == "L"}
    assert 0.05 * len(customers) < len(cards) < 0.2 * len(customers)


def test_feedback_answers_follow_an_order(tables: dict[str, dict[str, list]]) -> None:
    feedback, times = tables["feedback"], order_times(tables["orders"])
    ranges = {"nps": range(0, 11), "stars": range(1, 6), "csat": range(1, 6)}
    channels = {"nps": "survey", "stars": "review_site", "csat": "email"}
    for cust, occurred_at, score, scale, channel in zip(
        feedback["customer_id"],
        feedback["occurred_at"],
        feedback["score"],
        feedback["scale"],
        feedback["channel"],
        strict=True,
    ):
        assert int(score) in ranges[scale] and channels[scale] == channel
        answered = parse_ts(occurred_at)
        assert any(datetime.timedelta(0) <= answered - t <= datetime.timedelta(days=10) for t in times[cust])
    respondents = set(feedback["customer_id"])
    assert 0.25 * len(times) < len(respondents) < 0.45 * len(times)  # about a third of the buyers
    assert Counter(feedback["scale"]).most_common(1)[0][0] == "nps"


def test_detractors_are_likelier_close_to_the_last_order(tables: dict[str, dict[str, list]]) -> None:
    """The pattern the churn-risk backtest looks for: answers within 120 days before a customer's
    last order (of customers who then stop) are detractors more often than the others."""
    times = order_times(tables["orders"])
    end = datetime.datetime(2025, 12, 31, tzinfo=datetime.UTC) - datetime.timedelta(days=180)
    feedback = tables["feedback"]
    near, far = [], []
    for cust, occurred_at, score, scale in zip(
        feedback["customer_id"], feedback["occurred_at"], feedback["score"], feedback["scale"], strict=True
    ):
        last = max(times[cust])
        detractor = int(score) <= (6 if scale == "nps" else 3)
        if last < end:
            (near if last - parse_ts(occurred_at) < datetime.timedelta(days=120) else far).append(detractor)
    assert sum(near) / len(near) > 1.5 * sum(far) / len(far)
