"""Speed, memory and agreement of customer_pyramid.clv.models against the lifetimes package on simulated customers.

Run from the repo root (see benchmarks/README.md for the venv):

    .venv-bench/bin/python benchmarks/clv_benchmark.py [--customers 1000000] [--seed 7]

Simulates a BG/NBD + Gamma-Gamma population (weekly time unit, day-granular recency and age), fits it with
our fit_bgnbd + fit_gamma_gamma and with lifetimes' BetaGeoFitter + GammaGammaFitter on the same per-customer
summary, and prints seconds, peak traced memory, parameters, log-likelihoods, the speed ratio lifetimes/ours
and the largest relative parameter difference.  Exits 1 when the ratio is below MIN_SPEEDUP, parameters
differ by more than MAX_RELATIVE_DIFFERENCE or a fit did not converge.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from customer_pyramid.clv import models as clv  # noqa: E402

TRUE_PARAMS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "gamma": 15.44}
PARAM_NAMES = tuple(TRUE_PARAMS)
MIN_SPEEDUP = 5.0
MAX_RELATIVE_DIFFERENCE = 1e-4
WARM_UP_CUSTOMERS = 2_000
DAYS_OBSERVED = 364  # first purchases spread over a year; T between 1 and 364 days


def simulate(customers: int, seed: int) -> dict[str, np.ndarray]:
    """x, t_x, T (weeks) and m of a BG/NBD + Gamma-Gamma population with the CDNOW estimates as truth.

    Per customer: lambda ~ Gamma(r, 1/alpha), p ~ Beta(a, b), the number of purchases in (0, T] is Poisson,
    the customer drops out after a Geometric(p) number of repeat purchases, and given n purchases in (0, T]
    the x-th purchase time is T times a Beta(x, n - x + 1) order statistic.  t_x and T are rounded up to
    whole days.  Repeat spend: nu ~ Gamma(q, 1/gamma), the sum of x values ~ Gamma(p x, 1/nu).
    """
    truth = TRUE_PARAMS
    rng = np.random.default_rng(seed)
    days = rng.integers(1, DAYS_OBSERVED + 1, customers)
    T = days / 7
    rate = rng.gamma(truth["r"], 1 / truth["alpha"], customers)
    dropout = rng.beta(truth["a"], truth["b"], customers)
    purchases = rng.poisson(rate * T)
    x = np.minimum(purchases, rng.geometric(dropout))
    share = rng.beta(np.maximum(x, 1), purchases - x + 1)
    last_day = np.where(x > 0, np.clip(np.ceil(share * days), 1, days), 0)
    scale = rng.gamma(truth["q"], 1 / truth["gamma"], customers)
    spend = rng.gamma(truth["p"] * np.maximum(x, 1), 1 / scale)
    m = np.where(x > 0, spend / np.maximum(x, 1), 0.0)
    return {"x": x.astype(np.float64), "t_x": last_day / 7, "T": T, "m": m}


def fit_ours(data: dict[str, np.ndarray]) -> tuple[dict[str, float], list[float]]:
    """Our fits on the per-customer summary; returns the parameters and the seconds of each model."""
    started = time.perf_counter()
    bg = clv.fit_bgnbd(data["x"], data["t_x"], data["T"])
    middle = time.perf_counter()
    gg = clv.fit_gamma_gamma(data["x"], data["m"])
    seconds = [middle - started, time.perf_counter() - middle]
    if not (bg.converged and gg.converged):
        raise RuntimeError(f"our fit did not converge: {bg}, {gg}")
    return {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b, "p": gg.p, "q": gg.q, "gamma": gg.gamma}, seconds


def fit_lifetimes(data: dict[str, np.ndarray]) -> tuple[dict[str, float], list[float]]:
    """lifetimes as documented: BetaGeoFitter on every customer, GammaGammaFitter on the repeat buyers.

    Its fit also computes the Hessian (autograd) for standard errors, which is part of what a user waits for.
    """
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    started = time.perf_counter()
    bg = BetaGeoFitter().fit(data["x"], data["t_x"], data["T"])
    middle = time.perf_counter()
    repeat = (data["x"] > 0) & (data["m"] > 0)
    gg = GammaGammaFitter().fit(data["x"][repeat], data["m"][repeat])
    seconds = [middle - started, time.perf_counter() - middle]
    r, alpha, a, b = (float(value) for value in bg.params_[["r", "alpha", "a", "b"]])
    p, q, gamma = (float(value) for value in gg.params_[["p", "q", "v"]])
    return {"r": r, "alpha": alpha, "a": a, "b": b, "p": p, "q": q, "gamma": gamma}, seconds


def peak_megabytes(fit: Callable, data: dict[str, np.ndarray]) -> float:
    """Peak memory traced by tracemalloc (numpy reports its buffers) during a second, untimed run."""
    tracemalloc.start()
    try:
        fit(data)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def log_likelihoods(params: dict[str, float], data: dict[str, np.ndarray]) -> tuple[float, float]:
    bg = clv.bgnbd_log_likelihood(
        [params[name] for name in ("r", "alpha", "a", "b")], data["x"], data["t_x"], data["T"]
    )
    gg = clv.gamma_gamma_log_likelihood([params[name] for name in ("p", "q", "gamma")], data["x"], data["m"])
    return bg, gg


def max_relative_difference(ours: dict[str, float], theirs: dict[str, float]) -> float:
    return max(abs(ours[name] - theirs[name]) / abs(theirs[name]) for name in PARAM_NAMES)


def describe(data: dict[str, np.ndarray]) -> str:
    repeaters = int(np.count_nonzero(data["x"] > 0))
    distinct = len(np.unique(np.stack([data["x"], data["t_x"], data["T"]]), axis=1)[0])
    return f"{len(data['x']):,} customers, {repeaters:,} with a repeat purchase, {distinct:,} distinct (x, t_x, T)"


def table(rows: list[dict]) -> str:
    """One line per implementation: seconds (BG/NBD, Gamma-Gamma, total), peak MB, parameters, log-likelihoods."""
    header = f"{'':<10} {'BG/NBD s':>8} {'GG s':>6} {'total s':>7} {'peak MB':>7} "
    header += " ".join(f"{name:>9}" for name in PARAM_NAMES) + f" {'LL BG/NBD':>14} {'LL Gamma-Gamma':>14}"
    lines = [header]
    for row in rows:
        bg_seconds, gg_seconds = row["seconds"]
        values = " ".join(f"{row['params'][name]:>9.6g}" for name in PARAM_NAMES)
        ll_bg, ll_gg = row["log_likelihoods"]
        line = f"{row['label']:<10} {bg_seconds:>8.2f} {gg_seconds:>6.2f} {bg_seconds + gg_seconds:>7.2f} "
        lines.append(line + f"{row['megabytes']:>7.0f} {values} {ll_bg:>14.3f} {ll_gg:>14.3f}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers to simulate (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the simulation (default 7)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data = simulate(args.customers, args.seed)
    print(f"Simulated {describe(data)} (seed {args.seed}); true parameters {TRUE_PARAMS}")
    rows = []
    warm_up = simulate(WARM_UP_CUSTOMERS, args.seed + 1)
    for label, fit in (("ours", fit_ours), ("lifetimes", fit_lifetimes)):
        fit(warm_up)  # one-time costs (lazy imports, BLAS/LAPACK start-up) are not what we compare
        params, seconds = fit(data)
        megabytes = peak_megabytes(fit, data)
        rows.append(
            {
                "label": label,
                "seconds": seconds,
                "megabytes": megabytes,
                "params": params,
                "log_likelihoods": log_likelihoods(params, data),
            }
        )
    print(table(rows))
    speedup = sum(rows[1]["seconds"]) / sum(rows[0]["seconds"])
    difference = max_relative_difference(rows[0]["params"], rows[1]["params"])
    print(f"speed ratio lifetimes/ours: {speedup:.1f}x (required >= {MIN_SPEEDUP:g}x)")
    print(f"max relative parameter difference: {difference:.2e} (allowed {MAX_RELATIVE_DIFFERENCE:g})")
    ok = speedup >= MIN_SPEEDUP and difference <= MAX_RELATIVE_DIFFERENCE
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
