"""customer_pyramid/clv/models.py: BG/NBD and Gamma-Gamma against the published CDNOW results, and edge cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, special

from customer_pyramid.clv import models as clv

CDNOW = Path(__file__).resolve().parents[4] / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END = "1997-09-30"
HOLDOUT_END = "1998-06-30"
HOLDOUT_WEEKS = 39
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LOG_LIKELIHOOD = -9582.4
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}
PUBLISHED_AGGREGATE_FORECAST = 1667  # FHL 2005: expected repeat purchases of the cohort in weeks 40-78
ACTUAL_HOLDOUT_REPEATS = 1882
CDNOW_BG = (0.243, 4.414, 0.793, 2.426)


@pytest.fixture(scope="module")
def cdnow() -> dict[str, np.ndarray]:
    assert CDNOW.exists(), f"CDNOW sample not found at {CDNOW} (shared/ must sit beside the repo)"
    columns = np.loadtxt(CDNOW, dtype=str)
    dates = np.array([f"{day[:4]}-{day[4:6]}-{day[6:]}" for day in columns[:, 2]], dtype="datetime64[D]")
    return {"ids": columns[:, 1].astype(np.int64), "dates": dates, "amounts": columns[:, 4].astype(np.float64)}


@pytest.fixture(scope="module")
def summary(cdnow) -> dict[str, np.ndarray]:
    return clv.summary_from_transactions(cdnow["ids"], cdnow["dates"], cdnow["amounts"], CALIBRATION_END)


@pytest.fixture(scope="module")
def bg(summary) -> clv.BgNbdParams:
    return clv.fit_bgnbd(summary["x"], summary["t_x"], summary["T"])


@pytest.fixture(scope="module")
def gg(summary) -> clv.GammaGammaParams:
    return clv.fit_gamma_gamma(summary["x"], summary["m"])


# ---------------------------------------------------------------------------------------------------
# CDNOW: the published results
# ---------------------------------------------------------------------------------------------------


def test_cdnow_summary_follows_the_literature(summary):
    assert len(summary["customer_id"]) == 2357
    assert np.count_nonzero(summary["x"] > 0) == 946
    first = {key: values[0] for key, values in summary.items()}
    assert first["customer_id"] == 1 and first["x"] == 2
    assert first["t_x"] == pytest.approx(213 / 7) and first["T"] == pytest.approx(272 / 7)
    assert first["m"] == pytest.approx((29.73 + 14.96) / 2)
    assert first["first_date"] == np.datetime64("1997-01-01")
    assert np.all(summary["m"][summary["x"] == 0] == 0)


def test_bgnbd_matches_published_estimates(bg):
    assert bg.converged and bg.customers == 2357
    for name, published in PUBLISHED_BGNBD.items():
        assert getattr(bg, name) == pytest.approx(published, rel=0.01), name
    assert bg.log_likelihood == pytest.approx(PUBLISHED_LOG_LIKELIHOOD, abs=0.5)


def test_gamma_gamma_matches_published_estimates(gg):
    assert gg.converged and gg.customers == 946
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        assert getattr(gg, name) == pytest.approx(published, rel=0.02), name


def test_holdout_forecast_next_to_actual(cdnow, summary, bg):
    dates = cdnow["dates"]
    holdout = (dates > np.datetime64(CALIBRATION_END)) & (dates <= np.datetime64(HOLDOUT_END))
    actual = len(set(zip(cdnow["ids"][holdout].tolist(), dates[holdout].tolist(), strict=True)))
    expected = clv.expected_transactions(bg, HOLDOUT_WEEKS, summary["x"], summary["t_x"], summary["T"])
    conditional = float(expected.sum())
    ages, counts = np.unique(summary["T"], return_counts=True)
    unconditional = clv.expected_transactions_unconditional
    aggregate = sum(
        n * (unconditional(bg, age + HOLDOUT_WEEKS) - unconditional(bg, age))
        for age, n in zip(ages, counts, strict=True)
    )
    print(f"\nCDNOW holdout weeks 40-78: actual {actual}, conditional forecast {conditional:.1f}, ", end="")
    print(f"aggregate (eq. 9) forecast {aggregate:.1f}, published about {PUBLISHED_AGGREGATE_FORECAST}")
    assert actual == ACTUAL_HOLDOUT_REPEATS
    assert 1550 <= conditional <= 1800
    assert aggregate == pytest.approx(PUBLISHED_AGGREGATE_FORECAST, rel=0.005)


# ---------------------------------------------------------------------------------------------------
# Predictions
# ---------------------------------------------------------------------------------------------------


def _brute_force(params, t: float, x: int, t_x: float, T: float, model: str = "bgnbd") -> dict[str, float]:
    """E[Y(t) | x, t_x, T], P(alive), P(a purchase in t) and the likelihood by integrating the
    individual-level model over the prior of (lambda, p): x repeat purchases, the last at t_x, none in
    (t_x, T]; BG/NBD drops out after a repeat purchase with probability p, MBG/NBD after every purchase
    (the first included). Alive at T, the expected purchases in t are (1 - exp(-lambda p t)) / p (FHL
    2005 eq. 7) and the chance of none is exp(-lambda t)."""
    r, alpha, a, b = params
    log_norm = r * np.log(alpha) - special.gammaln(r) - special.betaln(a, b)
    survivals = x + 1 if model == "mbgnbd" else x  # purchases after which dropout was possible

    def prior(lam: float, p: float) -> float:
        return np.exp(log_norm) * lam ** (r - 1) * np.exp(-alpha * lam) * p ** (a - 1) * (1 - p) ** (b - 1)

    def alive(lam: float, p: float) -> float:
        return (1 - p) ** survivals * lam**x * np.exp(-lam * T)

    def dead(lam: float, p: float) -> float:
        if survivals == x and x == 0:
            return 0.0
        return p * (1 - p) ** (survivals - 1) * lam**x * np.exp(-lam * t_x)

    def integral(function) -> float:
        options = {"epsabs": 0, "epsrel": 1e-9, "limit": 200}
        return integrate.nquad(lambda lam, p: prior(lam, p) * function(lam, p), [[0, np.inf], [0, 1]], opts=options)[0]

    evidence = integral(lambda lam, p: alive(lam, p) + dead(lam, p))
    return {
        "expected": integral(lambda lam, p: alive(lam, p) * -np.expm1(-lam * p * t) / p) / evidence,
        "alive": integral(alive) / evidence,
        "buying": integral(lambda lam, p: alive(lam, p) * -np.expm1(-lam * t)) / evidence,
        "log_likelihood": np.log(evidence),
    }


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize(
    ("params", "t", "x", "t_x", "T"),
    [
        (CDNOW_BG, 39.0, 2, 30.43, 38.86),
        (CDNOW_BG, 10.0, 0, 0.0, 20.0),
        ((1.5, 2.0, 3.0, 5.0), 10.0, 5, 2.0, 20.0),
        ((0.5, 10.0, 1.0, 1.5), 52.0, 3, 12.0, 30.0),
    ],
)
@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
def test_predictions_and_likelihood_match_numerical_integration(params, t, x, t_x, T, model):
    """Both models' closed forms (FHL 2005; Batislam et al. 2007) against the integrals of their story."""
    reference = _brute_force(params, t, x, t_x, T, model)
    assert clv.expected_transactions(params, t, [x], [t_x], [T], model)[0] == pytest.approx(
        reference["expected"], rel=1e-6
    )
    assert clv.p_alive(params, [x], [t_x], [T], model)[0] == pytest.approx(reference["alive"], rel=1e-6)
    buying = clv.probability_of_purchase(params, t, [x], [t_x], [T], model)[0]
    assert buying == pytest.approx(reference["buying"], rel=1e-6)
    ours = clv.bgnbd_log_likelihood(params, [x], [t_x], [T], model=model)
    assert ours == pytest.approx(reference["log_likelihood"], rel=1e-7)


