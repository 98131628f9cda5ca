"""`runner.py backtest`: the backtest marts against a plain-Python recomputation, on the demo data and
on the CDNOW sample. The segments of the as-of date are read from the marts (they are what is being
judged, and are tested elsewhere); what followed is counted here from the orders themselves: the
demo's staged orders, CDNOW's file as published."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pytest
from conftest import CDNOW, CDNOW_CALIBRATION_END, PROJECT_DIR, built
from identity_oracle import feedback_summaries, person_of, staged_person_map
from scipy import special, stats

SEGMENTATIONS = ("rfm_segment", "lifecycle_stage", "stage_reason", "loyalty_cell", "value_tier")
DEMO_AS_OF = datetime.date(2025, 6, 30)
DEMO_HORIZON = 180
CDNOW_HORIZON = 273  # to 1998-06-30, the end of the sample
MIN_SEGMENT_CUSTOMERS = 30  # dbt_project.yml backtest_min_segment_customers


@pytest.fixture(scope="module")
def demo_backtest(tmp_path_factory):
    args = ["backtest", "--as-of", DEMO_AS_OF.isoformat(), "--horizon-days", str(DEMO_HORIZON)]
    # the per-column and unit tests of the demo run in demo_build; the backtest marts are checked here
    args += ["--data-tests", "invariants"]
    return built(args, tmp_path_factory.mktemp("backtest") / "warehouse.duckdb")


def segment_ranks() -> dict[tuple[str, str], int]:
    """seeds/rules/segment_ranks.csv, read as a file."""
    lines = (PROJECT_DIR / "seeds" / "rules" / "segment_ranks.csv").read_text().splitlines()[1:]
    return {(row[0], row[1]): int(row[2]) for row in (line.split(",") for line in lines)}


def customers_at_as_of(run) -> dict[str, dict]:
    rows = run.query(
        "select d.customer_id, d.is_buyer, coalesce(d.rfm_segment, 'none'), d.lifecycle_stage, l.stage_reason, "
        "d.loyalty_cell, coalesce(d.value_tier, 'none'), v.value_tier_rank "
        "from marts.dim_customers as d join marts.fct_customer_lifecycle as l using (customer_id) "
        "join marts.fct_customer_value as v using (customer_id)"
    )
    names = ("is_buyer", *SEGMENTATIONS, "value_tier_rank")
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}


def expected_segments(run, outcomes: dict[str, tuple[int, Decimal]]) -> dict[tuple[str, str], dict]:
    """The segments table recomputed: counts, shares and per-customer figures, Spearman's correlation
    (scipy) of rank and share over segments with buyers and at least 30 customers, and the lower-ranked
    such segments that bought more."""
    ranks = segment_ranks()
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for customer, row in customers_at_as_of(run).items():
        for segmentation in SEGMENTATIONS:
            groups[(segmentation, row[segmentation])].append((customer, row))
    table = {}
    for (segmentation, segment), members in groups.items():
        if segmentation == "value_tier":
            rank = 6 - (members[0][1]["value_tier_rank"] or 6)
        else:
            ranked_by = "lifecycle_stage" if segmentation == "stage_reason" else segmentation
            rank = ranks[(ranked_by, members[0][1][ranked_by])]
        orders = [outcomes.get(customer, (0, Decimal(0))) for customer, _ in members]
        table[(segmentation, segment)] = {
            "segment_rank": rank,
            "customers": len(members),
            "buyers": sum(1 for _, row in members if row["is_buyer"]),
            "customers_buying": sum(1 for count, _ in orders if count),
            "buying_share": sum(1 for count, _ in orders if count) / len(members),
            "orders_per_customer": sum(count for count, _ in orders) / len(members),
            "net_revenue_per_customer": sum(revenue for _, revenue in orders) / len(members),
            "is_ranked": any(row["is_buyer"] for _, row in members) and len(members) >= MIN_SEGMENT_CUSTOMERS,
        }
    for segmentation in SEGMENTATIONS:
        ranked = {key: value for key, value in table.items() if key[0] == segmentation and value["is_ranked"]}
        pairs = [(value["segment_rank"], value["buying_share"]) for value in ranked.values()]
        correlation = stats.spearmanr(*zip(*pairs, strict=True)).statistic if len(pairs) > 1 else None
        for value in ranked.values():
            value["rank_correlation"] = correlation
            value["outranked_by"] = {
                other[1]
                for other, low in ranked.items()
                if low["segment_rank"] < value["segment_rank"] and low["buying_share"] > value["buying_share"]
            }
    return table


def assert_segments_match(run, outcomes) -> None:
    built_rows = run.query(
        "select segmentation, segment, segment_rank, customers, buyers, customers_buying, buying_share, "
        "orders_per_customer, net_revenue_per_customer, rank_correlation, outranked_by, is_ranked "
        "from marts.mart_backtest_segments"
    )
    expected = expected_segments(run, outcomes)
    assert {(row[0], row[1]) for row in built_rows} == set(expected)
    for row in built_rows:
        want = expected[(row[0], row[1])]
        assert row[2:6] == (want["segment_rank"], want["customers"], want["buyers"], want["customers_buying"]), row
        assert row[6] == pytest.approx(want["buying_share"], abs=1e-12)
        assert row[7] == pytest.approx(want["orders_per_customer"], abs=1e-12)
        assert abs(row[8] - want["net_revenue_per_customer"]) <= Decimal("0.0001"), row
        assert row[11] == want["is_ranked"], row
        if want["is_ranked"]:
            if want["rank_correlation"] is None or want["rank_correlation"] != want["rank_correlation"]:
                assert row[9] is None, row
            else:
                assert row[9] == pytest.approx(want["rank_correlation"], abs=1e-9), row
            assert set((row[10] or "").split(", ")) - {""} == want["outranked_by"], row


def assert_churn_risk_matches(run, outcomes) -> None:
    """The churn-risk mart against the score of every buyer not churned: levels from churn_risk_levels
    (0.7, 0.9), the list = high and medium, and the score's ROC AUC counted pair by pair."""
    customers = customers_at_as_of(run)
    scores = dict(run.query("select customer_id, 1 - purchase_probability from marts.fct_customer_clv"))
    eligible = [c for c, row in customers.items() if row["is_buyer"] and row["lifecycle_stage"] != "churned"]
    assert sorted(c for (c,) in run.query("select customer_id from marts.fct_churn_risk")) == sorted(eligible)
    levels = {
        c: "unscored" if scores[c] is None else "high" if scores[c] >= 0.9 else "medium" if scores[c] >= 0.7 else "low"
        for c in eligible
    }
    assert dict(run.query("select customer_id, risk_level from marts.fct_churn_risk")) == levels
    not_buying = {c for c in eligible if c not in outcomes}
    built_rows = {
        row[0]: row[1:]
        for row in run.query(
            "select risk_level, eligible_buyers, not_buying, listed, listed_not_buying, list_precision, list_recall, "
            "lift, score_auc from marts.mart_backtest_churn_risk"
        )
    }
    assert set(built_rows) - set(FEEDBACK_SIGNALS) == {"all", "high", "medium", "low", "unscored"}
    scored = [c for c in eligible if scores[c] is not None]
    positive = np.array([scores[c] for c in scored if c in not_buying])
    negative = np.array([scores[c] for c in scored if c not in not_buying])
    wins = positive[:, None] - negative[None, :]
    assert built_rows["all"][7] == pytest.approx(((wins > 0).sum() + 0.5 * (wins == 0).sum()) / wins.size, abs=1e-9)
    signals = feedback_signals(run) if run.query("select count(*) from staging.stg_raw__feedback")[0][0] else {}
    for level, row in built_rows.items():
        if level in FEEDBACK_SIGNALS:
            # among the buyers the score leaves off the list, those with the signal
            base = [c for c in eligible if levels[c] in ("low", "unscored")]
            on_list = {c for c in base if level in signals.get(c, ())}
            hits = on_list & not_buying
            not_buying_base = [c for c in base if c in not_buying]
            assert row[:4] == (len(base), len(not_buying_base), len(on_list), len(hits)), level
            if on_list:
                assert row[6] == pytest.approx(len(hits) / len(on_list) / (len(not_buying_base) / len(base)), abs=1e-12)
            continue
        listed_levels = ("high", "medium") if level == "all" else (level,)
        on_list = {c for c in eligible if levels[c] in listed_levels}
        hits = on_list & not_buying
        assert row[:4] == (len(eligible), len(not_buying), len(on_list), len(hits)), level
        if on_list:
            precision = len(hits) / len(on_list)
            assert row[4] == pytest.approx(precision, abs=1e-12)
            assert row[5] == pytest.approx(len(hits) / len(not_buying), abs=1e-12)
            assert row[6] == pytest.approx(precision / (len(not_buying) / len(eligible)), abs=1e-12)
        else:
            assert row[4] is None and row[6] is None


