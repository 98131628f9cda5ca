"""Customer-lifetime value: the BG/NBD purchase model and the Gamma-Gamma spend model, in numpy and scipy.

Models
------
* BG/NBD -- Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative to the
  Pareto/NBD Model", Marketing Science 24(2), 275-284.  While alive a customer buys as a Poisson process
  with rate lambda ~ Gamma(r, alpha); after every *repeat* purchase she drops out with probability
  p ~ Beta(a, b).  Equation numbers below refer to this paper.
* MBG/NBD -- Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models for
  customer base analysis", International Journal of Research in Marketing 24(3), 201-209.  As BG/NBD,
  but the customer may also drop out right after her *first* purchase (at time 0), so a one-time buyer
  who has been silent for long is less likely alive than a recent one (under BG/NBD she is alive with
  probability 1).  Every formula is BG/NBD's with b + 1 in place of b after each purchase and the
  dropout term present for x = 0 as well; see ``_shape``.
* Gamma-Gamma -- Colombo & Jiang (1999), "A stochastic RFM model", Journal of Interactive Marketing 13(3),
  and Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis",
  Journal of Marketing Research 42(4), 415-430.  Transaction values are Gamma(p, nu) around a customer
  mean, nu ~ Gamma(q, gamma); the model is fitted on the mean value of the repeat transactions.

Inputs per customer (the literature's convention, see ``summary_from_transactions``):
  x    number of repeat transactions (distinct purchase days after the first), a whole number >= 0;
  t_x  time of the last transaction, measured from the first one (0 when x == 0);
  T    time from the first transaction to the end of the calibration period (T >= t_x);
  m    mean value of the repeat transactions (only used when x > 0).
Times are in one *time unit* of the caller's choice (FHL use weeks of 7 days); every rate, horizon and
parameter alpha is then in that unit.  ``x > 0`` with ``t_x == 0`` (repeats in the same time unit after
rounding) is accepted: the likelihood is well defined there.  Rows with ``T == 0`` (first purchase at the
very end of the calibration period) carry no information and add exactly 0 to the log-likelihood; they
are kept.  Negative values, ``t_x > T``, ``x == 0`` with ``t_x > 0``, fractional ``x`` and non-finite
values raise ``ValueError``.

All functions are vectorised; fitting aggregates identical rows and evaluates the special functions
once per distinct ``x``, so a million customers fit in about a second.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

LOG_BOUND = 25.0  # every log-parameter is kept within +-25 (parameters within 1.4e-11 .. 7.2e10)
AT_BOUND = 1e-6  # a log-parameter this close to a bound means the maximum was not reached
GRADIENT_TOLERANCE = 1e-6  # largest |gradient| of the mean log-likelihood accepted as converged
CURVATURE_TOLERANCE = 1e-7  # the mean log-likelihood must curve down at least this much in every direction
HESSIAN_STEP = 1e-4  # forward-difference step (in log-parameters) for that curvature check
A_NEAR_ONE = 1e-5  # eq. 9 and 10 divide by (a - 1): closer than this, interpolate across a = 1


@dataclass(frozen=True)
class BgNbdParams:
    """Maximum-likelihood BG/NBD estimates; alpha is in the caller's time unit.

    log_likelihood is the total (weighted) log-likelihood at the estimates, iterations the BFGS
    iterations, seconds the wall time of the whole fit (checks and aggregation included), customers the
    summed weight of the rows fitted (one per customer without weights).
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    converged: bool
    iterations: int
    seconds: float
    customers: int
    model: str = "bgnbd"


MODELS = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD"}  # the models fitted, key -> name in the literature
NBD = "nbd"  # their common limit without dropout (a -> 0): p_alive = 1, see ``fit_nbd``
NAMES = MODELS | {NBD: "NBD (no dropout)"}


@dataclass(frozen=True)
class GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma estimates; gamma is in the caller's money unit.

    The other fields are as in BgNbdParams; customers counts only the customers with x > 0 and m > 0.
    """

    p: float
    q: float
    gamma: float
    log_likelihood: float
    converged: bool
    iterations: int
    seconds: float
    customers: int


# ----------------------------------------------------------------------------------------------------
# Input checks and aggregation
# ----------------------------------------------------------------------------------------------------


def _vector(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _dot(left: np.ndarray, right: np.ndarray) -> float:
    """Sum of products by numpy's pairwise sum, not BLAS: on small vectors waking BLAS threads costs more."""
    return float(np.multiply(left, right).sum())


def _same_length(**arrays: np.ndarray) -> None:
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"inputs differ in length: {lengths}")


def _check_counts(x: np.ndarray, name: str = "x") -> None:
    if np.any(x < 0):
        raise ValueError(f"{name} (number of repeat transactions) must be >= 0")
    if np.any(x != np.floor(x)):
        raise ValueError(f"{name} (number of repeat transactions) must be whole numbers")


