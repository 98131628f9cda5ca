"""The CLV build step on small tables: skipping, null predictions when not fitted, tiers, dates."""

from __future__ import annotations

import datetime

import numpy as np
import pyarrow as pa
import pytest

from customer_pyramid.clv_build import Settings, fit_table, predict_table

AS_OF = datetime.date(2025, 6, 30)


def summary(rows: list[tuple[int, float, float, float]]) -> pa.Table:
    """rows of (x, t_x, T, m) in weeks."""
    return pa.table(
        {
            "customer_id": [f"c{i}" for i in range(len(rows))],
            "as_of_date": [AS_OF] * len(rows),
            "first_purchase_date": [AS_OF - datetime.timedelta(days=int(T * 7)) for _, _, T, _ in rows],
            "lifetime_net_revenue": pa.array([10.0 * (x + 1) for x, *_ in rows], pa.float64()),
            "frequency_x": pa.array([x for x, *_ in rows], pa.int32()),
            "recency_t_x": pa.array([t for _, t, _, _ in rows], pa.float64()),
            "age_t": pa.array([T for _, _, T, _ in rows], pa.float64()),
            "repeat_mean_value": pa.array([m for *_, m in rows], pa.float64()),
        }
    )


def simulated(n: int, seed: int = 3) -> pa.Table:
    """A population drawn from the BG/NBD story (CDNOW-like parameters): Poisson purchases at a Gamma
    rate until a Beta-distributed dropout after some purchase."""
    rng = np.random.default_rng(seed)
    T = rng.integers(7, 400, n) / 7
    purchases = rng.poisson(rng.gamma(0.25, 1 / 4.4, n) * T)
    x = np.minimum(purchases, rng.geometric(rng.beta(0.8, 2.4, n)))
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), purchases - x + 1), 0.0)
    m = np.where(x > 0, rng.gamma(6.0, 1.0, n) * rng.gamma(3.7, 1 / 15.4, n) ** -1 / 4, 0.0)
    return summary(list(zip(x.tolist(), t_x.tolist(), T.tolist(), m.tolist(), strict=True)))


def test_too_few_buyers_is_skipped_with_a_reason_and_null_predictions():
    table = summary([(1, 2.0, 10.0, 20.0), (0, 0.0, 5.0, 0.0)])
    params = fit_table(table, Settings(min_buyers=100))
    row = params.to_pylist()[0]
    assert row["status"] == "skipped" and "fewer than clv_min_buyers" in row["message"]
    assert row["r"] is None and row["converged"] is False
    predictions = predict_table(table, params, Settings()).to_pylist()
    assert all(p["p_alive"] is None and p["predicted_value_tier"] is None for p in predictions)
    assert [p["historic_clv"] for p in predictions] == [20.0, 10.0]


def test_nobody_repeating_is_skipped_not_an_error():
    table = summary([(0, 0.0, float(T), 0.0) for T in range(1, 200)])
    row = fit_table(table, Settings(min_buyers=10)).to_pylist()[0]
    assert row["status"] == "skipped" and "repeat" in row["message"]


def test_fitted_predictions_are_consistent():
    table = simulated(3000)
    params = fit_table(table, Settings(min_buyers=100))
    assert params.to_pylist()[0]["status"] == "fitted"
    predictions = predict_table(table, params, Settings(tier_shares=(0.2, 0.5)))
    rows = predictions.to_pylist()
    assert all(0 <= r["p_alive"] <= 1 for r in rows)
    assert all(r["expected_orders_30d"] <= r["expected_orders_90d"] <= r["expected_orders_365d"] for r in rows)
    tiers = [r["predicted_value_tier"] for r in rows]
    assert tiers.count("high") == 600 and tiers.count("medium") == 900
    ranked = sorted(rows, key=lambda r: -r["predicted_clv"])
    assert {r["predicted_value_tier"] for r in ranked[:600]} == {"high"}
    # a next order is expected within a year exactly when a year's expected orders reach one
    for r in rows:
        assert (r["expected_next_order_date"] is not None) == (r["expected_orders_365d"] >= 1 - 1e-9)
        if r["expected_next_order_date"] is not None:
            assert AS_OF < r["expected_next_order_date"] <= AS_OF + datetime.timedelta(days=365)


@pytest.mark.parametrize("text", ["[0.2, 0.5]", "[0.2,0.5]"])
def test_settings_from_text_config(text):
    values = {
        "clv_period_days": "7",
        "clv_min_buyers": "100",
        "clv_horizon_months": "12",
        "clv_monthly_discount_rate": "0.01",
        "clv_value_tier_shares": text,
    }
    assert Settings.from_config(values.get) == Settings(7.0, 100, 12, 0.01, (0.2, 0.5))