def _alive_purchases_by_quadrature(r: float, alpha: float, a: float, b: float, t: float, x: int, T: float) -> float:
    """E[purchases in (T, T + t] | alive at T] = E[(1 - (1 + p s)^-(r + x)) / p], p ~ Beta(a, b + x).

    Here s = t / (alpha + T); lambda is integrated out analytically, p by adaptive quadrature.
    """
    s, k, log_beta = t / (alpha + T), r + x, special.betaln(a, b + x)

    def integrand(p: float) -> float:
        density = np.exp((a - 1) * np.log(p) + (b + x - 1) * np.log1p(-p) - log_beta)
        return density * -np.expm1(-k * np.log1p(p * s)) / p

    points = [min(1 / s, 0.5)] if s > 1 else None
    return integrate.quad(integrand, 0, 1, epsabs=0, epsrel=1e-12, limit=500, points=points)[0]


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_expected_transactions_is_accurate_across_parameter_space():
    rng = np.random.default_rng(5)
    for _ in range(60):
        r, alpha, a, b = np.exp(rng.uniform([-3, -2, -3, -3], [2, 4, 2, 3]))
        x, T, t = int(rng.choice([0, 1, 2, 5, 20, 100, 400])), rng.uniform(0, 200), np.exp(rng.uniform(-3, 7))
        alive = clv.p_alive((r, alpha, a, b), [x], [0.5 * T if x else 0.0], [T])[0]
        ours = clv.expected_transactions((r, alpha, a, b), t, [x], [0.5 * T if x else 0.0], [T])[0]
        reference = alive * _alive_purchases_by_quadrature(r, alpha, a, b, t, x, T)
        assert ours == pytest.approx(reference, rel=1e-6, abs=1e-300), (r, alpha, a, b, x, T, t)


