"""The short account printed after a build: the as-of date, what was built, where every raw row went."""

from __future__ import annotations

import duckdb

from customer_pyramid.relations import relation
from customer_pyramid.settings import Settings

OUTCOME_ORDER = ("in_scope", "out_of_scope", "duplicate_collapsed", "quarantined")


def build_summary(settings: Settings, results: list) -> str:
    with settings.connect() as connection:
        as_of, source = connection.execute(
            f"select as_of_date, as_of_date_source from {relation('int_as_of_date')}"
        ).fetchone()
        lines = [f"As-of date: {as_of} ({source}). Warehouse: {settings.database}", _built_line(results)]
        lines += _headline(connection)
        lines += quality_report(connection)
    return "\n".join(lines)


def quality_report(connection) -> list[str]:
    """Where every raw row went (marts.mart_data_quality), with the commonest raw values behind each
    quarantine reason and a hint for the reasons that have one."""
    rows = connection.execute(
        f"select table_name, outcome, reason, row_count, net_amount, source_file from {relation('mart_data_quality')}"
    ).fetchall()
    examples = {
        (table, reason): _examples(connection, table, reason)
        for table, outcome, reason, *_ in rows
        if outcome == "quarantined" and reason
    }
    lines = ["Rows per input table (raw = in scope + out of scope + duplicates + quarantined):"]
    lines += format_quality(rows, examples)
    hints = sorted({HINTS[reason] for _, reason in examples if reason in HINTS})
    return lines + [f"Hint: {hint}" for hint in hints]


# Quarantine reasons that name the raw value at fault (`unknown_status` -> the status column).
EXAMPLE_PREFIXES = ("unparseable_", "unknown_", "negative_")
MAX_EXAMPLES = 3
TIMESTAMP_HINT = (
    "unparseable timestamps: give their layout with --timestamp-format (strptime codes, e.g. '%d/%m/%Y %H:%M')"
)
NUMBER_HINT = (
    "unparseable numbers: write them without currency signs; numbers like 1234,56 need --decimal-comma "
    "(or `decimal_separator: ','` in a mapping)"
)
HINTS = {
    "unknown_status": "unknown statuses: add their spellings to seeds/rules/order_status_aliases.csv, "
    "or translate them in a --mapping file with `values:`",
    "unparseable_ordered_at": TIMESTAMP_HINT,
    "unparseable_occurred_at": TIMESTAMP_HINT,
    "unparseable_amount": NUMBER_HINT,
    "unparseable_refund_amount": NUMBER_HINT,
    "unparseable_unit_price": NUMBER_HINT,
    "unknown_currency": "unknown currencies: if the data is in one currency, pass it as --reporting-currency "
    "(e.g. EUR); otherwise add rates to fx_rates (currency, rate_date, rate)",
    "malformed_line": "malformed lines: raw.load_rejects holds each line with the reader's message "
    "(a field with an unquoted delimiter, or missing fields)",
}


def _examples(connection, table: str, reason: str) -> list[tuple[str, int]]:
    """The commonest raw values behind a quarantine reason that names a column, for the summary."""
    column = next((reason[len(prefix) :] for prefix in EXAMPLE_PREFIXES if reason.startswith(prefix)), None)
    quarantine = relation(f"stg_raw__{table}_quarantined")
    try:
        columns = {row[0] for row in connection.execute(f"describe {quarantine}").fetchall()}
    except duckdb.Error:
        return []
    if column not in columns:
        return []
    return connection.execute(
        f"select {column}, sum(raw_row_count) as n from {quarantine} where reason = ? "
        f"group by all order by n desc, {column} limit {MAX_EXAMPLES}",
        [reason],
    ).fetchall()


def _headline(connection) -> list[str]:
    """Customers, the Pareto headline and the biggest segments, straight from the marts."""
    customers, buyers = connection.execute(
        f"select count(*), count(*) filter (where is_buyer) from {relation('dim_customers')}"
    ).fetchone()
    pareto = connection.execute(
        f"select buyer_share, revenue_share from {relation('mart_pareto')} where is_headline"
    ).fetchone()
    lines = [f"Customers: {customers:,} ({buyers:,} buyers, {customers - buyers:,} prospects)"]
    lines += _identity_lines(connection)
    if pareto and pareto[1] is not None:
        lines.append(f"The top {pareto[0]:.0%} of buyers hold {pareto[1]:.1%} of the revenue of the RFM window")
    lines.append(_clv_line(connection))
    for segmentation in ("rfm_segment", "lifecycle_stage", "loyalty_tier"):
        top = connection.execute(
            f"select segment, customers from {relation('mart_segment_summary')} where segmentation = ? "
            "order by customers desc, segment limit 4",
            [segmentation],
        ).fetchall()
        lines.append(f"  {segmentation:<16} " + ", ".join(f"{segment} {count:,}" for segment, count in top))
    return lines


