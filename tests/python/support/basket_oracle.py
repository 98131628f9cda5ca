"""A plain-Python recomputation of market-basket statistics (no SQL, no shared code with the
models): for the affinity tests of the demo data and of UCI Online Retail."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import yaml
from conftest import PROJECT_DIR

VARS = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
TOP = 40


def pair_statistics(baskets: dict[str, set[str]]) -> dict[tuple[str, str], tuple[int, int, int, float]]:
    """(a, b) -> (orders with both, orders with a, orders with b, lift) for the pairs that pass the
    project's default thresholds (in basket_min_pair_orders orders and a basket_min_support share)."""
    total = len(baskets)
    floor = max(VARS["basket_min_pair_orders"], VARS["basket_min_support"] * total)
    singles = Counter(item for items in baskets.values() for item in items)
    frequent = {item for item, count in singles.items() if count >= floor}
    pairs: Counter = Counter()
    for items in baskets.values():
        pairs.update(combinations(sorted(items & frequent), 2))
    return {
        (a, b): (both, singles[a], singles[b], both * total / (singles[a] * singles[b]))
        for (a, b), both in pairs.items()
        if both >= floor
    }


def assert_top_pairs_match(run, table: str, item: str, expected: dict) -> None:
    rows = run.query(
        f"select {item}_a, {item}_b, pair_orders, {item}_a_orders, {item}_b_orders, lift from marts.{table}"
    )
    built = {(a, b): (both, na, nb, lift) for a, b, both, na, nb, lift in rows}
    assert set(built) == set(expected), f"{len(built)} pairs built, {len(expected)} recomputed"
    top = sorted(expected, key=lambda pair: (-expected[pair][0], pair))[:TOP]
    for pair in top:
        assert built[pair][:3] == expected[pair][:3], pair
        assert abs(built[pair][3] - expected[pair][3]) < 1e-9 * expected[pair][3], pair
    assert all(abs(built[pair][3] - expected[pair][3]) < 1e-9 * expected[pair][3] for pair in expected)