def test_p_alive_is_a_probability_and_one_without_repeats(summary, bg):
    alive = clv.p_alive(bg, summary["x"], summary["t_x"], summary["T"])
    assert np.all((alive >= 0) & (alive <= 1))
    assert np.all(alive[summary["x"] == 0] == 1)
    assert np.all(alive[summary["x"] > 0] < 1)
    older = clv.p_alive(bg, [3, 3, 3], [10, 10, 10], [10, 20, 40])
    assert np.all(np.diff(older) < 0)


def test_expected_transactions_grows_with_the_horizon(summary, bg):
    horizons = [0, 1, 4, 13, 39, 104, 520]
    curves = np.array([clv.expected_transactions(bg, t, summary["x"], summary["t_x"], summary["T"]) for t in horizons])
    assert np.all(curves[0] == 0)
    assert np.all(np.diff(curves, axis=0) > 0)


def test_unconditional_is_the_conditional_for_a_new_customer(bg):
    for t in (1.0, 39.0, 200.0):
        conditional = clv.expected_transactions(bg, t, [0], [0.0], [0.0])[0]
        assert clv.expected_transactions_unconditional(bg, t) == pytest.approx(conditional, rel=1e-12)
    assert clv.expected_transactions_unconditional(bg, 0) == 0


def test_expected_transactions_is_continuous_across_a_equal_one():
    values = [
        clv.expected_transactions((0.5, 10.0, a, 1.5), 39.0, [4, 0], [20.0, 0.0], [30.0, 30.0])
        for a in (0.999, 1.0, 1.0 + 1e-7, 1.001)
    ]
    assert np.all(np.isfinite(values))
    assert np.allclose(values[1], (values[0] + values[3]) / 2, rtol=1e-5)
    assert np.allclose(values[1], values[2], rtol=1e-7)


def test_expected_transactions_is_stable_for_heavy_buyers(bg):
    expected = clv.expected_transactions(bg, 1000.0, [0, 50, 500, 500], [0.0, 99.0, 99.9, 1.0], [100.0] * 4)
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    assert expected[2] > expected[1] > expected[3]