def _identity_lines(connection) -> list[str]:
    """How source ids became persons (mart_identity_resolution), when any were linked or contacts ignored."""
    try:
        rows = connection.execute(
            f"select measure, detail, total from {relation('mart_identity_resolution')}"
        ).fetchall()
    except duckdb.Error:
        return []
    counts = {(measure, detail): value for measure, detail, value in rows}
    linked = {detail: value for (measure, detail), value in counts.items() if measure == "linked_persons"}
    if not linked:
        return []
    matching = [kind for kind in ("email", "phone") if counts.get(("matching", kind))]
    methods = ", ".join(f"{method} {value:,}" for method, value in sorted(linked.items()))
    lines = [
        f"Identities: {counts.get(('source_ids', 'all'), 0):,} source ids are {counts.get(('persons', 'all'), 0):,} "
        f"persons; persons of linked ids by method: {methods} (matching by "
        f"{' and '.join(matching) if matching else 'email/phone off'})"
    ]
    ignored = [(detail, value) for (measure, detail), value in sorted(counts.items()) if measure == "ignored_contacts"]
    if matching and ignored:
        lines.append("  contacts that link nobody: " + ", ".join(f"{detail} {value:,}" for detail, value in ignored))
    return lines


def _clv_line(connection) -> str:
    """The lifetime-value model's outcome, never hidden: fitted with its parameters, or why not."""
    row = connection.execute(
        "select status, message, model, model_selection, r, alpha, a, b, p, q, gamma, customers "
        f"from {relation('fct_clv_model_params')}"
    ).fetchone()
    from customer_pyramid.clv.models import NAMES  # scipy: only once a build has run

    status, message, model, selection, *params, customers = row
    if status != "fitted":
        return f"CLV model {status.replace('_', ' ')}: {message} (CLV columns are empty)"
    names = ("r", "alpha", "a", "b", "p", "q", "gamma")
    values = ", ".join(f"{name} {value:.4g}" for name, value in zip(names, params, strict=True) if value is not None)
    return f"CLV model fitted on {customers:,} buyers: {NAMES[model]} + Gamma-Gamma, {values}\n  why: {selection}"


def _built_line(results: list) -> str:
    kinds: dict[str, int] = {}
    for item in results:
        kind = str(item.node.resource_type)
        if kind != "operation":
            kinds[kind] = kinds.get(kind, 0) + 1
    parts = [f"{count} {_plural(kind.replace('_', ' '), count)}" for kind, count in sorted(kinds.items())]
    return "Built and checked: " + (", ".join(parts) if parts else "nothing")


def _plural(noun: str, count: int) -> str:
    if count == 1:
        return noun
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def format_quality(rows: list[tuple], examples: dict | None = None) -> list[str]:
    """One line per table (and its file) with the outcome counts, one indented line per quarantine
    reason (with the commonest raw values at fault, when known), and the revenue of each outcome
    where the table carries money."""
    examples = examples or {}
    tables: dict[str, dict] = {}
    for table, outcome, reason, count, amount, source_file in rows:
        entry = tables.setdefault(table, {"outcomes": {}, "reasons": {}, "money": {}, "file": source_file})
        entry["outcomes"][outcome] = entry["outcomes"].get(outcome, 0) + count
        if reason:
            entry["reasons"][reason] = (count, amount)
        if amount is not None:
            key = reason or outcome
            entry["money"][key] = entry["money"].get(key, 0) + amount
    lines = []
    for table in sorted(tables):
        entry = tables[table]
        outcomes = entry["outcomes"]
        raw = sum(outcomes.values())
        counts = ", ".join(f"{outcome} {outcomes.get(outcome, 0):,}" for outcome in OUTCOME_ORDER)
        from_file = f" ({entry['file']})" if entry["file"] else ""
        lines.append(f"  {table:<18} raw {raw:>10,}: {counts}{from_file}")
        for reason, (count, amount) in sorted(entry["reasons"].items()):
            money = f"  revenue {amount:,.2f}" if amount is not None else ""
            seen = ", ".join(f"{value!r} x{times:,}" for value, times in examples.get((table, reason), []))
            seen = f"  e.g. {seen}" if seen else ""
            lines.append(f"  {'':<18}   quarantined {count:>6,} {reason}{money}{seen}")
        if entry["money"]:
            total = sum(entry["money"].values())
            parts = ", ".join(f"{key} {value:,.2f}" for key, value in sorted(entry["money"].items()))
            lines.append(f"  {'':<18}   revenue {total:,.2f} = {parts}")
    return lines
