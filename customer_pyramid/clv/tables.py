"""The CLV step of the build: summary table in, parameter and prediction tables out (pyarrow).

The dbt Python models `fct_clv_model_params` and `fct_customer_clv` are thin wrappers around
`fit_table` and `predict_table`, so this logic is tested by pytest without dbt. The maths is in
`customer_pyramid.clv`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from customer_pyramid.clv import models as clv

PARAM_COLUMNS = ("r", "alpha", "a", "b", "p", "q", "gamma")
NEXT_ORDER_MAX_DAYS = 365
CLV_MODELS = ("auto", *clv.MODELS)
SELECTION_TIE = 0.001  # auto: holdout errors within 0.1% of each other are a tie, kept by BG/NBD
NBD_LIMIT_TOLERANCE = 1e-3  # a fit no better than the NBD by more than this log-likelihood is at its limit


@dataclass(frozen=True)
class Settings:
    period_days: float = 7.0
    min_buyers: int = 100
    horizon_months: int = 12
    monthly_discount_rate: float = 0.01
    tier_shares: tuple[float, float] = (0.2, 0.5)
    model: str = "auto"
    purchase_horizon_days: int = 90

    def __post_init__(self) -> None:
        if self.model not in CLV_MODELS:
            raise ValueError(f"var clv_model must be one of {', '.join(CLV_MODELS)}, got {self.model!r}")

    @classmethod
    def from_config(cls, get) -> Settings:
        """Read the settings from a dbt Python model's config (values may arrive as text)."""
        shares = get("clv_value_tier_shares")
        if isinstance(shares, str):
            shares = [float(part) for part in shares.strip("[]() ").split(",")]
        return cls(
            period_days=float(get("clv_period_days")),
            min_buyers=int(float(get("clv_min_buyers"))),
            horizon_months=int(float(get("clv_horizon_months"))),
            monthly_discount_rate=float(get("clv_monthly_discount_rate")),
            tier_shares=(float(shares[0]), float(shares[1])),
            model=str(get("clv_model")),
            purchase_horizon_days=int(float(get("churn_risk_horizon_days"))),
        )


def as_table(result) -> pa.Table:
    """A relation's `.arrow()` result as a table, sorted by customer_id when it has one (so a fit
    does not depend on the order SQL happened to return the rows). DuckDB may return a stream, which
    must be read in full before the connection runs another query."""
    table = result.read_all() if hasattr(result, "read_all") else result
    return table.sort_by("customer_id") if "customer_id" in table.column_names else table


def _arrays(summary: pa.Table) -> dict[str, np.ndarray]:
    return {
        "x": summary.column("frequency_x").to_numpy().astype(np.float64),
        "t_x": summary.column("recency_t_x").to_numpy().astype(np.float64),
        "T": summary.column("age_t").to_numpy().astype(np.float64),
        "m": summary.column("repeat_mean_value").to_numpy().astype(np.float64),
    }


def fit_table(summary: pa.Table, settings: Settings) -> pa.Table:
    """One row: the purchase model used and why, the fitted parameters, log-likelihoods, customers used,
    window, status and timing. Too few buyers, nobody repeating, or a failed fit give status `skipped` /
    `not_converged` with the reason in `message`, never an exception: the rest of the build goes on."""
    row: dict = {name: None for name in PARAM_COLUMNS}
    row |= {"model": None, "model_selection": None, "purchase_log_likelihood": None}
    row |= {"gamma_gamma_log_likelihood": None, "gamma_gamma_customers": 0}
    row |= {f"{name}_holdout_rmse": None for name in clv.MODELS} | {"split_date": None, "split_customers": None}
    buyers = summary.num_rows
    row["customers"] = buyers
    row["calibration_start"] = _min_date(summary, "first_purchase_date")
    row["calibration_end"] = _min_date(summary, "as_of_date")
    row["period_days"] = settings.period_days
    data = _arrays(summary) if buyers else None
    if buyers < settings.min_buyers:
        return _finish(row, "skipped", f"{buyers} buyers, fewer than clv_min_buyers = {settings.min_buyers}")
    if not np.any(data["x"] > 0):
        return _finish(row, "skipped", "no buyer has a repeat purchase: the models cannot be fitted")
    try:
        fits = {name: _fit_purchase(name, data["x"], data["t_x"], data["T"]) for name in _candidates(settings)}
        bg, reason = _select(fits, summary, settings, row)
        gg = clv.fit_gamma_gamma(data["x"], data["m"])
    except (ValueError, FloatingPointError, np.linalg.LinAlgError) as error:
        return _finish(row, "not_converged", f"the fit failed: {error}")
    dropout = {"a": None, "b": None} if bg.model == clv.NBD else {"a": bg.a, "b": bg.b}
    row |= {"r": bg.r, "alpha": bg.alpha, **dropout, "p": gg.p, "q": gg.q, "gamma": gg.gamma}
    row |= {
        "model": bg.model,
        "model_selection": reason,
        "purchase_log_likelihood": bg.log_likelihood,
        "gamma_gamma_log_likelihood": gg.log_likelihood,
        "gamma_gamma_customers": gg.customers,
    }
    if not (bg.converged and gg.converged):
        which = [name for name, fit in ((clv.NAMES[bg.model], bg), ("Gamma-Gamma", gg)) if not fit.converged]
        return _finish(row, "not_converged", f"{' and '.join(which)} did not converge")
    if gg.q <= 1:
        return _finish(row, "not_converged", f"Gamma-Gamma q = {gg.q:.3f} <= 1: the mean spend is infinite")
    return _finish(row, "fitted", "fitted")