def test_expected_average_value(gg):
    population = gg.p * gg.gamma / (gg.q - 1)
    values = clv.expected_average_value(gg, [0, 0, 1, 10], [0.0, 99.0, 40.0, 40.0])
    assert values[0] == pytest.approx(population) and values[1] == pytest.approx(population)
    weight = gg.p / (gg.p + gg.q - 1)
    assert values[2] == pytest.approx((1 - weight) * population + weight * 40.0)
    assert abs(values[3] - 40.0) < abs(values[2] - 40.0)
    with pytest.raises(ValueError, match="infinite"):
        clv.expected_average_value(clv.GammaGammaParams(6.0, 0.8, 15.0, 0.0, True, 0, 0.0, 1), [0], [0.0])


def test_predicted_clv_sums_discounted_monthly_increments(summary, bg, gg):
    columns = [summary[key][:50] for key in ("x", "t_x", "T", "m")]
    month = 52 / 12
    undiscounted = clv.predicted_clv(bg, gg, *columns, 52.0, month, 0.0)
    total = clv.expected_transactions(bg, 52.0, *columns[:3]) * clv.expected_average_value(gg, columns[0], columns[3])
    assert np.allclose(undiscounted, total, rtol=1e-10)
    discounted = clv.predicted_clv(bg, gg, *columns, 52.0, month, 0.01)
    cumulative = [clv.expected_transactions(bg, k * month, *columns[:3]) for k in range(13)]
    manual = sum((cumulative[k] - cumulative[k - 1]) / 1.01**k for k in range(1, 13))
    assert np.allclose(discounted, manual * clv.expected_average_value(gg, columns[0], columns[3]), rtol=1e-10)
    assert np.all(discounted < undiscounted) and np.all(discounted > 0)
    assert np.all(clv.predicted_clv(bg, gg, *columns, 0.0, month, 0.01) == 0)
    partial = clv.predicted_clv(bg, gg, *columns, 1.5 * month, month, 0.0)
    assert np.allclose(partial, clv.predicted_clv(bg, gg, *columns, 1.5 * month, 1.5 * month, 0.0))


# ---------------------------------------------------------------------------------------------------
# MBG/NBD and the NBD limit
# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mbg(summary) -> clv.BgNbdParams:
    return clv.fit_bgnbd(summary["x"], summary["t_x"], summary["T"], model="mbgnbd")


def test_mbgnbd_fits_cdnow_as_a_proper_maximum(summary, mbg, bg):
    assert mbg.converged and mbg.model == "mbgnbd" and mbg.customers == 2357
    at_fit = clv.bgnbd_log_likelihood(mbg, summary["x"], summary["t_x"], summary["T"])
    assert at_fit == pytest.approx(mbg.log_likelihood, rel=1e-12)
    for step in np.eye(4) * 0.01:
        for sign in (1, -1):
            moved = np.array([mbg.r, mbg.alpha, mbg.a, mbg.b]) * (1 + sign * step)
            assert clv.bgnbd_log_likelihood(moved, summary["x"], summary["t_x"], summary["T"], model="mbgnbd") < at_fit
    # the same data, a different story: one-time buyers may have left, so they are not all alive
    alive = clv.p_alive(mbg, summary["x"], summary["t_x"], summary["T"])
    one_time = summary["x"] == 0
    assert np.all(alive[one_time] < 1) and np.all(
        clv.p_alive(bg, summary["x"], summary["t_x"], summary["T"])[one_time] == 1
    )
    # and among one-time buyers, the longer silent the less likely alive
    order = np.argsort(summary["T"][one_time])
    assert np.all(np.diff(alive[one_time][order]) <= 0)


