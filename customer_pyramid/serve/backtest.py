"""The printed account of a backtest: how the segments and the churn-risk list of the as-of date
predicted the purchases of the horizon after it (from marts.mart_backtest_segments and
marts.mart_backtest_churn_risk, which the build fills when backtest_horizon_days is set)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from customer_pyramid.relations import relation
from customer_pyramid.settings import project_var

SEGMENTATIONS = ("rfm_segment", "lifecycle_stage", "stage_reason", "loyalty_cell", "value_tier")


def backtest_report(query: Callable[[str], list[tuple]]) -> str:
    """The backtest marts in words; `query(sql)` returns the rows of a query on the warehouse (any engine)."""
    segments = query(
        "select as_of_date, horizon_days, segmentation, segment, segment_rank, customers, buyers, buying_share, "
        f"is_ranked, rank_correlation, outranked_by from {relation('mart_backtest_segments')} "
        "order by segmentation, segment_rank desc, segment"
    )
    if not segments:
        return "Backtest: no customers at the as-of date, nothing to measure."
    as_of, horizon = segments[0][0], segments[0][1]
    end = as_of + datetime.timedelta(days=horizon)
    data_end = query(f"select max(order_date) from {relation('int_orders')}")[0][0]
    lines = [f"Backtest as of {as_of}: purchases in the next {horizon} days (to {end}); the data ends {data_end}."]
    if data_end is None or data_end < end:
        lines.append(
            f"Warning: the data ends before the horizon does: purchases after {data_end} are missing, so every "
            "buying share below is too low. Choose an earlier --as-of or a shorter --horizon-days."
        )
    lines.append(
        "Share of each segment's customers who bought (segments ranked best first; in brackets: prospects and "
        "segments too small to rank)"
    )
    for segmentation in SEGMENTATIONS:
        rows = [row for row in segments if row[2] == segmentation]
        if not rows:
            continue
        correlation = rows[0][9]
        reading = f"rank correlation {correlation:.2f}" if correlation is not None else "rank correlation n/a"
        shares = ", ".join(
            f"{segment} {share:.0%} of {customers:,}" if ranked else f"[{segment} {share:.0%} of {customers:,}]"
            for _, _, _, segment, _, customers, _, share, ranked, _, _ in rows
        )
        lines.append(f"  {segmentation:<16} {reading}: {shares}")
        for _, _, _, segment, _, _, _, _, _, _, outranked_by in rows:
            if outranked_by:
                lines.append(f"  {'':<16}   {segment} bought less often than lower-ranked {outranked_by}")
    lines += _churn_risk_lines(query)
    lines += _clv_lines(query)
    return "\n".join(lines)


def _clv_lines(query: Callable[[str], list[tuple]]) -> list[str]:
    found = query(
        "select customers, predicted_transactions, actual_transactions, naive_transactions, predicted_revenue, "
        "actual_revenue, mae_transactions, naive_mae_transactions, mae_revenue, naive_mae_revenue, "
        "top_20pct_actual_revenue_share, auc_p_alive, auc_purchase_probability, auc_predicted_transactions, "
        "auc_recency "
        f"from {relation('mart_backtest_clv')} where grouping = 'all'"
    )
    row = found[0] if found else None
    if row is None:
        return [f"CLV: not measured (the model was not fitted; see {relation('fct_clv_model_params')})."]
    customers, predicted, actual, naive, predicted_revenue, actual_revenue = row[:6]
    mae, naive_mae, mae_revenue, naive_mae_revenue, top_share, auc_alive, auc_buying, auc_expected, auc_recency = row[
        6:
    ]
    return [
        f"CLV of {customers:,} buyers: {predicted:,.0f} purchase days predicted, {actual:,} actual "
        f"({_change(predicted, actual)}; naive baseline {naive:,.0f}); revenue {predicted_revenue:,.0f} predicted, "
        f"{actual_revenue:,.0f} actual ({_change(predicted_revenue, actual_revenue)})",
        f"  mean absolute error per buyer: {mae:.2f} purchase days and {mae_revenue:,.2f} of revenue "
        f"(naive baseline {naive_mae:.2f} and {naive_mae_revenue:,.2f}); the top 20% by prediction bought "
        f"{_percent(top_share)} of the revenue",
        f"  who bought again, ranked by (ROC AUC, 0.5 = chance): p_alive {_number(auc_alive)}, probability of "
        f"buying in the horizon {_number(auc_buying)}, expected purchases {_number(auc_expected)}, "
        f"plain recency {_number(auc_recency)}",
    ]


def _change(predicted: float, actual: float) -> str:
    return "n/a" if not actual else f"{(predicted - actual) / actual:+.0%}"


FEEDBACK_SIGNALS = ("detractor", "score_drop")


def _churn_risk_lines(query: Callable[[str], list[tuple]]) -> list[str]:
    rows = query(
        "select risk_level, eligible_buyers, listed, list_precision, list_recall, base_rate, lift, "
        f"listed_buying_share, unlisted_buying_share, score_auc from {relation('mart_backtest_churn_risk')} "
        "order by case risk_level when 'all' then 0 when 'high' then 1 when 'medium' then 2 "
        "when 'low' then 3 when 'unscored' then 4 else 5 end, risk_level"
    )
    if not rows or rows[0][1] == 0:
        return ["Churn-risk list: no buyers it could name."]
    lines = [f"Churn-risk score: ranks who did not buy with ROC AUC {_number(rows[0][-1])} (0.5 = chance)"]
    for level, eligible, listed, precision, recall, base_rate, lift, listed_share, unlisted_share, _ in rows:
        if level in FEEDBACK_SIGNALS:
            lines.append(_feedback_signal_line(level, eligible, listed, precision, base_rate, lift))
            continue
        name = "Churn-risk list (high and medium)" if level == "all" else f"  risk {level}"
        if not listed:
            lines.append(f"{name}: nobody listed")
            continue
        lines.append(
            f"{name}: {listed:,} of {eligible:,} buyers listed; {precision:.0%} of them did not buy (base rate "
            f"{base_rate:.0%}, lift {_number(lift)}), recall {_percent(recall)}; "
            f"bought: listed {_percent(listed_share)}, unlisted {_percent(unlisted_share)}"
        )
    return lines


def _feedback_signal_line(
    signal: str, eligible: int, listed: int, precision: float | None, base_rate: float | None, lift: float | None
) -> str:
    """Whether a feedback signal finds non-buyers among the buyers the score leaves off the list."""
    name = f"  feedback signal {signal} (among the {eligible:,} buyers the score leaves off the list)"
    if not listed:
        return f"{name}: nobody has it"
    minimum = int(project_var("backtest_min_segment_customers"))
    if listed < minimum:
        verdict = f"too few to judge (fewer than {minimum})"
    else:
        verdict = "helps" if lift is not None and lift > 1 else "does not help"
    return (
        f"{name}: {listed:,} have it; {precision:.0%} of them did not buy against {_percent(base_rate)} "
        f"(lift {_number(lift)}): listing them {verdict} (var churn_risk_list_feedback_signals)"
    )


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