def _rfm_arrays(x, t_x, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated float arrays x, t_x, T (see the module docstring for the rules)."""
    x, t_x, T = _vector(x, "x"), _vector(t_x, "t_x"), _vector(T, "T")
    _same_length(x=x, t_x=t_x, T=T)
    _check_counts(x)
    if np.any(t_x < 0) or np.any(T < 0):
        raise ValueError("t_x and T must be >= 0")
    if np.any(t_x > T):
        raise ValueError("t_x (time of the last transaction) must not exceed T (time observed)")
    if np.any((x == 0) & (t_x > 0)):
        raise ValueError("t_x must be 0 for customers with x == 0 (no repeat transaction)")
    return x, t_x, T


def _weights(weights, size: int) -> np.ndarray:
    if weights is None:
        return np.ones(size)
    weights = _vector(weights, "weights")
    _same_length(rows=np.empty(size), weights=weights)
    if np.any(weights < 0):
        raise ValueError("weights must be >= 0")
    return weights


def _group_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of the given equal-length columns and, per input row, the index of its distinct row."""
    order = np.lexsort(columns[::-1])
    changed = np.zeros(len(order), dtype=bool)
    changed[:1] = True
    for column in columns:
        changed[1:] |= column[order][1:] != column[order][:-1]
    group_of_sorted = np.cumsum(changed) - 1
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = group_of_sorted
    firsts = order[changed]
    return [column[firsts] for column in columns], inverse


def _aggregate(weights: np.ndarray, *columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows (dropping zero weights) with the summed weight of each."""
    keep = weights > 0
    columns = tuple(column[keep] for column in columns)
    if not len(columns[0]):
        return [column for column in columns], weights[keep]
    distinct, inverse = _group_rows(*columns)
    return distinct, np.bincount(inverse, weights=weights[keep])


# ----------------------------------------------------------------------------------------------------
# Maximum likelihood on log-parameters
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fit:
    params: np.ndarray
    log_likelihood: float
    converged: bool
    iterations: int


def _maximise(mean_ll_and_gradient, start: np.ndarray, total_weight: float) -> _Fit:
    """Maximise a mean log-likelihood over log-parameters with scipy's BFGS and the analytic gradient.

    Log-parameters are kept within +-LOG_BOUND by evaluating the likelihood at the clipped point minus a
    quadratic penalty on the excess (continuous, with a continuous gradient).  BFGS is used rather than
    L-BFGS-B because the latter calls BLAS on every iteration, which costs more than the 4-parameter
    problem itself when OpenBLAS threads compete for busy cores.
    Converged means a proper interior maximum: the mean log-likelihood is finite, its gradient is below
    GRADIENT_TOLERANCE, no log-parameter sits on a bound, and the Hessian (forward differences of the
    analytic gradient) is negative definite.  Data that cannot pin the parameters down (a parameter running
    off to 0 or infinity, or a flat direction, e.g. nobody ever buying again) give converged=False.
    """

    def negative(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        inside = np.clip(log_params, -LOG_BOUND, LOG_BOUND)
        excess = log_params - inside
        with np.errstate(all="ignore"):
            value, gradient = mean_ll_and_gradient(inside)
        if not (np.isfinite(value) and np.all(np.isfinite(gradient))):
            return np.inf, np.zeros_like(log_params)
        return -(value - _dot(excess, excess)), -(np.where(excess == 0, gradient, 0.0) - 2 * excess)

    start = np.clip(start, -LOG_BOUND + 1, LOG_BOUND - 1)
    options = {"maxiter": 500, "gtol": 1e-10}
    with np.errstate(all="ignore"):
        result = optimize.minimize(negative, start, jac=True, method="BFGS", options=options)
    estimate = np.clip(result.x, -LOG_BOUND, LOG_BOUND)
    value, gradient = mean_ll_and_gradient(estimate)
    interior = np.all(np.abs(estimate) < LOG_BOUND - AT_BOUND)
    stationary = np.isfinite(value) and np.max(np.abs(gradient)) < GRADIENT_TOLERANCE
    converged = bool(stationary and interior and _curves_down(mean_ll_and_gradient, estimate, gradient))
    return _Fit(np.exp(estimate), float(value * total_weight), converged, int(result.nit))


def _curves_down(mean_ll_and_gradient, log_params: np.ndarray, gradient: np.ndarray) -> bool:
    columns = [
        (mean_ll_and_gradient(log_params + step)[1] - gradient) / HESSIAN_STEP
        for step in np.eye(len(log_params)) * HESSIAN_STEP
    ]
    hessian = np.array(columns)
    hessian = (hessian + hessian.T) / 2
    return bool(np.all(np.isfinite(hessian)) and np.max(np.linalg.eigvalsh(hessian)) < -CURVATURE_TOLERANCE)


# ----------------------------------------------------------------------------------------------------
# BG/NBD
# ----------------------------------------------------------------------------------------------------


def _params_tuple(params, model: str | None = None) -> tuple[float, float, float, float]:
    """(r, alpha, a, b) from a BgNbdParams or any 4-sequence, checked to be positive (a and b are not
    used, and not checked, by the NBD)."""
    model = _model_of(params, model)
    if isinstance(params, BgNbdParams):
        params = (params.r, params.alpha, params.a, params.b)
    r, alpha, a, b = (float(value) for value in params)
    if not (r > 0 and alpha > 0 and (model == NBD or (a > 0 and b > 0))):
        raise ValueError(f"{NAMES[model]} parameters must be > 0, got r={r}, alpha={alpha}, a={a}, b={b}")
    return r, alpha, a, b


def _model_of(params, model: str | None) -> str:
    """The model a prediction uses: ``model`` when given, else the one a BgNbdParams was fitted as, else BG/NBD."""
    if model is None:
        model = params.model if isinstance(params, BgNbdParams) else "bgnbd"
    if model not in NAMES:
        raise ValueError(f"unknown purchase model {model!r}: expected one of {', '.join(NAMES)}")
    return model


def _shape(model: str, b: float, ux: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """What tells the two models apart, per x: (b', dropout possible, the x used where it was).

    Both likelihoods are A1 + ln(exp(A2) + [dropout possible] exp(A3)) with
      A2 = ln B(a, b' + x) - ln B(a, b') - (r + x) ln(alpha + T),
      A3 = ln B(a + 1, b' + x - 1) - ln B(a, b') - (r + x) ln(alpha + t_x),
    and, for MBG/NBD, the constant ln B(a, b + 1) - ln B(a, b) = ln(b / (a + b)) added:
      BG/NBD   b' = b,      dropout possible only after a repeat purchase (x > 0);
      MBG/NBD  b' = b + 1,  dropout possible after every purchase, the first included (all x).
    The third value is the x used inside A3 (kept where b' + x - 1 > 0 when A3 is not used).
    """
    if model == "mbgnbd":
        return _shifted_b(model, b), np.ones(len(ux), dtype=bool), ux
    return b, ux > 0, np.maximum(ux, 1.0)


def _shifted_b(model: str, b: float) -> float:
    """b' of ``_shape``: b + 1 for MBG/NBD, b for BG/NBD."""
    return b + 1.0 if model == "mbgnbd" else b


def _bgnbd_mean_ll(log_params: np.ndarray, data: dict, model: str = "bgnbd") -> tuple[float, np.ndarray]:
    """Mean log-likelihood and its gradient with respect to log(r, alpha, a, b).

    BG/NBD (FHL 2005 eq. 6): ln L = A1 + ln(exp(A2) + [x > 0] exp(A3)) with
      A1 = ln G(r + x) - ln G(r) + r ln(alpha)
      A2 = ln B(a, b + x) - ln B(a, b) - (r + x) ln(alpha + T)
      A3 = ln B(a + 1, b + x - 1) - ln B(a, b) - (r + x) ln(alpha + t_x).
    MBG/NBD (Batislam et al. 2007 eq. 2): the same with b + 1 for b and A3 for every x, plus
    ln(b / (a + b)) (``_shape``).  Terms that only depend on x are evaluated once per distinct x.
    """
    r, alpha, a, b_true = np.exp(log_params)
    ux, index, weight = data["ux"], data["index"], data["weight"]
    x, t_x, T = data["x"], data["t_x"], data["T"]
    b, repeat, ux1 = _shape(model, b_true, ux)
    base = special.betaln(a, b)
    c1 = special.gammaln(r + ux) - special.gammaln(r) + r * np.log(alpha)
    c2 = special.betaln(a, b + ux) - base
    c3 = np.where(repeat, special.betaln(a + 1, b + ux1 - 1) - base, -np.inf)
    log_alpha_T, log_alpha_t = np.log(alpha + T), np.log(alpha + t_x)
    a2 = c2[index] - (r + x) * log_alpha_T
    a3 = c3[index] - (r + x) * log_alpha_t
    mixture = np.logaddexp(a2, a3)
    w2 = np.exp(a2 - mixture)
    w3 = np.exp(a3 - mixture)
    total = weight.sum()
    value = _dot(weight, c1[index] + mixture) / total
    if model == "mbgnbd":
        value += np.log(b_true) - np.log(a + b_true)

    psi_ab, psi_abx = special.digamma(a + b), special.digamma(a + b + ux)
    psi_b = special.digamma(b)
    by_x2 = np.bincount(index, weights=weight * w2, minlength=len(ux))
    by_x3 = np.bincount(index, weights=weight * w3, minlength=len(ux))
    by_x = np.bincount(index, weights=weight, minlength=len(ux))
    d_r = _dot(by_x, special.digamma(r + ux) - special.digamma(r) + np.log(alpha))
    d_r -= _dot(weight, w2 * log_alpha_T + w3 * log_alpha_t)
    d_alpha = r / alpha * total - _dot(weight * (r + x), w2 / (alpha + T) + w3 / (alpha + t_x))
    d_a = _dot(by_x2, psi_ab - psi_abx)
    d_a += _dot(by_x3, np.where(repeat, special.digamma(a + 1) - special.digamma(a) + psi_ab - psi_abx, 0.0))
    d_b = _dot(by_x2, special.digamma(b + ux) - psi_abx - psi_b + psi_ab)
    d_b += _dot(by_x3, np.where(repeat, special.digamma(b + ux1 - 1) - psi_abx - psi_b + psi_ab, 0.0))
    if model == "mbgnbd":
        d_a -= total / (a + b_true)
        d_b += total * (1 / b_true - 1 / (a + b_true))
    gradient = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b_true]) / total
    return float(value), gradient


def _bgnbd_data(x, t_x, T, weights) -> dict:
    x, t_x, T = _rfm_arrays(x, t_x, T)
    (x, t_x, T), weight = _aggregate(_weights(weights, len(x)), x, t_x, T)
    ux, index = np.unique(x, return_inverse=True)
    return {"x": x, "t_x": t_x, "T": T, "weight": weight, "ux": ux, "index": index}


def bgnbd_log_likelihood(params_tuple, x, t_x, T, weights=None, model: str | None = None) -> float:
    """Total log-likelihood of (r, alpha, a, b), weighted by ``weights``: BG/NBD (FHL 2005 eq. 6) or,
    with ``model="mbgnbd"``, MBG/NBD (Batislam et al. 2007)."""
    model = _model_of(params_tuple, model)
    if model == NBD:
        raise ValueError("bgnbd_log_likelihood: use nbd_log_likelihood for the NBD")
    params = np.array(_params_tuple(params_tuple, model))
    data = _bgnbd_data(x, t_x, T, weights)
    if not data["weight"].size:
        return 0.0
    value, _ = _bgnbd_mean_ll(np.log(params), data, model)
    return value * float(data["weight"].sum())


def _bgnbd_start(data: dict, initial) -> np.ndarray:
    if initial is not None:
        return np.log(np.array(_params_tuple(initial)))
    weight = data["weight"]
    rate = max(_dot(weight, data["x"]), 1.0) / max(_dot(weight, data["T"]), 1e-9)
    return np.log(np.array([1.0, 1.0 / rate, 1.0, 1.0]))


def fit_bgnbd(x, t_x, T, weights=None, initial=None, model: str = "bgnbd") -> BgNbdParams:
    """Fit BG/NBD by maximum likelihood (FHL 2005 eq. 6), optimising log-parameters with BFGS;
    ``model="mbgnbd"`` fits MBG/NBD (Batislam et al. 2007) the same way.

    ``weights`` (optional) counts how many customers each row stands for, so distinct (x, t_x, T) rows
    with counts give the same fit as the expanded rows; identical rows are aggregated internally anyway.
    ``initial`` is an optional starting (r, alpha, a, b).  The result's ``converged`` is False unless the
    optimiser reached a proper interior maximum (see ``_maximise``); that happens with tiny or degenerate
    data, e.g. nobody ever buying again, and the estimates are then not to be trusted.  Rows with T == 0
    are kept (they add 0 to the log-likelihood) and counted in ``customers``.
    Raises ValueError for invalid inputs or when no customer has T > 0.
    """
    started = time.perf_counter()
    data = _bgnbd_data(x, t_x, T, weights)
    if not np.any((data["T"] > 0) & (data["weight"] > 0)):
        raise ValueError("fit_bgnbd needs at least one customer with T > 0 and a positive weight")
    model = _model_of(None, model)
    total = float(data["weight"].sum())
    start = _bgnbd_start(data, initial)
    fit = _maximise(lambda log_params: _bgnbd_mean_ll(log_params, data, model), start, total)
    r, alpha, a, b = (float(value) for value in fit.params)
    seconds = time.perf_counter() - started
    return BgNbdParams(r, alpha, a, b, fit.log_likelihood, fit.converged, fit.iterations, seconds, round(total), model)


def _nbd_mean_ll(log_params: np.ndarray, data: dict) -> tuple[float, np.ndarray]:
    """Mean NBD log-likelihood and its gradient with respect to log(r, alpha): x purchases in (0, T] of a
    Poisson process with rate lambda ~ Gamma(r, alpha), ln L = ln G(r + x) - ln G(r) + r ln(alpha) -
    (r + x) ln(alpha + T) (dropping the terms without parameters), BG/NBD's eq. 6 as a -> 0."""
    r, alpha = np.exp(log_params)
    ux, index, weight, x, T = data["ux"], data["index"], data["weight"], data["x"], data["T"]
    total = weight.sum()
    by_x = np.bincount(index, weights=weight, minlength=len(ux))
    log_alpha_T = np.log(alpha + T)
    value = _dot(by_x, special.gammaln(r + ux) - special.gammaln(r)) + total * r * np.log(alpha)
    value -= _dot(weight * (r + x), log_alpha_T)
    d_r = _dot(by_x, special.digamma(r + ux) - special.digamma(r)) + total * np.log(alpha) - _dot(weight, log_alpha_T)
    d_alpha = total * r / alpha - _dot(weight * (r + x), 1 / (alpha + T))
    return float(value / total), np.array([d_r * r, d_alpha * alpha]) / total


def nbd_log_likelihood(r: float, alpha: float, x, T, weights=None) -> float:
    """Total NBD log-likelihood (see ``_nbd_mean_ll``); equal to BG/NBD's and MBG/NBD's as a -> 0."""
    data = _bgnbd_data(x, np.zeros(len(np.atleast_1d(x))), T, weights)
    if not data["weight"].size:
        return 0.0
    value, _ = _nbd_mean_ll(np.log(np.array([r, alpha], dtype=np.float64)), data)
    return value * float(data["weight"].sum())


def fit_nbd(x, T, weights=None) -> BgNbdParams:
    """Fit the NBD (purchasing without dropout) by maximum likelihood; a and b of the result are NaN.

    BG/NBD and MBG/NBD tend to it when the dropout probability goes to 0 (a -> 0): when their fit runs
    off to that edge, the data show no sign of customers leaving within the calibration period and the
    maximum likelihood is the NBD's (Ehrenberg 1959; Morrison & Schmittlein 1988). ``converged`` as in
    ``fit_bgnbd``.
    """
    started = time.perf_counter()
    x, T = _vector(x, "x"), _vector(T, "T")
    data = _bgnbd_data(x, np.zeros(len(x)), T, weights)
    if not np.any((data["T"] > 0) & (data["weight"] > 0)):
        raise ValueError("fit_nbd needs at least one customer with T > 0 and a positive weight")
    total = float(data["weight"].sum())
    rate = max(_dot(data["weight"], data["x"]), 1.0) / max(_dot(data["weight"], data["T"]), 1e-9)
    fit = _maximise(lambda log_params: _nbd_mean_ll(log_params, data), np.log(np.array([1.0, 1.0 / rate])), total)
    r, alpha = (float(value) for value in fit.params)
    seconds = time.perf_counter() - started
    return BgNbdParams(
        r,
        alpha,
        float("nan"),
        float("nan"),
        fit.log_likelihood,
        fit.converged,
        fit.iterations,
        seconds,
        round(total),
        NBD,
    )


def _log_odds_dead(params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, model: str) -> np.ndarray:
    """ln(a / (b' + x - 1)) + (r + x) ln((alpha + T) / (alpha + t_x)) where dropout was possible, else -inf
    (b' and where: ``_shape``)."""
    r, alpha, a, b = _params_tuple(params, model)
    if model == NBD:
        return np.full(len(x), -np.inf)
    shifted, possible, xs = _shape(model, b, x)
    log_odds = np.log(a) - np.log(shifted + xs - 1) + (r + xs) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(possible, log_odds, -np.inf)


def p_alive(params, x, t_x, T, model: str | None = None) -> np.ndarray:
    """P(alive at T | x, t_x, T).

    BG/NBD (FHL 2005; the note "Computing P(alive) using the BG/NBD model"):
      1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)); a customer without a repeat
      purchase cannot have dropped out, so p_alive is exactly 1 for x == 0.
    MBG/NBD (Batislam et al. 2007): 1 / (1 + a / (b + x) ((alpha + T) / (alpha + t_x))^(r + x)) for every x.
    NBD (no dropout): 1.
    """
    model = _model_of(params, model)
    x, t_x, T = _rfm_arrays(x, t_x, T)
    return special.expit(-_log_odds_dead(params, x, t_x, T, model))


def _growth(r: float, alpha: float, a: float, b: float, t: float, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """(a + b + x - 1) / (a - 1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)], z = t/(alpha+T+t).

    The numerator of FHL 2005 eq. 10 (eq. 9 when x = 0 and T = 0).  The Euler transformation
    2F1(A, B; C; z) = (1 - z)^(C - A - B) 2F1(C - A, C - B; C; z) turns the bracket into
    1 - (1 - z)^(a - 1) 2F1(a - 1, a + b - 1 - r; a + b + x - 1; z), whose series has small parameters and
    does not blow up for large x or z near 1 (the original 2F1 grows like (1 - z)^(a - 1 - r - x)).
    At a = 1 the expression is 0/0 with a finite limit; within A_NEAR_ONE of it we interpolate linearly
    between a = 1 -+ A_NEAR_ONE (error about A_NEAR_ONE^2).
    The MBG/NBD numerator is this with b + 1 for b (Batislam et al. 2007 eq. 8).
    """
    if abs(a - 1.0) >= A_NEAR_ONE:
        return _growth_away_from_one(r, alpha, a, b, t, x, T)
    low = _growth_away_from_one(r, alpha, 1.0 - A_NEAR_ONE, b, t, x, T)
    high = _growth_away_from_one(r, alpha, 1.0 + A_NEAR_ONE, b, t, x, T)
    return low + (high - low) * (a - 1.0 + A_NEAR_ONE) / (2 * A_NEAR_ONE)


def _growth_away_from_one(
    r: float, alpha: float, a: float, b: float, t: float, x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    if t <= 0:
        return np.zeros_like(x)
    c = a + b + x - 1
    z = t / (alpha + T + t)
    log_power = (a - 1) * np.log1p(-z)
    series = special.hyp2f1(a - 1, a + b - 1 - r, c, z)
    bracket = -np.expm1(log_power) - np.exp(log_power) * (series - 1)  # 1 - (1 - z)^(a - 1) 2F1, rounded less
    return c / (a - 1) * bracket


def _expected_for_horizons(params, horizons: Sequence[float], x, t_x, T, model: str | None = None) -> list[np.ndarray]:
    """eq. 10 for several horizons, evaluating 2F1 once per distinct (x, T) and horizon."""
    model = _model_of(params, model)
    x, t_x, T = _rfm_arrays(x, t_x, T)
    if not len(x):
        return [np.zeros(0) for _ in horizons]
    (ux, uT), inverse = _group_rows(x, T)
    alive = special.expit(-_log_odds_dead(params, x, t_x, T, model))
    return [_growth_of(params, model, float(t), ux, uT)[inverse] * alive for t in horizons]


def _growth_of(params, model: str, t: float, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Expected purchases in (T, T + t] of a customer alive at T: ``_growth`` (b + 1 for b under MBG/NBD),
    or (r + x) t / (alpha + T) under the NBD (the mean of lambda ~ Gamma(r + x, alpha + T), times t)."""
    r, alpha, a, b = _params_tuple(params, model)
    if model == NBD:
        return (r + x) * t / (alpha + T)
    return _growth(r, alpha, a, _shifted_b(model, b), t, x, T)


def first_horizon_reaching(
    params, target: float, horizons: Sequence[float], x, t_x, T, model: str | None = None
) -> np.ndarray:
    """For each customer, the first of the increasing ``horizons`` at which the expected number of
    transactions (eq. 10) reaches ``target``; NaN when none does. One 2F1 evaluation per distinct
    (x, T) and horizon, one vectorised comparison per horizon: no per-customer loop."""
    model = _model_of(params, model)
    x, t_x, T = _rfm_arrays(x, t_x, T)
    found = np.full(len(x), np.nan)
    if not len(x):
        return found
    (ux, uT), inverse = _group_rows(x, T)
    alive = special.expit(-_log_odds_dead(params, x, t_x, T, model))
    for horizon in horizons:
        expected = _growth_of(params, model, _check_horizon(horizon), ux, uT)[inverse] * alive
        reached = np.isnan(found) & (expected >= target)
        found[reached] = horizon
    return found


def _check_horizon(t: float) -> float:
    t = float(t)
    if not np.isfinite(t) or t < 0:
        raise ValueError(f"the horizon t must be a finite number >= 0, got {t}")
    return t


def expected_transactions(params, t: float, x, t_x, T, model: str | None = None) -> np.ndarray:
    """Expected number of transactions in (T, T + t] given x, t_x, T (FHL 2005 eq. 10; for MBG/NBD
    Batislam et al. 2007 eq. 8: b + 1 for b and its own p_alive).

    E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
                          / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)),
    i.e. p_alive times the expected purchases of a customer alive at T.  ``t`` is in the same time unit
    as t_x and T.  Evaluated stably, see ``_growth``.
    """
    return _expected_for_horizons(params, [_check_horizon(t)], x, t_x, T, model)[0]


def expected_transactions_unconditional(params, t: float, model: str | None = None) -> float:
    """E[X(t)] for a customer just acquired: expected repeat purchases in (0, t].

    BG/NBD (FHL 2005 eq. 9): E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))].
    MBG/NBD (Batislam et al. 2007 eq. 6): b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))],
    i.e. eq. 10 at x = t_x = T = 0 in both models.
    """
    zero = np.zeros(1)
    return float(expected_transactions(params, _check_horizon(t), zero, zero, zero, model)[0])


def probability_of_purchase(params, t: float, x, t_x, T, model: str | None = None) -> np.ndarray:
    """P(at least one transaction in (T, T + t] | x, t_x, T) = p_alive * (1 - ((alpha+T)/(alpha+T+t))^(r+x)).

    In both models a customer alive at T can only drop out right after a purchase, so with none in
    (T, T + t] she stays alive; given alive, lambda ~ Gamma(r + x, alpha + T) and P(no purchase in t) is
    that Gamma's Laplace transform at t (FHL 2005 section 3; Batislam et al. 2007).
    """
    r, alpha, _, _ = _params_tuple(params, model)
    t = _check_horizon(t)
    x, t_x, T = _rfm_arrays(x, t_x, T)
    none = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
    return p_alive(params, x, t_x, T, model) * (1.0 - none)


# ----------------------------------------------------------------------------------------------------
# Gamma-Gamma
# ----------------------------------------------------------------------------------------------------


def _gamma_gamma_mean_ll(log_params: np.ndarray, data: dict) -> tuple[float, np.ndarray]:
    """Mean log-likelihood of the repeat means and its gradient with respect to log(p, q, gamma).

    The mean m of x transactions of a customer has density (Colombo & Jiang 1999; FHL 2005 JMR)
      f(m | p, q, gamma, x) = G(px + q) / (G(px) G(q)) gamma^q m^(px-1) x^(px) / (gamma + m x)^(px + q).
    """
    p, q, gamma = np.exp(log_params)
    x, mx, weight, ux, by_x = data["x"], data["mx"], data["weight"], data["ux"], data["by_x"]
    total = data["total"]
    log_spend = np.log(gamma + mx)
    px = p * ux
    psi_pxq = special.digamma(px + q)
    per_x = special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(gamma)
    linear = p * data["sum_x_log_mx"] - data["sum_log_m"]  # sum of w ((px - 1) ln m + px ln x)
    value = _dot(by_x, per_x) + linear - _dot(weight * (p * x + q), log_spend)
    d_p = _dot(by_x, ux * (psi_pxq - special.digamma(px))) + data["sum_x_log_mx"] - _dot(weight * x, log_spend)
    d_q = _dot(by_x, psi_pxq - special.digamma(q)) + total * np.log(gamma) - _dot(weight, log_spend)
    d_gamma = total * q / gamma - _dot(weight * (p * x + q), 1 / (gamma + mx))
    gradient = np.array([d_p * p, d_q * q, d_gamma * gamma]) / total
    return float(value / total), gradient


def _gamma_gamma_data(x, m, weights) -> dict:
    """Rows with x > 0 and m > 0, aggregated, with the sums that do not depend on the parameters."""
    x, m = _vector(x, "x"), _vector(m, "m")
    _same_length(x=x, m=m)
    _check_counts(x)
    weights = _weights(weights, len(x))
    use = (x > 0) & (m > 0)
    (x, m), weight = _aggregate(weights[use], x[use], m[use])
    ux, index = np.unique(x, return_inverse=True)
    return {
        "x": x,
        "mx": m * x,
        "weight": weight,
        "total": float(weight.sum()),
        "ux": ux,
        "by_x": np.bincount(index, weights=weight, minlength=len(ux)),
        "sum_x_log_mx": _dot(weight * x, np.log(m * x)),
        "sum_log_m": _dot(weight, np.log(m)),
        "mean_m": _dot(weight, m) / max(float(weight.sum()), 1e-300),
    }


def gamma_gamma_log_likelihood(params_tuple, x, m, weights=None) -> float:
    """Total Gamma-Gamma log-likelihood of (p, q, gamma) over the customers with x > 0 and m > 0."""
    p, q, gamma = (float(value) for value in params_tuple)
    if min(p, q, gamma) <= 0:
        raise ValueError(f"Gamma-Gamma parameters must be > 0, got p={p}, q={q}, gamma={gamma}")
    data = _gamma_gamma_data(x, m, weights)
    if not data["weight"].size:
        return 0.0
    value, _ = _gamma_gamma_mean_ll(np.log(np.array([p, q, gamma])), data)
    return value * data["total"]


def fit_gamma_gamma(x, m, weights=None) -> GammaGammaParams:
    """Fit the Gamma-Gamma spend model by maximum likelihood on log(p, q, gamma) with BFGS.

    Only customers with x > 0 and m > 0 are used: customers without a repeat transaction have no repeat
    mean, and a zero (or negative, after refunds) mean has no Gamma density.  ``customers`` in the result
    counts the customers used.  ``weights`` works as in ``fit_bgnbd``.  Raises ValueError for invalid
    inputs or when no customer passes the filter.
    """
    started = time.perf_counter()
    data = _gamma_gamma_data(x, m, weights)
    if not data["weight"].size:
        raise ValueError("fit_gamma_gamma needs at least one customer with x > 0, m > 0 and a positive weight")
    total = data["total"]
    start = np.log(np.array([1.0, 2.0, data["mean_m"]]))
    fit = _maximise(lambda log_params: _gamma_gamma_mean_ll(log_params, data), start, total)
    p, q, gamma = (float(value) for value in fit.params)
    seconds = time.perf_counter() - started
    return GammaGammaParams(p, q, gamma, fit.log_likelihood, fit.converged, fit.iterations, seconds, round(total))


def expected_average_value(gg: GammaGammaParams, x, m) -> np.ndarray:
    """E[M | x, m] = (p (gamma + x m)) / (p x + q - 1) (FHL 2005 JMR, eq. 5; Colombo & Jiang 1999).

    A weighted average of the population mean p gamma / (q - 1) and the observed repeat mean m, with weight
    p x / (p x + q - 1) on m.  For x == 0 this is the population mean (m is ignored).  Raises ValueError
    when the expectation is infinite (p x + q <= 1, e.g. q <= 1 for customers with x == 0).
    """
    x, m = _vector(x, "x"), _vector(m, "m")
    _same_length(x=x, m=m)
    _check_counts(x)
    denominator = gg.p * x + gg.q - 1
    if np.any(denominator <= 0):
        raise ValueError(f"Gamma-Gamma expectation is infinite (p x + q <= 1; q = {gg.q:.4g})")
    return gg.p * (gg.gamma + np.where(x > 0, x * m, 0.0)) / denominator


# ----------------------------------------------------------------------------------------------------
# CLV and the RFM summary
# ----------------------------------------------------------------------------------------------------


def predicted_clv(
    bg: BgNbdParams,
    gg: GammaGammaParams,
    x,
    t_x,
    T,
    m,
    horizon_units: float,
    units_per_month: float,
    monthly_discount_rate: float,
) -> np.ndarray:
    """Discounted expected revenue over the next ``horizon_units`` time units.

    CLV = E[M | x, m] * sum_k (E[Y(b_k)] - E[Y(b_{k-1})]) / (1 + d)^k, with month boundaries
    b_k = min(k * units_per_month, horizon_units), k = 1 .. ceil(horizon_units / units_per_month), b_0 = 0,
    E[Y] from eq. 10 and d the monthly discount rate; a partial last month is discounted as month k.
    """
    horizon, month = _check_horizon(horizon_units), float(units_per_month)
    if not np.isfinite(month) or month <= 0:
        raise ValueError(f"units_per_month must be > 0, got {units_per_month}")
    if not np.isfinite(monthly_discount_rate) or monthly_discount_rate <= -1:
        raise ValueError(f"monthly_discount_rate must be > -1, got {monthly_discount_rate}")
    months = int(np.ceil(horizon / month - 1e-9))
    boundaries = [min(k * month, horizon) for k in range(1, months + 1)]
    value = expected_average_value(gg, x, m)
    cumulative = _expected_for_horizons(bg, boundaries, x, t_x, T)
    previous = np.zeros_like(value)
    discounted = np.zeros_like(value)
    for k, expected in enumerate(cumulative, start=1):
        discounted += (expected - previous) / (1 + monthly_discount_rate) ** k
        previous = expected
    return value * discounted


def summary_from_transactions(customer_ids, dates, amounts, calibration_end, period_days: float = 7) -> dict:
    """Per-customer x, t_x, T, m from raw transactions, in the BG/NBD literature's convention.

    Only transactions dated on or before ``calibration_end`` count.  Transactions of a customer on the same
    day are merged into one (amounts summed).  x = distinct purchase days - 1; t_x = (last day - first day)
    / period_days and T = (calibration_end - first day) / period_days, in fractional periods of
    ``period_days`` days counted from each date (not calendar weeks); m = mean amount of the repeat
    (non-first) purchase days, 0 when x == 0.  ``dates`` may be anything numpy turns into datetime64[D]
    (date objects, ISO strings, datetime64); times of day are dropped (timezone-aware values count in UTC,
    so convert them to local dates first).  Amounts may be negative (refunds); they are summed as given.
    Returns numpy arrays under customer_id (sorted), x (int64), t_x, T, m (float64) and first_date
    (datetime64[D]), one entry per customer with a transaction in the period.
    """
    ids = np.asarray(customer_ids).reshape(-1)
    days = np.asarray(dates).astype("datetime64[D]").reshape(-1)
    amounts = _vector(amounts, "amounts")
    _same_length(customer_ids=ids, dates=days, amounts=amounts)
    if np.any(np.isnat(days)):
        raise ValueError("dates contains missing values (NaT)")
    if not period_days > 0:
        raise ValueError(f"period_days must be > 0, got {period_days}")
    end = np.datetime64(calibration_end, "D")
    keep = days <= end
    customer_id, code = np.unique(ids[keep], return_inverse=True)
    first, last, x, m = _per_customer(*_purchase_days(code.reshape(-1), days[keep].astype(np.int64), amounts[keep]))
    return {
        "customer_id": customer_id,
        "x": x,
        "t_x": (last - first) / period_days,
        "T": (end.astype(np.int64) - first) / period_days,
        "m": m,
        "first_date": first.astype("datetime64[D]"),
    }


def _purchase_days(code: np.ndarray, day: np.ndarray, amounts: np.ndarray) -> tuple[np.ndarray, ...]:
    """One row per (customer code, day) with the day's total amount, sorted by code and day."""
    if not len(code):
        return code, day, amounts
    first_day = day.min()
    span = day.max() - first_day + 1
    keys, day_of_row = np.unique(code * span + (day - first_day), return_inverse=True)
    day_amount = np.bincount(day_of_row.reshape(-1), weights=amounts, minlength=len(keys))
    return keys // span, keys % span + first_day, day_amount


def _per_customer(code: np.ndarray, day: np.ndarray, amount: np.ndarray) -> tuple[np.ndarray, ...]:
    """First day, last day, x and repeat mean m per customer from sorted purchase days."""
    if not len(code):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    purchase_days = np.diff(np.r_[starts, len(code)])
    repeat_amount = amount.copy()
    repeat_amount[starts] = 0.0
    x = (purchase_days - 1).astype(np.int64)
    m = np.where(x > 0, np.add.reduceat(repeat_amount, starts) / np.maximum(x, 1), 0.0)
    return day[starts], day[starts + purchase_days - 1], x, m