def test_mbgnbd_gradient_matches_finite_differences(summary):
    data = clv._bgnbd_data(summary["x"], summary["t_x"], summary["T"], None)
    for point in ([0.5, 5.0, 0.8, 2.0], [2.0, 0.5, 3.0, 0.2]):
        log_params = np.log(point)
        _, gradient = clv._bgnbd_mean_ll(log_params, data, "mbgnbd")
        numeric = [
            (
                clv._bgnbd_mean_ll(log_params + step, data, "mbgnbd")[0]
                - clv._bgnbd_mean_ll(log_params - step, data, "mbgnbd")[0]
            )
            / 2e-6
            for step in np.eye(4) * 1e-6
        ]
        assert gradient == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_unconditional_mbgnbd_is_batislam_eq_6(mbg):
    r, alpha, a, b = mbg.r, mbg.alpha, mbg.a, mbg.b
    for t in (1.0, 39.0, 200.0):
        closed = b / (a - 1) * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b + 1, a + b, t / (alpha + t)))
        assert clv.expected_transactions_unconditional(mbg, t) == pytest.approx(closed, rel=1e-9)


def test_probability_of_purchase_is_below_p_alive_and_grows_with_the_horizon(summary, mbg):
    columns = (summary["x"], summary["t_x"], summary["T"])
    alive = clv.p_alive(mbg, *columns)
    short, long = (clv.probability_of_purchase(mbg, t, *columns) for t in (4.0, 52.0))
    assert np.all(short < long) and np.all(long < alive) and np.all(short > 0)
    assert np.all(clv.probability_of_purchase(mbg, 0.0, *columns) == 0)


def test_the_nbd_is_the_limit_without_dropout():
    rng = np.random.default_rng(11)
    n = 4000
    T = rng.uniform(10, 50, n)
    x = rng.poisson(rng.gamma(0.7, 1 / 8.0, n) * T)  # nobody ever leaves
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), 1), 0.0)
    nbd = clv.fit_nbd(x, T)
    assert nbd.converged and nbd.model == "nbd" and np.isnan(nbd.a)
    assert (nbd.r, nbd.alpha) == pytest.approx((0.7, 8.0), rel=0.15)
    # the likelihood of either model as a -> 0 is the NBD's
    for model in ("bgnbd", "mbgnbd"):
        edge = clv.bgnbd_log_likelihood((nbd.r, nbd.alpha, 1e-12, 5.0), x, t_x, T, model=model)
        assert edge == pytest.approx(clv.nbd_log_likelihood(nbd.r, nbd.alpha, x, T), rel=1e-9)
    # predictions: always alive, purchases at the posterior mean rate
    assert np.all(clv.p_alive(nbd, x, t_x, T) == 1)
    expected = clv.expected_transactions(nbd, 13.0, x, t_x, T)
    assert expected == pytest.approx((nbd.r + x) * 13.0 / (nbd.alpha + T), rel=1e-12)
    buying = clv.probability_of_purchase(nbd, 13.0, x, t_x, T)
    assert buying == pytest.approx(1 - ((nbd.alpha + T) / (nbd.alpha + T + 13.0)) ** (nbd.r + x), rel=1e-12)


def test_unknown_model_is_rejected():
    with pytest.raises(ValueError, match="unknown purchase model"):
        clv.p_alive(CDNOW_BG, [1], [1], [2], model="pareto")
    with pytest.raises(ValueError, match="nbd_log_likelihood"):
        clv.bgnbd_log_likelihood(CDNOW_BG, [1], [1], [2], model="nbd")


# ---------------------------------------------------------------------------------------------------
# Fitting: weights, starting points, tiny data, invalid input
# ---------------------------------------------------------------------------------------------------


