"""The build's own CLV model on the CDNOW sample, built through `runner.py build --as-of 1997-09-30`
(the end of the calibration period), against the published estimates (Fader, Hardie & Lee 2005).
The sample is read as published, through examples/cdnow/mapping.yml; converted to the contract's
orders.csv it stages to the same orders (tested below)."""

from __future__ import annotations

import csv
import datetime

import numpy as np
import pytest
from conftest import CDNOW, CDNOW_CALIBRATION_END, STAGING, built

from customer_pyramid.clv import models as clv

HOLDOUT_END = datetime.date(1998, 6, 30)
CALIBRATION_END = datetime.date.fromisoformat(CDNOW_CALIBRATION_END)
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}
pytestmark = pytest.mark.xdist_group("cdnow")


def cdnow_rows() -> list[tuple[str, datetime.date, str]]:
    rows = []
    for line in CDNOW.read_text().splitlines():
        _, customer, day, _, amount = line.split()
        rows.append((customer, datetime.date(int(day[:4]), int(day[4:6]), int(day[6:])), amount))
    return rows


@pytest.fixture(scope="module")
def contract_csv_staging(tmp_path_factory):
    """The CDNOW sample converted here into the contract's orders.csv, built to staging."""
    base = tmp_path_factory.mktemp("cdnow_csv")
    data = base / "data"
    data.mkdir()
    with open(data / "orders.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer_id", "ordered_at", "amount"])
        for number, (customer, day, amount) in enumerate(cdnow_rows(), start=1):
            writer.writerow([number, customer, day.isoformat(), amount])
    args = ["build", "--data-dir", str(data), "--as-of", CDNOW_CALIBRATION_END]
    return built(args, base / "w.duckdb", STAGING)


def test_both_ways_of_reading_cdnow_stage_the_same_orders(cdnow_build, contract_csv_staging):
    """As published (the example mapping: whitespace, no header, line keys, YYYYMMDD) and converted to
    the contract's CSV, the sample stages to the same orders, so every mart built on one equals the
    other's (the marts read staging only)."""
    sql = "select customer_id, order_date, status, amount, refund_amount from staging.stg_raw__orders order by all"
    from_mapping = cdnow_build.query(sql)
    assert len(from_mapping) == len(cdnow_rows()) == 6919
    assert from_mapping == contract_csv_staging.query(sql)


def params(run) -> dict:
    columns = [
        "r",
        "alpha",
        "a",
        "b",
        "p",
        "q",
        "gamma",
        "purchase_log_likelihood",
        "status",
        "gamma_gamma_customers",
        "model",
    ]
    row = run.query(f"select {', '.join(columns)} from marts.fct_clv_model_params")[0]
    return dict(zip(columns, row, strict=True))


def test_bgnbd_matches_the_published_fit(cdnow_build):
    """clv_model auto keeps BG/NBD on CDNOW (its holdout RMSE after 1997-07-24 is the smaller), and the
    build's fit is the published one."""
    fitted = params(cdnow_build)
    assert fitted["status"] == "fitted" and fitted["model"] == "bgnbd"
    selection = cdnow_build.query("select model_selection from marts.fct_clv_model_params")[0][0]
    assert selection.startswith("auto: BG/NBD, the smaller holdout RMSE per customer after 1997-07-24 (BG/NBD 0.")
    for name, published in PUBLISHED_BGNBD.items():
        assert abs(fitted[name] - published) / published < 0.01, (name, fitted[name])
    assert abs(fitted["purchase_log_likelihood"] - (-9582.4)) < 0.5


def test_the_split_summary_equals_an_independent_count(cdnow_build):
    """int_clv_summary's split columns, counted here from the file: the split leaves the last quarter
    (floor(0.25 x 272) = 68 days) of the days from the first purchase (1997-01-01) to the as-of date."""
    split = datetime.date(1997, 7, 24)
    assert (CALIBRATION_END - split).days == 68
    days: dict[str, set] = {}
    for customer, day, _ in cdnow_rows():
        if day <= CALIBRATION_END:
            days.setdefault(customer, set()).add(day)
    expected = {}
    for customer, dates in days.items():
        first = min(dates)
        if first > split:
            expected[customer] = (None, None, None, None)
            continue
        before = [day for day in dates if day <= split]
        expected[customer] = (
            len(before) - 1,
            (max(before) - first).days / 7,
            (split - first).days / 7,
            len(dates) - len(before),
        )
    built_rows = cdnow_build.query(
        "select customer_id, split_date, split_frequency_x, split_recency_t_x, split_age_t, split_held_out_x "
        "from intermediate.int_clv_summary"
    )
    assert {row[1] for row in built_rows} == {split}
    assert {row[0]: tuple(row[2:]) for row in built_rows} == pytest.approx(expected)


def test_gamma_gamma_matches_the_published_fit(cdnow_build):
    fitted = params(cdnow_build)
    assert fitted["gamma_gamma_customers"] == 946
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        assert abs(fitted[name] - published) / published < 0.02, (name, fitted[name])


def test_the_build_summary_equals_an_independent_summary(cdnow_build):
    rows = cdnow_rows()
    expected = clv.summary_from_transactions(
        np.array([r[0] for r in rows]),
        np.array([r[1] for r in rows], dtype="datetime64[D]"),
        np.array([float(r[2]) for r in rows]),
        np.datetime64(CALIBRATION_END),
    )
    built = cdnow_build.query(
        "select customer_id, frequency_x, recency_t_x, age_t, repeat_mean_value from intermediate.int_clv_summary "
        "order by customer_id"
    )
    assert [r[0] for r in built] == [str(c) for c in expected["customer_id"]]
    assert np.array_equal([r[1] for r in built], expected["x"])
    assert np.allclose([r[2] for r in built], expected["t_x"], rtol=0, atol=1e-12)
    assert np.allclose([r[3] for r in built], expected["T"], rtol=0, atol=1e-12)
    assert np.allclose([r[4] for r in built], expected["m"], rtol=1e-12, atol=1e-9)


def test_holdout_forecast_is_reported_next_to_the_actual_count(cdnow_build, capsys):
    fitted = params(cdnow_build)
    bg = (fitted["r"], fitted["alpha"], fitted["a"], fitted["b"])
    summary = cdnow_build.query("select frequency_x, recency_t_x, age_t from intermediate.int_clv_summary")
    x, t_x, T = (np.array(column, dtype=float) for column in zip(*summary, strict=True))
    holdout_weeks = (HOLDOUT_END - CALIBRATION_END).days / 7
    conditional = float(clv.expected_transactions(bg, holdout_weeks, x, t_x, T).sum())
    # actual repeat transactions in the holdout: purchase days after the calibration end
    days = {(customer, day) for customer, day, _ in cdnow_rows() if CALIBRATION_END < day <= HOLDOUT_END}
    actual = len(days)
    with capsys.disabled():
        print(f"\nCDNOW holdout weeks 40-78: forecast {conditional:,.0f} repeat purchases, actual {actual:,}")
    assert actual == 1882
    assert 1550 < conditional < 1800