FEEDBACK_SIGNALS = ("detractor", "score_drop")


def feedback_signals(run) -> dict[str, set[str]]:
    """Per person, the feedback signals of the answers up to the as-of date, recomputed from staging."""
    as_of = run.query("select as_of_date from intermediate.int_as_of_date")[0][0]
    mapping = staged_person_map(run)
    answers, last_day = [], {}
    for customer, occurred_at, day, scale, score in run.query(
        "select customer_id, occurred_at, feedback_date, scale, score from staging.stg_raw__feedback"
    ):
        if day <= as_of:
            person = person_of(mapping, customer)
            answers.append((person, occurred_at, scale, score))
            last_day[person] = max(day, last_day.get(person, day))
    signals = {}
    for person, summary in feedback_summaries(answers).items():
        # a detractor counts while the answer is less than 180 days old (feedback_recent_days)
        recent = (as_of - last_day[person]).days < 180
        flags = {"detractor": summary.nps_class == "detractor" and recent, "score_drop": summary.is_score_dropping}
        signals[person] = {name for name, on in flags.items() if on}
    return signals


def demo_outcomes(run) -> dict[str, tuple[int, Decimal]]:
    """Valid orders in the horizon per customer, from the staged orders (typed and converted)."""
    end = DEMO_AS_OF + datetime.timedelta(days=DEMO_HORIZON)
    outcomes: dict[str, tuple[int, Decimal]] = {}
    mapping = staged_person_map(run)
    for source_id, day, status, net in run.query(
        "select customer_id, order_date, status, net_amount from staging.stg_raw__orders"
    ):
        customer = person_of(mapping, source_id)
        if status in ("completed", "partially_refunded") and DEMO_AS_OF < day <= end:
            count, revenue = outcomes.get(customer, (0, Decimal(0)))
            outcomes[customer] = (count + 1, revenue + net)
    return outcomes


