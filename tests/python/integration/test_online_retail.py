"""Proof on a real, messy invoice-line log: UCI Online Retail, built through the example mapping and
checked against a plain-Python computation from the raw parquet (no SQL, no shared code): buyers,
each buyer's net revenue and order count, the revenue reconciliation to the penny, and RFM for every
buyer. The rules recomputed here are the documented ones: exact duplicate lines collapse; lines
priced at zero or less are excluded adjustment lines; lines without a customer are guest checkouts;
lines of invoices starting with C, or with a negative quantity, are returns that reduce net revenue;
an order is one invoice of one customer with at least one sale line."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from basket_oracle import VARS, assert_top_pairs_match, pair_statistics
from conftest import PROJECT_DIR, SHARED_DATA, built

DATA = SHARED_DATA / "online_retail"
MAPPING = PROJECT_DIR / "examples" / "online_retail" / "mapping.yml"
# What the Online Retail II test reads: the customer 360 and the data-quality mart (and all they need).
CUSTOMERS_AND_QUALITY = ["--select", "+dim_customers", "+mart_data_quality", "--indirect-selection", "cautious"]


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return built(
        ["build", "--data-dir", str(DATA), "--mapping", str(MAPPING)], tmp_path_factory.mktemp("retail") / "w.duckdb"
    )


def money(value: float) -> Decimal:
    return Decimal(repr(value))


def raw_lines():
    """The raw file's lines: invoice, stock code, quantity, invoice date, unit price, customer id."""
    table = pq.read_table(DATA / "online_retail.parquet").to_pydict()
    columns = ("InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID")
    return zip(*(table[column] for column in columns), strict=True)


@pytest.fixture(scope="module")
def oracle():
    source_total = Decimal(0)
    lines = set()
    for invoice, stock, quantity, when, price, customer in raw_lines():
        source_total += quantity * money(price)
        customer_id = None if customer is None else str(int(customer))
        lines_key = (invoice, stock, quantity, money(price), customer_id, when)
        if lines_key in lines:
            continue
        lines.add(lines_key)
    buckets = defaultdict(Decimal)
    revenue = defaultdict(Decimal)
    orders = defaultdict(set)
    for invoice, _stock, quantity, price, customer_id, _when in lines:
        amount = quantity * price
        if price <= 0 or quantity == 0:
            buckets["excluded_adjustment_line"] += amount
        elif customer_id is None:
            buckets["guest_checkout"] += amount
        else:
            is_return = quantity < 0 or invoice.startswith("C")
            amount = -abs(amount) if is_return else amount
            buckets["customers"] += amount
            revenue[customer_id] += amount
            if not is_return:
                orders[customer_id].add(invoice)
    return {
        "source_total": source_total,
        "distinct_lines": len(lines),
        "buckets": buckets,
        "revenue": revenue,
        "orders": orders,
    }


@pytest.mark.xdist_group("online_retail")
def test_buyers_revenue_and_orders_match(build, oracle):
    rows = build.query(
        "select customer_id, lifetime_net_revenue, lifetime_orders from marts.dim_customers where is_buyer"
    )
    from_marts = {customer: (revenue, orders) for customer, revenue, orders in rows}
    expected = {customer: (oracle["revenue"][customer], len(orders)) for customer, orders in oracle["orders"].items()}
    assert len(from_marts) == len(expected) == 4338
    assert from_marts == expected


@pytest.mark.xdist_group("online_retail")
def test_revenue_reconciles_to_the_penny(build, oracle):
    outcomes = dict(
        build.query(
            "select coalesce(reason, outcome), sum(net_amount) from marts.mart_data_quality "
            "where table_name = 'order_items' group by 1"
        )
    )
    buckets = oracle["buckets"]
    assert outcomes["in_scope"] == buckets["customers"]
    assert outcomes["guest_checkout"] == buckets["guest_checkout"]
    assert outcomes["excluded_adjustment_line"] == buckets["excluded_adjustment_line"]
    # source = customer revenue + guest revenue + excluded adjustment lines + repeated copies of lines
    assert sum(outcomes.values()) == oracle["source_total"]
    assert set(outcomes) == {"in_scope", "guest_checkout", "excluded_adjustment_line", "duplicate_collapsed"}


@pytest.mark.xdist_group("online_retail")
def test_every_buyer_has_rfm_scores_and_a_segment(build, oracle):
    rows = build.query("select count(*), count(rfm_segment), min(r_score), max(m_score) from marts.fct_customer_rfm")
    assert rows[0][0] == rows[0][1] == len(oracle["orders"])
    assert rows[0][2] >= 1 and rows[0][3] <= 5