def test_weighted_rows_fit_like_expanded_rows(summary, bg, gg):
    triples = np.stack([summary["x"], summary["t_x"], summary["T"]])
    distinct, counts = np.unique(triples, axis=1, return_counts=True)
    weighted = clv.fit_bgnbd(*distinct, weights=counts)
    assert len(counts) < len(summary["x"]) and weighted.customers == bg.customers
    for name in ("r", "alpha", "a", "b", "log_likelihood"):
        assert getattr(weighted, name) == pytest.approx(getattr(bg, name), rel=1e-9), name
    assert clv.bgnbd_log_likelihood(CDNOW_BG, *distinct, weights=counts) == pytest.approx(
        clv.bgnbd_log_likelihood(CDNOW_BG, summary["x"], summary["t_x"], summary["T"]), rel=1e-12
    )
    doubled = clv.fit_gamma_gamma(np.r_[summary["x"], summary["x"]], np.r_[summary["m"], summary["m"]])
    by_weight = clv.fit_gamma_gamma(summary["x"], summary["m"], weights=np.full(len(summary["x"]), 2.0))
    assert doubled.customers == by_weight.customers == 2 * gg.customers
    assert (doubled.p, doubled.q, doubled.gamma) == pytest.approx((by_weight.p, by_weight.q, by_weight.gamma), rel=1e-9)


def test_fit_does_not_depend_on_the_starting_point(summary, bg):
    for initial in [(1.0, 1.0, 1.0, 1.0), (10.0, 100.0, 0.05, 30.0)]:
        refit = clv.fit_bgnbd(summary["x"], summary["t_x"], summary["T"], initial=initial)
        assert refit.converged
        assert (refit.r, refit.alpha, refit.a, refit.b) == pytest.approx((bg.r, bg.alpha, bg.a, bg.b), rel=1e-5)


def test_log_likelihood_is_maximal_at_the_fit(summary, bg):
    at_fit = clv.bgnbd_log_likelihood((bg.r, bg.alpha, bg.a, bg.b), summary["x"], summary["t_x"], summary["T"])
    assert at_fit == pytest.approx(bg.log_likelihood, rel=1e-12)
    for step in np.eye(4) * 0.01:
        moved = np.array([bg.r, bg.alpha, bg.a, bg.b]) * (1 + step)
        assert clv.bgnbd_log_likelihood(moved, summary["x"], summary["t_x"], summary["T"]) < at_fit


def test_zero_age_customers_add_nothing(summary, bg):
    padded = [np.r_[summary[key], np.zeros(100)] for key in ("x", "t_x", "T")]
    refit = clv.fit_bgnbd(*padded)
    assert refit.log_likelihood == pytest.approx(bg.log_likelihood, rel=1e-10)
    assert refit.r == pytest.approx(bg.r, rel=1e-6) and refit.customers == bg.customers + 100


def test_tiny_data_returns_a_result_or_flags_non_convergence():
    small = clv.fit_bgnbd([0, 1, 3, 0, 2], [0, 2.0, 9.0, 0, 4.0], [10.0, 8.0, 12.0, 5.0, 6.0])
    assert isinstance(small, clv.BgNbdParams) and small.customers == 5
    assert all(np.isfinite([small.r, small.alpha, small.a, small.b, small.log_likelihood]))
    nobody_returns = clv.fit_bgnbd([0, 0, 0], [0, 0, 0], [5.0, 6.0, 7.0])
    assert not nobody_returns.converged
    single = clv.fit_gamma_gamma([2], [10.0])
    assert isinstance(single, clv.GammaGammaParams) and single.customers == 1


@pytest.mark.parametrize(
    ("x", "t_x", "T", "message"),
    [
        ([-1, 0], [0, 0], [5, 5], ">= 0"),
        ([1.5, 0], [1, 0], [5, 5], "whole"),
        ([1, 0], [6, 0], [5, 5], "exceed"),
        ([0, 0], [1, 0], [5, 5], "t_x must be 0"),
        ([1, 0], [-1, 0], [5, 5], ">= 0"),
        ([1, np.nan], [1, 0], [5, 5], "NaN"),
        ([1, 0], [1, 0], [5], "length"),
    ],
)
def test_invalid_rfm_inputs_raise(x, t_x, T, message):
    with pytest.raises(ValueError, match=message):
        clv.fit_bgnbd(x, t_x, T)
    with pytest.raises(ValueError, match=message):
        clv.p_alive(CDNOW_BG, x, t_x, T)