@pytest.mark.xdist_group("backtest")
def test_demo_backtest_segments_equal_a_plain_python_recomputation(demo_backtest):
    assert_segments_match(demo_backtest, demo_outcomes(demo_backtest))


@pytest.mark.xdist_group("backtest")
def test_demo_backtest_churn_risk_equals_a_plain_python_recomputation(demo_backtest):
    assert_churn_risk_matches(demo_backtest, demo_outcomes(demo_backtest))


@pytest.mark.xdist_group("backtest")
def test_the_backtest_prints_what_it_found(demo_backtest):
    out = demo_backtest.stdout
    assert "Backtest as of 2025-06-30: purchases in the next 180 days (to 2025-12-27)" in out
    assert "Warning" not in out
    assert "  lifecycle_stage  rank correlation " in out
    assert "Churn-risk score: ranks who did not buy with ROC AUC 0." in out
    assert "Churn-risk list (high and medium): " in out
    # the feedback signals' verdicts follow from their rows: at least 30 with the signal and a lift above 1
    for signal, listed, lift in demo_backtest.query(
        "select risk_level, listed, lift from marts.mart_backtest_churn_risk "
        "where risk_level in ('detractor', 'score_drop')"
    ):
        verdict = "too few to judge" if listed < 30 else "helps" if lift > 1 else "does not help"
        assert f"feedback signal {signal} (among the" in out and f"listing them {verdict}" in out, signal


@pytest.mark.xdist_group("demo")
def test_an_ordinary_build_leaves_the_backtest_marts_empty(demo_build):
    for table in ("mart_backtest_segments", "mart_backtest_churn_risk", "mart_backtest_clv"):
        assert demo_build.query(f"select count(*) from marts.{table}") == [(0,)]


def cdnow_outcomes() -> dict[str, tuple[int, Decimal]]:
    """Purchases of the 273 days after the calibration end, read from the sample file."""
    start = datetime.date.fromisoformat(CDNOW_CALIBRATION_END)
    end = start + datetime.timedelta(days=CDNOW_HORIZON)
    outcomes: dict[str, tuple[int, Decimal]] = {}
    for line in CDNOW.read_text().splitlines():
        _, customer, day, _, amount = line.split()
        date = datetime.date(int(day[:4]), int(day[4:6]), int(day[6:]))
        if start < date <= end:
            count, revenue = outcomes.get(customer, (0, Decimal(0)))
            outcomes[customer] = (count + 1, revenue + Decimal(amount))
    return outcomes


@pytest.mark.xdist_group("cdnow")
def test_cdnow_backtest_equals_a_plain_python_recomputation(cdnow_build):
    outcomes = cdnow_outcomes()
    # 684 of the 2,357 customers (29.0%) bought in the 273 days after the calibration period
    assert len(outcomes) == 684
    assert cdnow_build.query(
        "select sum(customers), sum(customers_buying) from marts.mart_backtest_segments "
        "where segmentation = 'lifecycle_stage'"
    ) == [(2357, 684)]
    assert_segments_match(cdnow_build, outcomes)
    assert_churn_risk_matches(cdnow_build, outcomes)