@pytest.mark.xdist_group("online_retail")
def test_data_quality_explains_every_row(build, oracle):
    rows = dict(build.query("select outcome, sum(row_count) from marts.mart_data_quality group by 1"))
    assert sum(rows.values()) == 541909
    assert 541909 - rows["duplicate_collapsed"] == oracle["distinct_lines"]


@pytest.mark.xdist_group("online_retail")
def test_the_runner_prints_rows_and_revenue_per_file_and_reason(build, oracle):
    assert build.query("select distinct source_file from marts.mart_data_quality") == [("online_retail.parquet",)]
    assert "(online_retail.parquet)" in build.stdout
    assert f"revenue {oracle['source_total']:,.2f} = " in build.stdout
    assert f"guest_checkout  revenue {oracle['buckets']['guest_checkout']:,.2f}" in build.stdout


def online_retail_baskets(as_of: datetime.date) -> dict[str, set[str]]:
    """Stock codes per invoice of the basket window, from the raw parquet: sale lines (price and
    quantity above zero, invoice not starting with C) of known customers."""
    start = as_of - datetime.timedelta(days=VARS["basket_window_days"])
    baskets = defaultdict(set)
    for invoice, stock, quantity, when, price, customer in raw_lines():
        if customer is None or price <= 0 or quantity <= 0 or invoice.startswith("C"):
            continue
        if start < when.date() <= as_of:
            baskets[invoice].add(stock)
    return baskets


@pytest.mark.xdist_group("online_retail")
def test_online_retail_pairs_equal_a_recomputation_from_the_raw_file(build) -> None:
    run = build
    as_of = run.query("select as_of_date from intermediate.int_as_of_date")[0][0]
    expected = pair_statistics(online_retail_baskets(as_of))
    assert len(expected) > 1000
    assert_top_pairs_match(run, "fct_product_pairs", "product", expected)


@pytest.mark.xdist_group("online_retail")
def test_online_retail_ii_workbook_with_a_sheet_per_year_gives_the_same_buyers(tmp_path, oracle):
    """UCI's Excel layout, read as it is: a workbook with one sheet per year (numbers, dates and the
    float customer ids Excel stores), written here from every 25th customer's lines of the shared
    Online Retail data, through examples/online_retail_ii/mapping.yml. Each buyer's revenue and orders
    equal the plain-Python oracle's."""
    import openpyxl

    table = pq.read_table(DATA / "online_retail.parquet").to_pylist()
    workbook = openpyxl.Workbook(write_only=True)
    header = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]
    sheets = {name: workbook.create_sheet(name) for name in ("Year 2009-2010", "Year 2010-2011")}
    for sheet in sheets.values():
        sheet.append(header)
    chosen = set()
    for row in table:
        if row["CustomerID"] is None or int(row["CustomerID"]) % 25:
            continue
        chosen.add(str(int(row["CustomerID"])))
        year = "Year 2009-2010" if row["InvoiceDate"] < datetime.datetime(2010, 12, 1) else "Year 2010-2011"
        sheets[year].append(
            [row["InvoiceNo"], row["StockCode"], row["Description"], row["Quantity"], row["InvoiceDate"],
             row["UnitPrice"], float(row["CustomerID"]), row["Country"]]
        )  # fmt: skip
    data = tmp_path / "data"
    data.mkdir()
    workbook.save(data / "online_retail_II.xlsx")
    mapping = PROJECT_DIR / "examples" / "online_retail_ii" / "mapping.yml"
    last_day = max(row["InvoiceDate"] for row in table).date().isoformat()
    run = built(
        # the CSV build of the same lines runs every data test
        [
            "build",
            "--data-dir",
            str(data),
            "--mapping",
            str(mapping),
            "--as-of",
            last_day,
            "--data-tests",
            "invariants",
        ],
        tmp_path / "w.duckdb",
        ["--select", "+dim_customers", "--indirect-selection", "cautious"],
    )
    assert "Found online_retail_II.xlsx (2 sheets)" in run.stdout
    rows = run.query(
        "select customer_id, lifetime_net_revenue, lifetime_orders from marts.dim_customers where is_buyer"
    )
    expected = {
        customer: (oracle["revenue"][customer], len(oracle["orders"][customer]))
        for customer in chosen
        if customer in oracle["orders"]
    }
    assert len(expected) > 100
    assert {customer: (revenue, orders) for customer, revenue, orders in rows} == expected