def test_other_invalid_inputs_raise(gg):
    with pytest.raises(ValueError, match="weights"):
        clv.fit_bgnbd([1, 0], [1, 0], [5, 5], weights=[1, -1])
    with pytest.raises(ValueError, match="T > 0"):
        clv.fit_bgnbd([0, 0], [0, 0], [0, 0])
    with pytest.raises(ValueError, match="x > 0, m > 0"):
        clv.fit_gamma_gamma([0, 1], [0.0, 0.0])
    with pytest.raises(ValueError, match="> 0"):
        clv.p_alive((0.2, -1.0, 1.0, 1.0), [1], [1], [2])
    with pytest.raises(ValueError, match="horizon"):
        clv.expected_transactions(CDNOW_BG, -1, [1], [1], [2])
    bg = clv.BgNbdParams(*CDNOW_BG, 0.0, True, 0, 0.0, 1)
    with pytest.raises(ValueError, match="units_per_month"):
        clv.predicted_clv(bg, gg, [1], [1], [2], [10.0], 52, 0, 0.01)


# ---------------------------------------------------------------------------------------------------
# summary_from_transactions
# ---------------------------------------------------------------------------------------------------


def test_summary_merges_days_and_ignores_the_holdout():
    ids = ["b", "a", "a", "a", "a", "b", "c"]
    dates = ["2024-01-10", "2024-01-01", "2024-01-01", "2024-01-04", "2024-01-15", "2024-02-01", "2024-01-20"]
    amounts = [5.0, 10.0, 2.0, 7.0, 9.0, 100.0, 3.0]
    summary = clv.summary_from_transactions(ids, dates, amounts, "2024-01-15")
    assert summary["customer_id"].tolist() == ["a", "b"]
    assert summary["x"].tolist() == [2, 0]
    assert summary["t_x"] == pytest.approx([14 / 7, 0.0])
    assert summary["T"] == pytest.approx([14 / 7, 5 / 7])
    assert summary["m"] == pytest.approx([8.0, 0.0])
    assert summary["first_date"].tolist() == [np.datetime64("2024-01-01"), np.datetime64("2024-01-10")]
    daily = clv.summary_from_transactions(ids, dates, amounts, "2024-01-15", period_days=1)
    assert daily["t_x"] == pytest.approx([14.0, 0.0])


def test_summary_of_nothing_and_bad_input():
    empty = clv.summary_from_transactions([], np.array([], dtype="datetime64[D]"), [], "2024-01-01")
    assert all(len(values) == 0 for values in empty.values())
    with pytest.raises(ValueError, match="NaT"):
        clv.summary_from_transactions([1], np.array(["NaT"], dtype="datetime64[D]"), [1.0], "2024-01-01")
    with pytest.raises(ValueError, match="length"):
        clv.summary_from_transactions([1, 2], ["2024-01-01"], [1.0], "2024-01-01")


def test_summary_agrees_with_a_plain_python_count():
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 40, 600)
    dates = np.datetime64("2024-01-01") + rng.integers(0, 120, 600)
    amounts = rng.integers(1, 10_000, 600) / 100
    end = np.datetime64("2024-03-31")
    summary = clv.summary_from_transactions(ids, dates, amounts, end)
    days: dict[int, dict] = {}
    for customer, day, amount in zip(ids.tolist(), dates.tolist(), amounts.tolist(), strict=True):
        if day <= end.tolist():
            days.setdefault(customer, {}).setdefault(day, 0.0)
            days[customer][day] += amount
    assert summary["customer_id"].tolist() == sorted(days)
    for index, customer in enumerate(summary["customer_id"].tolist()):
        ordered = sorted(days[customer])
        repeats = [days[customer][day] for day in ordered[1:]]
        assert summary["x"][index] == len(ordered) - 1
        assert summary["t_x"][index] == pytest.approx((ordered[-1] - ordered[0]).days / 7)
        assert summary["T"][index] == pytest.approx((end.tolist() - ordered[0]).days / 7)
        assert summary["m"][index] == pytest.approx(np.mean(repeats) if repeats else 0.0)