def p_alive(params: dict, x: float, t_x: float, T: float) -> float:
    """P(alive) of the fitted model, written out here: BG/NBD (FHL 2005), MBG/NBD (Batislam et al. 2007:
    dropout possible at the first purchase too), or 1 for the NBD."""
    r, alpha, a, b, model = (params[name] for name in ("r", "alpha", "a", "b", "model"))
    if model == "nbd" or (model == "bgnbd" and x == 0):
        return 1.0
    odds = (a / (b + x - (1 if model == "bgnbd" else 0))) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return 1 / (1 + odds)


def bgnbd_expected(params: dict, t: float, x: float, t_x: float, T: float) -> float:
    """E[Y(t) | x, t_x, T] of the fitted model (FHL 2005 eq. 10; Batislam et al. 2007 eq. 8 with b + 1;
    the NBD's (r + x) t / (alpha + T)), written out here with scipy's hypergeometric function: no code
    of customer_pyramid.clv.models."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    if params["model"] == "nbd":
        return (r + x) * t / (alpha + T)
    b = b + 1 if params["model"] == "mbgnbd" else b
    growth = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * special.hyp2f1(
        r + x, b + x, a + b + x - 1, t / (alpha + T + t)
    )
    return (a + b + x - 1) / (a - 1) * growth * p_alive(params, x, t_x, T)


def test_clv_backtest_table_on_four_buyers():
    """Deciles, naive baseline, errors and the top-20% share, worked by hand on four buyers."""
    import pyarrow as pa

    from customer_pyramid.clv.tables import backtest_table

    as_of = datetime.date(2025, 6, 30)
    summary = pa.table(
        {
            "customer_id": ["a", "b", "c", "d"],
            "as_of_date": [as_of] * 4,
            "frequency_x": pa.array([4, 1, 0, 2], pa.int32()),
            "recency_t_x": [40.0, 10.0, 0.0, 5.0],
            "age_t": [50.0, 20.0, 10.0, 50.0],
            "repeat_mean_value": [20.0, 10.0, 0.0, 30.0],
        }
    )
    params = pa.Table.from_pylist(
        [
            {
                "status": "fitted",
                "model": "bgnbd",
                "r": 0.5,
                "alpha": 5.0,
                "a": 0.8,
                "b": 2.5,
                "p": 6.0,
                "q": 4.0,
                "gamma": 15.0,
                "period_days": 7.0,
            }
        ]
    )
    outcomes = pa.table(
        {"customer_id": ["a", "c"], "purchase_days_in_horizon": [3, 1], "net_revenue_in_horizon": [70.0, 12.0]}
    )
    rows = backtest_table(summary, params, outcomes, 70).to_pylist()
    units = 70 / 7
    first = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5, "model": "bgnbd"}
    x, t_x, T, m = [4, 1, 0, 2], [40.0, 10.0, 0.0, 5.0], [50.0, 20.0, 10.0, 50.0], [20.0, 10.0, 0.0, 30.0]
    predicted = [bgnbd_expected(first, units, *values) for values in zip(x, t_x, T, strict=True)]
    value = [6.0 * (15.0 + xi * mi) / (6.0 * xi + 4.0 - 1) for xi, mi in zip(x, m, strict=True)]
    revenue = [p * v for p, v in zip(predicted, value, strict=True)]
    naive = [xi / Ti * units for xi, Ti in zip(x, T, strict=True)]
    actual, actual_revenue = [3, 0, 1, 0], [70.0, 0.0, 12.0, 0.0]
    everyone = rows[0]
    assert (everyone["grouping"], everyone["decile"], everyone["customers"]) == ("all", None, 4)
    assert everyone["predicted_transactions"] == pytest.approx(sum(predicted), rel=1e-9)
    assert everyone["actual_transactions"] == 4
    assert everyone["naive_transactions"] == pytest.approx(sum(naive), rel=1e-12)
    assert everyone["naive_revenue"] == pytest.approx(sum(n * mi for n, mi in zip(naive, m, strict=True)))
    assert everyone["mae_transactions"] == pytest.approx(
        sum(abs(p - a) for p, a in zip(predicted, actual, strict=True)) / 4, rel=1e-9
    )
    # four buyers: deciles 3, 5, 8 and 10 (ceil(position x 10 / 4)); the top 20% is the first buyer
    ranked = sorted(range(4), key=lambda i: -revenue[i])
    assert [(row["decile"], row["customers"]) for row in rows[1:]] == [(3, 1), (5, 1), (8, 1), (10, 1)]
    assert [row["actual_revenue"] for row in rows[1:]] == [actual_revenue[i] for i in ranked]
    assert everyone["top_20pct_actual_revenue_share"] == pytest.approx(actual_revenue[ranked[0]] / 82.0)
    assert backtest_table(summary, params, outcomes, None).num_rows == 0


def purchase_days_after(rows, start: datetime.date, days: int, buyers: set[str]) -> int:
    end = start + datetime.timedelta(days=days)
    return len({(customer, day) for customer, day in rows if start < day <= end and customer in buyers})


@pytest.mark.xdist_group("cdnow")
def test_cdnow_clv_backtest_counts_1882_repeat_days_and_forecasts_from_the_fitted_parameters(cdnow_build):
    start = datetime.date.fromisoformat(CDNOW_CALIBRATION_END)
    purchases = []
    for line in CDNOW.read_text().splitlines():
        _, customer, day, _, _ = line.split()
        purchases.append((customer, datetime.date(int(day[:4]), int(day[4:6]), int(day[6:]))))
    buyers = {customer for customer, day in purchases if day <= start}
    assert purchase_days_after(purchases, start, CDNOW_HORIZON, buyers) == 1882
    columns = ["r", "alpha", "a", "b", "period_days", "model"]
    params = dict(
        zip(columns, cdnow_build.query(f"select {', '.join(columns)} from marts.fct_clv_model_params")[0], strict=True)
    )
    summary = cdnow_build.query("select frequency_x, recency_t_x, age_t from intermediate.int_clv_summary")
    units = CDNOW_HORIZON / params["period_days"]
    forecast = sum(bgnbd_expected(params, units, x, t_x, T) for x, t_x, T in summary)
    naive = sum(x / T * units for x, t_x, T in summary if T > 0)
    built_row = cdnow_build.query(
        "select customers, actual_transactions, predicted_transactions, naive_transactions "
        "from marts.mart_backtest_clv where grouping = 'all'"
    )[0]
    assert built_row[:2] == (2357, 1882)
    assert built_row[2] == pytest.approx(forecast, rel=1e-9)
    assert built_row[3] == pytest.approx(naive, rel=1e-12)
    assert cdnow_build.query(
        "select sum(customers), sum(actual_transactions) from marts.mart_backtest_clv where grouping = 'decile'"
    ) == [(2357, 1882)]
    assert "CLV of 2,357 buyers: " in cdnow_build.stdout

    # ROC AUC for buying again, counted pair by pair over (bought, did not buy), ties half
    after = {c for c, day in purchases if start < day <= start + datetime.timedelta(days=CDNOW_HORIZON)}
    ids = [row[0] for row in cdnow_build.query("select customer_id from intermediate.int_clv_summary")]
    bought = np.array([customer in after for customer in ids])
    r, alpha = params["r"], params["alpha"]
    alive = np.array([p_alive(params, x, t_x, T) for x, t_x, T in summary])
    buying = np.array(
        [p_alive(params, x, t_x, T) * (1 - ((alpha + T) / (alpha + T + units)) ** (r + x)) for x, t_x, T in summary]
    )
    expected = np.array([bgnbd_expected(params, units, x, t_x, T) for x, t_x, T in summary])
    recency = np.array([-(T - t_x) for x, t_x, T in summary])
    aucs = cdnow_build.query(
        "select auc_p_alive, auc_purchase_probability, auc_predicted_transactions, auc_recency "
        "from marts.mart_backtest_clv where grouping = 'all'"
    )[0]
    for built_auc, score in zip(aucs, (alive, buying, expected, recency), strict=True):
        wins = score[bought][:, None] - score[~bought][None, :]
        assert built_auc == pytest.approx(((wins > 0).sum() + 0.5 * (wins == 0).sum()) / wins.size, abs=1e-9)


@pytest.mark.xdist_group("backtest")
def test_demo_clv_backtest_counts_the_purchase_days_that_followed(demo_backtest):
    buyers = {row[0] for row in demo_backtest.query("select customer_id from intermediate.int_clv_summary")}
    mapping = staged_person_map(demo_backtest)
    rows = [
        (person_of(mapping, customer), day)
        for customer, day in demo_backtest.query(
            "select customer_id, order_date from staging.stg_raw__orders "
            "where status in ('completed', 'partially_refunded')"
        )
    ]
    expected = purchase_days_after(rows, DEMO_AS_OF, DEMO_HORIZON, buyers)
    assert demo_backtest.query("select actual_transactions from marts.mart_backtest_clv where grouping = 'all'") == [
        (expected,)
    ]