def _candidates(settings: Settings) -> tuple[str, ...]:
    return tuple(clv.MODELS) if settings.model == "auto" else (settings.model,)


def _fit_purchase(model: str, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> clv.BgNbdParams:
    """The model fitted; or, when its fit does not converge and is no better than the NBD (within
    NBD_LIMIT_TOLERANCE), the NBD: the maximum is at the edge where nobody drops out (a -> 0), which
    both models reach as a limit (clv.fit_nbd)."""
    fit = clv.fit_bgnbd(x, t_x, T, model=model)
    if fit.converged:
        return fit
    nbd = clv.fit_nbd(x, T)
    if nbd.converged and nbd.log_likelihood >= fit.log_likelihood - NBD_LIMIT_TOLERANCE:
        return nbd
    return fit


def _described(name: str, fit: clv.BgNbdParams) -> str:
    if fit.model == clv.NBD:
        return f"{clv.MODELS[name]} reaches its no-dropout limit, the NBD"
    return clv.MODELS[name]


def _select(fits: dict, summary: pa.Table, settings: Settings, row: dict) -> tuple[clv.BgNbdParams, str]:
    """The purchase model to use and why (``model_selection``); fills the holdout columns of ``row``.

    A fixed clv_model is used as it is. With `auto`, only models that converged on all buyers compete:
    each is fitted again on the calibration period up to the split date (int_clv_summary) and predicts
    every customer's transactions after it; the smaller root mean squared error per customer wins, BG/NBD on
    a tie (within SELECTION_TIE). Without a usable split (too few customers before it, or a split fit
    that did not converge) the higher log-likelihood on all buyers decides (both have four parameters).
    """
    if settings.model != "auto":
        return fits[settings.model], f"clv_model = {settings.model}: {_described(settings.model, fits[settings.model])}"
    usable = {name: fit for name, fit in fits.items() if fit.converged}
    if not usable:
        return fits["bgnbd"], "auto: neither model converged on all buyers"
    if all(fit.model == clv.NBD for fit in usable.values()):
        return usable[next(iter(usable))], "auto: both models reach their no-dropout limit, the NBD"
    if len(usable) == 1:
        ((name, fit),) = usable.items()
        other = next(clv.MODELS[other] for other in fits if other != name)
        return fit, f"auto: {_described(name, fit)}; {other} did not converge on all buyers"
    errors = _holdout_errors(summary, settings, row)
    if errors is None:
        name = max(usable, key=lambda key: usable[key].log_likelihood)
        customers = row["split_customers"] or 0
        return usable[name], (
            f"auto: {_described(name, usable[name])}, the higher log-likelihood on all buyers "
            f"(no usable holdout: {customers} customers before the split)"
        )
    best = min(errors.values())
    name = "bgnbd" if errors["bgnbd"] <= best * (1 + SELECTION_TIE) else min(errors, key=errors.get)
    shown = ", ".join(f"{clv.MODELS[key]} {value:.4f}" for key, value in errors.items())
    return usable[name], (
        f"auto: {_described(name, usable[name])}, the smaller holdout RMSE per customer after "
        f"{row['split_date']} ({shown})"
    )


def _holdout_errors(summary: pa.Table, settings: Settings, row: dict) -> dict[str, float] | None:
    """Root mean squared error per customer of each model's forecast of the transactions after the split
    date (squared, not absolute: the expected value minimises the squared error, while the absolute error
    rewards forecasting the median, 0 for most customers, i.e. under-forecasting),
    fitted on the data before it; None when the split leaves fewer than clv_min_buyers customers, nobody
    repeating before it, or a fit that does not converge."""
    held = summary.column("split_frequency_x").is_valid()
    split = summary.filter(held)
    row["split_customers"] = split.num_rows
    row["split_date"] = _min_date(summary, "split_date")
    if split.num_rows < settings.min_buyers:
        return None
    x = split.column("split_frequency_x").to_numpy().astype(np.float64)
    t_x = split.column("split_recency_t_x").to_numpy().astype(np.float64)
    T = split.column("split_age_t").to_numpy().astype(np.float64)
    actual = split.column("split_held_out_x").to_numpy().astype(np.float64)
    if not np.any(x > 0):
        return None
    horizon = float(np.max(split.column("age_t").to_numpy() - T))
    errors = {}
    for name in clv.MODELS:
        fit = _fit_purchase(name, x, t_x, T)
        if not fit.converged:
            return None
        errors[name] = float(np.sqrt(np.square(clv.expected_transactions(fit, horizon, x, t_x, T) - actual).mean()))
        row[f"{name}_holdout_rmse"] = errors[name]
    return errors


def _min_date(summary: pa.Table, column: str) -> datetime.date | None:
    dates = [value for value in summary.column(column).to_pylist() if value is not None]
    return min(dates) if dates else None


def _finish(row: dict, status: str, message: str) -> pa.Table:
    row |= {"status": status, "converged": status == "fitted", "message": message}
    return pa.Table.from_pylist([row], schema=PARAMS_SCHEMA)


PARAMS_SCHEMA = pa.schema(
    [("model", pa.string()), ("model_selection", pa.string())]
    + [(name, pa.float64()) for name in PARAM_COLUMNS]
    + [
        ("purchase_log_likelihood", pa.float64()),
        ("gamma_gamma_log_likelihood", pa.float64()),
        ("customers", pa.int64()),
        ("gamma_gamma_customers", pa.int64()),
        ("bgnbd_holdout_rmse", pa.float64()),
        ("mbgnbd_holdout_rmse", pa.float64()),
        ("split_date", pa.date32()),
        ("split_customers", pa.int64()),
        ("calibration_start", pa.date32()),
        ("calibration_end", pa.date32()),
        ("period_days", pa.float64()),
        ("status", pa.string()),
        ("converged", pa.bool_()),
        ("message", pa.string()),
    ]
)

PREDICTION_COLUMNS = (
    "p_alive",
    "purchase_probability",
    "expected_orders_30d",
    "expected_orders_90d",
    "expected_orders_365d",
    "expected_average_order_value",
    "predicted_clv",
)


def predict_table(summary: pa.Table, params: pa.Table, settings: Settings) -> pa.Table:
    """One row per buyer: alive probability, probability of a purchase within churn_risk_horizon_days,
    expected orders in 30 / 90 / 365 days, expected order
    value, discounted predicted CLV over the horizon, the expected next order date and the predicted
    value tier. All null when the parameters are not `fitted`."""
    fitted = _fitted(params)
    count = summary.num_rows
    columns: dict[str, object] = {
        "customer_id": summary.column("customer_id"),
        "as_of_date": summary.column("as_of_date"),
    }
    if fitted is None or count == 0:
        for name in PREDICTION_COLUMNS:
            columns[name] = pa.nulls(count, pa.float64())
        columns["historic_clv"] = summary.column("lifetime_net_revenue")
        columns["total_clv"] = pa.nulls(count, pa.float64())
        columns["expected_next_order_date"] = pa.nulls(count, pa.date32())
        columns["predicted_value_tier"] = pa.nulls(count, pa.string())
        return pa.table(columns)
    data = _arrays(summary)
    bg, gg, _ = fitted
    unit = settings.period_days
    columns["p_alive"] = clv.p_alive(bg, data["x"], data["t_x"], data["T"])
    horizon = settings.purchase_horizon_days / unit
    columns["purchase_probability"] = clv.probability_of_purchase(bg, horizon, data["x"], data["t_x"], data["T"])
    for days in (30, 90, 365):
        expected = clv.expected_transactions(bg, days / unit, data["x"], data["t_x"], data["T"])
        columns[f"expected_orders_{days}d"] = expected
    columns["expected_average_order_value"] = clv.expected_average_value(gg, data["x"], data["m"])
    predicted = clv.predicted_clv(
        bg,
        gg,
        data["x"],
        data["t_x"],
        data["T"],
        data["m"],
        horizon_units=settings.horizon_months * 365.25 / 12 / unit,
        units_per_month=365.25 / 12 / unit,
        monthly_discount_rate=settings.monthly_discount_rate,
    )
    columns["predicted_clv"] = predicted
    columns["historic_clv"] = summary.column("lifetime_net_revenue")
    columns["total_clv"] = predicted + summary.column("lifetime_net_revenue").to_numpy().astype(np.float64)
    as_of = np.array(summary.column("as_of_date").to_numpy(zero_copy_only=False), dtype="datetime64[D]")
    days = _days_to_next_order(bg, data, unit)
    next_dates = np.where(np.isnan(days), np.datetime64("NaT"), as_of + np.nan_to_num(days).astype("timedelta64[D]"))
    columns["expected_next_order_date"] = pa.array(next_dates, type=pa.date32(), from_pandas=True)
    columns["predicted_value_tier"] = pa.array(_value_tiers(predicted, settings.tier_shares), type=pa.string())
    return pa.table(columns)


def _fitted(params: pa.Table) -> tuple[clv.BgNbdParams, clv.GammaGammaParams, float] | None:
    """The purchase model's parameters (BG/NBD, MBG/NBD or the NBD), the Gamma-Gamma parameters and the
    time unit in days of a parameter table (fit_table) whose status is `fitted`; None otherwise."""
    row = params.to_pylist()[0] if params.num_rows else {"status": "skipped"}
    if row["status"] != "fitted":
        return None
    a, b = (float("nan") if row[name] is None else row[name] for name in ("a", "b"))
    bg = clv.BgNbdParams(row["r"], row["alpha"], a, b, 0.0, True, 0, 0.0, 0, row["model"])
    gg = clv.GammaGammaParams(row["p"], row["q"], row["gamma"], 0.0, True, 0, 0.0, 0)
    return bg, gg, row["period_days"]


def _positions(values: np.ndarray) -> np.ndarray:
    """1-based positions ranked highest first, ties broken by position in the input."""
    order = np.argsort(-values, kind="stable")
    position = np.empty(len(values), dtype=np.int64)
    position[order] = np.arange(1, len(values) + 1)
    return position


def _days_to_next_order(bg: tuple, data: dict, unit: float) -> np.ndarray:
    """The first whole day d (1..365) by which one more purchase is expected (E[orders in d days] >= 1);
    NaN when not expected within a year."""
    days = np.arange(1, NEXT_ORDER_MAX_DAYS + 1, dtype=np.float64)
    found = clv.first_horizon_reaching(bg, 1.0, days / unit, data["x"], data["t_x"], data["T"])
    return np.round(found * unit)


def _value_tiers(predicted: np.ndarray, shares: tuple[float, float]) -> list[str]:
    """high = the top shares[0] of buyers by predicted CLV, medium = up to shares[1], low = the rest
    (positions ranked highest first, ties broken by position in the summary)."""
    position = _positions(predicted)
    high = np.ceil(shares[0] * len(predicted))
    medium = np.ceil(shares[1] * len(predicted))
    return np.where(position <= high, "high", np.where(position <= medium, "medium", "low")).tolist()


BACKTEST_SCHEMA = pa.schema(
    [
        ("as_of_date", pa.date32()),
        ("horizon_days", pa.int32()),
        ("grouping", pa.string()),
        ("decile", pa.int32()),
        ("customers", pa.int64()),
        ("predicted_transactions", pa.float64()),
        ("actual_transactions", pa.int64()),
        ("naive_transactions", pa.float64()),
        ("predicted_revenue", pa.float64()),
        ("actual_revenue", pa.float64()),
        ("naive_revenue", pa.float64()),
        ("mae_transactions", pa.float64()),
        ("naive_mae_transactions", pa.float64()),
        ("mae_revenue", pa.float64()),
        ("naive_mae_revenue", pa.float64()),
        ("top_20pct_actual_revenue_share", pa.float64()),
        ("auc_p_alive", pa.float64()),
        ("auc_purchase_probability", pa.float64()),
        ("auc_predicted_transactions", pa.float64()),
        ("auc_recency", pa.float64()),
    ]
)


def backtest_table(summary: pa.Table, params: pa.Table, outcomes: pa.Table, horizon_days: int | None) -> pa.Table:
    """The CLV model of the as-of date against the horizon after it, one row for all buyers and one per
    decile of predicted revenue (1 = the top tenth). Transactions are purchase days, as the model
    counts them. Predicted: BG/NBD expected transactions in the horizon, times the Gamma-Gamma expected
    value for revenue. Naive baseline: each buyer repeats their past rate (repeat transactions per unit
    of time since the first purchase) at their mean repeat value. Mean absolute errors are per buyer;
    the `all` row also gives the top 20% by predicted revenue's share of the actual revenue, and how well
    three scores rank the buyers who bought again (ROC AUC): p_alive, the expected transactions, and
    plain recency (the more recent, the likelier). Empty outside a backtest (no horizon) or when the
    model was not fitted."""
    fitted = _fitted(params)
    if horizon_days is None or fitted is None or summary.num_rows == 0:
        return BACKTEST_SCHEMA.empty_table()
    data = _arrays(summary)
    bg, gg, period_days = fitted
    units = horizon_days / period_days
    predicted = clv.expected_transactions(bg, units, data["x"], data["t_x"], data["T"])
    predicted_revenue = predicted * clv.expected_average_value(gg, data["x"], data["m"])
    naive = np.where(data["T"] > 0, data["x"] / np.where(data["T"] > 0, data["T"], 1.0) * units, 0.0)
    naive_revenue = naive * data["m"]
    actual_days, actual_revenue = _outcomes_of(summary, outcomes)
    position = _positions(predicted_revenue)
    deciles = np.ceil(position * 10 / len(position)).astype(np.int64)
    top = position <= np.ceil(0.2 * len(position))
    total_actual = actual_revenue.sum()
    bought = actual_days > 0
    # recency in time units: the larger T - t_x, the longer since the last purchase
    scores = {
        "auc_p_alive": clv.p_alive(bg, data["x"], data["t_x"], data["T"]),
        "auc_purchase_probability": clv.probability_of_purchase(bg, units, data["x"], data["t_x"], data["T"]),
        "auc_predicted_transactions": predicted,
        "auc_recency": -(data["T"] - data["t_x"]),
    }
    aucs = {name: roc_auc(score, bought) for name, score in scores.items()}
    as_of = summary.column("as_of_date")[0].as_py()
    rows = []
    for grouping, decile, members in [("all", None, np.ones(len(position), dtype=bool))] + [
        ("decile", d, deciles == d) for d in range(1, 11)
    ]:
        if not members.any():
            continue
        rows.append(
            {
                "as_of_date": as_of,
                "horizon_days": horizon_days,
                "grouping": grouping,
                "decile": decile,
                "customers": int(members.sum()),
                "predicted_transactions": float(predicted[members].sum()),
                "actual_transactions": int(actual_days[members].sum()),
                "naive_transactions": float(naive[members].sum()),
                "predicted_revenue": float(predicted_revenue[members].sum()),
                "actual_revenue": float(actual_revenue[members].sum()),
                "naive_revenue": float(naive_revenue[members].sum()),
                "mae_transactions": float(np.abs(predicted - actual_days)[members].mean()),
                "naive_mae_transactions": float(np.abs(naive - actual_days)[members].mean()),
                "mae_revenue": float(np.abs(predicted_revenue - actual_revenue)[members].mean()),
                "naive_mae_revenue": float(np.abs(naive_revenue - actual_revenue)[members].mean()),
                "top_20pct_actual_revenue_share": (
                    float(actual_revenue[top].sum() / total_actual) if grouping == "all" and total_actual else None
                ),
                **{name: (value if grouping == "all" else None) for name, value in aucs.items()},
            }
        )
    return pa.Table.from_pylist(rows, schema=BACKTEST_SCHEMA)


def roc_auc(score: np.ndarray, positive: np.ndarray) -> float | None:
    """The probability that a random positive scores above a random negative (ties count half): the
    Mann-Whitney statistic from average ranks. None when either class is empty."""
    positives = int(positive.sum())
    negatives = len(positive) - positives
    if positives == 0 or negatives == 0:
        return None
    ranks = average_ranks(score)
    return float((ranks[positive].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing the average of their positions (as scipy.stats.rankdata, whose
    import alone takes seconds in every build process)."""
    values = np.asarray(values)
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.r_[0, np.flatnonzero(ordered[1:] != ordered[:-1]) + 1]
    ends = np.r_[starts[1:], len(values)]
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat((starts + 1 + ends) / 2.0, ends - starts)
    return ranks


def _outcomes_of(summary: pa.Table, outcomes: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Purchase days and net revenue in the horizon of each buyer of the summary (0 without any)."""
    found = {
        customer: (days, float(revenue))
        for customer, days, revenue in zip(
            outcomes.column("customer_id").to_pylist(),
            outcomes.column("purchase_days_in_horizon").to_pylist(),
            outcomes.column("net_revenue_in_horizon").to_pylist(),
            strict=True,
        )
    }
    pairs = [found.get(customer, (0, 0.0)) for customer in summary.column("customer_id").to_pylist()]
    return np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.float64)


def horizon_from_config(value) -> int | None:
    """The backtest_horizon_days var as a Python model's config gives it (text; `None` when unset)."""
    text = "" if value is None else str(value).strip()
    return None if text.lower() in ("", "none", "null") else int(float(text))
