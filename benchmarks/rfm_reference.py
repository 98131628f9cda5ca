"""The RFM table written by hand three ways (one DuckDB query, polars, pandas), and the floor (one
group-by scan of the orders), for the scale benchmark to time against `runner.py build --select
+fct_customer_rfm`. Each reads the generated Parquet files directly.

The rule is the project's (docs/decisions.md, macros/segmentation/rfm_*.sql) for clean input, which is
what `runner.py generate` writes without --bad-rows: a valid order has status completed or
partially_refunded (no status = completed); its date is the calendar date of ordered_at in the
reporting time zone; money converts to the reporting currency at the rate of the latest fx date on or
before the order date (before a currency's first rate, its earliest rate), amounts and refunds each
rounded to 4 decimals; the as-of date is the latest valid order date. Per buyer: recency = days since
the last valid order, frequency = valid orders and monetary = net revenue in the rfm_window_days up
to the as-of date. Scores: recency and monetary by quantile (1 + 5 * buyers strictly worse div
buyers), frequency by the fixed cut points; the segment from the R x F grid of
seeds/rules/rfm_segments.csv. The project's quarantine and duplicate rules are not repeated here: the
benchmark's data has no bad rows, and the comparison checks that the results agree. Identity: the
generator links each store-card, marketplace and survey id (L..., M..., R...) to the customer's own
id (C..., the smallest of the group), one level deep, so an order's person is the linked person_id,
else its own customer_id.

Money is exact everywhere: DuckDB decimals, and in polars and pandas integers in units of 1e-4.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from customer_pyramid.settings import project_var

ROOT = Path(__file__).resolve().parent.parent
VALID_STATUSES = ("completed", "partially_refunded")
COLUMNS = ("customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_segment")
MONEY_UNITS = 10_000  # money as integers of 1e-4, the scale of the project's money type
IDENTITIES = "customer_identities.parquet"  # optional: without it, every id is its own customer


@dataclass(frozen=True)
class Rule:
    """The RFM settings the references implement, read from dbt_project.yml."""

    window_days: int
    frequency_cut_points: tuple[int, ...]
    reporting_currency: str
    reporting_time_zone: str
    grid: tuple[tuple[str, int, int, int, int], ...]  # segment, r_min, r_max, f_min, f_max

    @classmethod
    def from_project(cls) -> Rule:
        methods = tuple(project_var(f"rfm_{name}_method") for name in ("recency", "frequency", "monetary"))
        if methods != ("quantile", "fixed", "quantile"):
            raise SystemExit(f"the hand-written references implement the default RFM methods, not {methods}")
        with open(ROOT / "seeds" / "rules" / "rfm_segments.csv", newline="") as handle:
            grid = tuple(
                (row["rfm_segment"], int(row["r_min"]), int(row["r_max"]), int(row["f_min"]), int(row["f_max"]))
                for row in csv.DictReader(handle)
            )
        return cls(
            window_days=int(project_var("rfm_window_days")),
            frequency_cut_points=tuple(int(value) for value in project_var("rfm_frequency_cut_points")),
            reporting_currency=str(project_var("reporting_currency")),
            reporting_time_zone=str(project_var("reporting_time_zone")),
            grid=grid,
        )

    def segment(self, r_score: int, f_score: int) -> str | None:
        for name, r_min, r_max, f_min, f_max in self.grid:
            if r_min <= r_score <= r_max and f_min <= f_score <= f_max:
                return name
        return None


def duckdb_connection(threads: int, memory_limit: str):
    import duckdb

    connection = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit})
    connection.execute("set TimeZone = 'UTC'")
    return connection


def floor(data_dir: Path, threads: int, memory_limit: str) -> int:
    """One group-by scan of the orders: the least any per-customer result can cost. Returns groups."""
    connection = duckdb_connection(threads, memory_limit)
    return connection.execute(
        "select count(*) from (select customer_id, count(*), max(ordered_at), sum(cast(amount as decimal(18, 2))) "
        "from read_parquet(?) group by customer_id)",
        [str(data_dir / "orders.parquet")],
    ).fetchone()[0]


def rfm_duckdb(data_dir: Path, rule: Rule, threads: int, memory_limit: str) -> list[tuple]:
    connection = duckdb_connection(threads, memory_limit)
    grid = " ".join(
        f"when r_score between {r_min} and {r_max} and f_score between {f_min} and {f_max} then '{name}'"
        for name, r_min, r_max, f_min, f_max in rule.grid
    )
    f_score = " + ".join(f"(frequency >= {cut})::int" for cut in rule.frequency_cut_points) or "0"
    identities = data_dir / IDENTITIES
    links = (
        "select distinct customer_id, person_id from read_parquet($identities)"
        if identities.exists()
        else "select null as customer_id, null as person_id where false"
    )
    sql = f"""
    with links as (
        {links}
    ),
    valid as (
        select
            coalesce(links.person_id, orders.customer_id) as customer_id,
            cast(timezone($zone, cast(ordered_at as timestamptz)) as date) as order_date,
            upper(coalesce(currency, $currency)) as currency,
            cast(amount as decimal(18, 4)) as amount,
            coalesce(cast(refund_amount as decimal(18, 4)), 0) as refund
        from read_parquet($orders) as orders
        left join links on orders.customer_id = links.customer_id
        where coalesce(status, 'completed') in {VALID_STATUSES}
    ),
    rates as (
        select upper(currency) as currency, cast(rate_date as date) as rate_date, cast(rate as decimal(18, 8)) as rate
        from read_parquet($fx)
    ),
    first_rates as (
        select currency, arg_min(rate, rate_date) as rate from rates group by currency
    ),
    converted as (
        select
            valid.customer_id,
            valid.order_date,
            round(valid.amount * coalesce(rates.rate, first_rates.rate), 4)
                - round(valid.refund * coalesce(rates.rate, first_rates.rate), 4) as net
        from valid
        asof left join rates on valid.currency = rates.currency and valid.order_date >= rates.rate_date
        left join first_rates on valid.currency = first_rates.currency
        where valid.currency != $currency
        union all
        select customer_id, order_date, amount - refund from valid where currency = $currency
    ),
    as_of as (select max(order_date) as as_of_date from converted),
    buyers as (
        select
            customer_id,
            as_of_date - max(order_date) as recency_days,
            count(*) filter (where order_date > as_of_date - {rule.window_days}) as frequency,
            coalesce(sum(net) filter (where order_date > as_of_date - {rule.window_days}), 0) as monetary
        from converted, as_of
        group by customer_id, as_of_date
    ),
    scored as (
        select
            *,
            1 + (5 * (rank() over (order by recency_days desc) - 1)) // count(*) over () as r_score,
            1 + {f_score} as f_score,
            1 + (5 * (rank() over (order by monetary) - 1)) // count(*) over () as m_score
        from buyers
    )
    select
        customer_id, recency_days, frequency, monetary, r_score, f_score, m_score,
        case {grid} end as rfm_segment
    from scored
    """
    parameters = {
        "zone": rule.reporting_time_zone,
        "currency": rule.reporting_currency,
        "orders": str(data_dir / "orders.parquet"),
        "fx": str(data_dir / "fx_rates.parquet"),
    }
    if identities.exists():
        parameters["identities"] = str(identities)
    return [normalise(row) for row in connection.execute(sql, parameters).fetchall()]


def rfm_polars(data_dir: Path, rule: Rule) -> list[tuple]:
    import polars as pl

    links = (
        pl.scan_parquet(data_dir / IDENTITIES).select("customer_id", "person_id").unique()
        if (data_dir / IDENTITIES).exists()
        else pl.LazyFrame(schema={"customer_id": pl.String, "person_id": pl.String})
    )
    orders = (
        pl.scan_parquet(data_dir / "orders.parquet")
        .filter(pl.col("status").fill_null("completed").is_in(VALID_STATUSES))
        .join(links, on="customer_id", how="left")
        .select(
            pl.coalesce("person_id", "customer_id").alias("customer_id"),
            pl.col("ordered_at")
            .str.to_datetime(time_zone="UTC")
            .dt.convert_time_zone(rule.reporting_time_zone)
            .dt.date()
            .alias("order_date"),
            pl.col("currency").str.to_uppercase().fill_null(rule.reporting_currency).alias("currency"),
            _polars_units(pl.col("amount"), 100).alias("amount"),
            _polars_units(pl.col("refund_amount"), 100).fill_null(0).alias("refund"),
        )
    )
    rates = pl.scan_parquet(data_dir / "fx_rates.parquet").select(
        pl.col("currency").str.to_uppercase(),
        pl.col("rate_date").str.to_date(),
        _polars_units(pl.col("rate"), 1_000_000).alias("rate"),
    )
    first_rates = rates.group_by("currency").agg(pl.col("rate").sort_by("rate_date").first().alias("first_rate"))
    foreign = (
        orders.filter(pl.col("currency") != rule.reporting_currency)
        .sort("order_date")
        .join_asof(
            rates.sort("rate_date"), left_on="order_date", right_on="rate_date", by="currency", check_sortedness=False
        )
        .join(first_rates, on="currency", how="left")
        .with_columns(pl.coalesce("rate", "first_rate").alias("rate"))
    )
    # cents x rate in 1e-6 = 1e-8 units; to 1e-4 units rounding half up (the amounts are not negative)
    to_units = 10**8 // MONEY_UNITS
    converted = pl.concat(
        [
            foreign.select(
                "customer_id",
                "order_date",
                (
                    (pl.col("amount") * pl.col("rate") + to_units // 2) // to_units
                    - (pl.col("refund") * pl.col("rate") + to_units // 2) // to_units
                ).alias("net"),
            ),
            orders.filter(pl.col("currency") == rule.reporting_currency).select(
                "customer_id", "order_date", ((pl.col("amount") - pl.col("refund")) * (MONEY_UNITS // 100)).alias("net")
            ),
        ]
    )
    as_of = pl.col("order_date").max()
    in_window = pl.col("order_date") > as_of - pl.duration(days=rule.window_days)
    buyers = (
        converted.with_columns(as_of.alias("as_of_date"))
        .with_columns(in_window.alias("in_window"))
        .group_by("customer_id")
        .agg(
            (pl.col("as_of_date").first() - pl.col("order_date").max()).dt.total_days().alias("recency_days"),
            pl.col("in_window").sum().alias("frequency"),
            pl.col("net").filter(pl.col("in_window")).sum().alias("monetary"),
        )
    )
    buyer_count = pl.len()
    f_score = pl.lit(1)
    for cut in rule.frequency_cut_points:
        f_score = f_score + (pl.col("frequency") >= cut).cast(pl.Int64)
    scored = buyers.with_columns(
        (1 + (5 * (pl.col("recency_days").rank("min", descending=True) - 1)) // buyer_count).alias("r_score"),
        f_score.alias("f_score"),
        (1 + (5 * (pl.col("monetary").rank("min") - 1)) // buyer_count).alias("m_score"),
    ).collect()
    return [
        normalise((*row, rule.segment(row[4], row[5])), money_units=True)
        for row in scored.select(*COLUMNS[:-1]).iter_rows()
    ]


def _polars_units(column, scale: int):
    """Decimal text -> integer units of 1/scale."""
    import polars as pl

    return (column.cast(pl.Float64) * scale).round(0).cast(pl.Int64)


def rfm_pandas(data_dir: Path, rule: Rule) -> list[tuple]:
    import pandas as pd

    orders = pd.read_parquet(
        data_dir / "orders.parquet",
        columns=["customer_id", "ordered_at", "status", "amount", "refund_amount", "currency"],
    )
    orders = orders[orders["status"].fillna("completed").isin(VALID_STATUSES)]
    links = (
        pd.read_parquet(data_dir / IDENTITIES, columns=["customer_id", "person_id"])
        if (data_dir / IDENTITIES).exists()
        else pd.DataFrame({"customer_id": pd.Series(dtype=str), "person_id": pd.Series(dtype=str)})
    )
    person = links.drop_duplicates().set_index("customer_id")["person_id"]
    frame = pd.DataFrame(
        {
            "customer_id": orders["customer_id"].map(person).fillna(orders["customer_id"]).to_numpy(),
            "order_date": pd.to_datetime(orders["ordered_at"], utc=True, format="ISO8601")
            .dt.tz_convert(rule.reporting_time_zone)
            .dt.tz_localize(None)
            .dt.normalize()
            .to_numpy(),
            "currency": orders["currency"].str.upper().fillna(rule.reporting_currency).to_numpy(),
            "amount": _pandas_units(orders["amount"], 100).to_numpy(),
            "refund": _pandas_units(orders["refund_amount"], 100).fillna(0).astype("int64").to_numpy(),
        }
    )
    rates = pd.read_parquet(data_dir / "fx_rates.parquet")
    rates = pd.DataFrame(
        {
            "currency": rates["currency"].str.upper(),
            "rate_date": pd.to_datetime(rates["rate_date"]).astype(frame["order_date"].dtype),
            "rate": _pandas_units(rates["rate"], 1_000_000),
        }
    ).sort_values("rate_date")
    first_rates = rates.groupby("currency")["rate"].first().rename("first_rate")
    foreign = frame[frame["currency"] != rule.reporting_currency].sort_values("order_date")
    foreign = pd.merge_asof(foreign, rates, left_on="order_date", right_on="rate_date", by="currency")
    foreign = foreign.join(first_rates, on="currency")
    rate = foreign["rate"].fillna(foreign["first_rate"]).astype("int64")
    to_units = 10**8 // MONEY_UNITS
    foreign_net = (foreign["amount"] * rate + to_units // 2) // to_units - (
        foreign["refund"] * rate + to_units // 2
    ) // to_units
    home = frame[frame["currency"] == rule.reporting_currency]
    converted = pd.concat(
        [
            pd.DataFrame(
                {"customer_id": foreign["customer_id"], "order_date": foreign["order_date"], "net": foreign_net}
            ),
            pd.DataFrame(
                {
                    "customer_id": home["customer_id"],
                    "order_date": home["order_date"],
                    "net": (home["amount"] - home["refund"]) * (MONEY_UNITS // 100),
                }
            ),
        ],
        ignore_index=True,
    )
    as_of = converted["order_date"].max()
    converted["in_window"] = converted["order_date"] > as_of - pd.Timedelta(days=rule.window_days)
    converted["window_net"] = converted["net"].where(converted["in_window"], 0)
    buyers = converted.groupby("customer_id").agg(
        last_date=("order_date", "max"), frequency=("in_window", "sum"), monetary=("window_net", "sum")
    )
    buyers["recency_days"] = (as_of - buyers["last_date"]).dt.days
    count = len(buyers)
    buyers["r_score"] = (
        1 + (5 * (buyers["recency_days"].rank(method="min", ascending=False).astype("int64") - 1)) // count
    )
    buyers["f_score"] = 1 + sum((buyers["frequency"] >= cut).astype("int64") for cut in rule.frequency_cut_points)
    buyers["m_score"] = 1 + (5 * (buyers["monetary"].rank(method="min").astype("int64") - 1)) // count
    rows = buyers.reset_index()[list(COLUMNS[:-1])].itertuples(index=False, name=None)
    return [normalise((*row, rule.segment(row[4], row[5])), money_units=True) for row in rows]


def _pandas_units(column, scale: int):
    import pandas as pd

    return (pd.to_numeric(column) * scale).round(0).astype("Int64")


def normalise(row: tuple, money_units: bool = False) -> tuple:
    """One result row in a form every engine's output compares equal in: money as text with 4 decimals."""
    customer_id, recency, frequency, monetary, r_score, f_score, m_score, segment = row
    if money_units:
        units = int(monetary)
        sign = "-" if units < 0 else ""
        monetary = f"{sign}{abs(units) // MONEY_UNITS}.{abs(units) % MONEY_UNITS:04d}"
    else:
        monetary = f"{monetary:.4f}"
    return (
        str(customer_id),
        int(recency),
        int(frequency),
        monetary,
        int(r_score),
        int(f_score),
        int(m_score),
        segment,
    )


def preload(engine: str) -> None:
    """Import an engine's library before the clock starts (imports are not what is compared)."""
    __import__({"duckdb": "duckdb", "polars": "polars", "pandas": "pandas"}[engine])


ENGINES = {
    "duckdb": lambda data_dir, rule, threads, memory_limit: rfm_duckdb(data_dir, rule, threads, memory_limit),
    "polars": lambda data_dir, rule, threads, memory_limit: rfm_polars(data_dir, rule),
    "pandas": lambda data_dir, rule, threads, memory_limit: rfm_pandas(data_dir, rule),
}
