"""`runner.py report`: one self-contained HTML file of the customer base, from the serving file.

Every panel reads the published marts (customer_pyramid/serve/publish.py), says in one line what it
shows, and draws its charts as inline SVG (customer_pyramid/serve/svg.py): no script is needed to see
it, no font, style or image is fetched, and the file works offline. A panel whose data is absent
(no engagement events, CLV not fitted, one month of history) says why instead of drawing an empty
chart. A small inline script only checks the page in a browser: it marks the page with the number
of charts drawn and any script error, which the browser test reads.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from customer_pyramid.errors import UserError
from customer_pyramid.serve import svg
from customer_pyramid.settings import Settings

CRM_STAGES = ("acquisition", "growth", "maturity", "decline", "departure")
PURCHASE_LEVELS = ("loyal", "regular", "lapsed", "prospect")
COHORT_ROWS = 18  # the latest cohorts shown
COHORT_MONTHS = 13  # months since acquisition 0..12
HISTOGRAM_BINS = 12


@dataclass
class Panel:
    key: str
    title: str
    reading: str  # one line: what the panel shows (or why it is absent)
    body: str = ""  # HTML: charts and tables
    absent: bool = False


def write_report(settings: Settings, out: Path) -> tuple[Path, list[Panel]]:
    """Write the report of the serving file's build to `out` (written whole, then renamed)."""
    serving = settings.serving_database
    if not serving.exists():
        raise UserError(f"no published build at {serving}: run `python runner.py demo` or `build --data-dir DIR` first")
    with settings.connect_read_only(serving) as connection:
        build_id, as_of, published_at = connection.execute(
            "select build_id, as_of_date, published_at from publication.build"
        ).fetchone()
        panels = [panel(Query(connection)) for panel in PANELS]
    html = _page(panels, as_of, build_id, published_at)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(out)
    return out, panels


class Query:
    """The serving file's connection, with the two shapes of answer the panels need."""

    def __init__(self, connection) -> None:
        self.connection = connection

    def rows(self, sql: str) -> list[tuple]:
        return self.connection.execute(sql).fetchall()

    def one(self, sql: str):
        return self.connection.execute(sql).fetchone()[0]


def _share(value) -> str:
    return "n/a" if value is None else f"{float(value):.0%}"


def _money(value) -> str:
    return "n/a" if value is None else f"{float(value):,.0f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


# ---- panels: each takes a Query and returns a Panel


def kpis(query: Query) -> Panel:
    customers, buyers, repeat = query.rows(
        "select count(*), count(*) filter (where is_buyer), count(*) filter (where is_repeat_buyer) "
        "from marts.dim_customers"
    )[0]
    revenue = query.one("select sum(monetary) from marts.fct_customer_rfm")
    top_share = query.one("select max(revenue_share) from marts.mart_pareto where is_headline")
    status, message = query.rows("select status, message from marts.fct_clv_model_params")[0]
    clv = query.one("select avg(predicted_clv) from marts.fct_customer_clv where predicted_clv is not null")
    quarantined = query.one(
        "select coalesce(sum(row_count), 0) from marts.mart_data_quality where outcome = 'quarantined'"
    )
    tiles = [
        ("Customers", f"{customers:,}", "known at the as-of date, prospects included"),
        ("Buyers", f"{buyers:,}", "with at least one valid order"),
        ("Net revenue", _money(revenue), "of valid orders in the RFM window"),
        ("Repeat-purchase rate", _share(repeat / buyers if buyers else None), "buyers with two or more orders"),
        ("Top 20% revenue share", _share(top_share), "of net revenue from the top 20% of buyers"),
        (
            "Average predicted CLV",
            _money(clv) if status == "fitted" else "not fitted",
            "per buyer, next 12 months, discounted" if status == "fitted" else message,
        ),
        ("Rows quarantined", f"{quarantined:,}", "raw rows set aside with a reason"),
    ]
    body = '<div class="tiles">' + "".join(
        f'<div class="tile"><div class="label">{escape(label)}</div><div class="value">{escape(value)}</div>'
        f'<div class="note">{escape(note)}</div></div>'
        for label, value, note in tiles
    )
    body += "</div>"
    repeat_rate = _share(repeat / buyers if buyers else None)
    reading = f"{buyers:,} of {customers:,} customers have bought; {repeat_rate} of them more than once."
    return Panel("kpis", "Key figures", reading, body)


def value_pyramid(query: Query) -> Panel:
    tiers = query.rows(
        "select value_tier, max(tier_customer_share), max(tier_revenue_share) from marts.fct_customer_value "
        "where value_tier is not null group by value_tier, value_tier_rank order by value_tier_rank"
    )
    pareto = query.rows("select buyer_share, revenue_share from marts.mart_pareto order by percentile")
    if not tiers or not pareto:
        return Panel("pyramid", "Value pyramid", "No buyer yet: the pyramid needs valid orders.", absent=True)
    chart = svg.hbars(
        "Share of buyers and of net revenue per value tier",
        [tier for tier, _, _ in tiers],
        [[float(c) for _, c, _ in tiers], [float(r) for _, _, r in tiers]],
        ["share of buyers", "share of net revenue"],
        value_text=lambda value: f"{value:.0%}",
    )
    curve = svg.line(
        "Pareto curve: cumulative share of net revenue by share of buyers",
        [(0.0, 0.0), *((float(b), float(r)) for b, r in pareto)],
        "share of buyers, best first",
        "share of net revenue",
        reference=[(0, 0), (1, 1)],
    )
    top = tiers[0]
    reading = f"The top tier ({top[0]}) is {_share(top[1])} of buyers and brings {_share(top[2])} of net revenue."
    return Panel("pyramid", "Value pyramid and the Pareto curve", reading, chart + curve)


def rfm_grid(query: Query) -> Panel:
    cells = query.rows(
        "select r_score, f_score, count(*), any_value(rfm_segment) from marts.fct_customer_rfm "
        "group by r_score, f_score"
    )
    segments = query.rows(
        "select segment, customers, revenue_in_window from marts.mart_segment_summary "
        "where segmentation = 'rfm_segment' and segment <> 'none' order by revenue_in_window desc"
    )
    if not cells:
        return Panel("rfm", "RFM grid", "No buyer in the RFM window: nobody has an RFM score.", absent=True)
    largest = max(count for *_, count, _ in cells)
    grid = svg.heatmap(
        "Buyers per recency (rows) and frequency (columns) score, with the segment of each cell",
        [f"R{score}" for score in range(5, 0, -1)],
        [f"F{score}" for score in range(1, 6)],
        {(f"R{r}", f"F{f}"): (count / largest, f"{count:,}", segment) for r, f, count, segment in cells},
        row_title="recency score",
        column_title="frequency score",
        cell_width=120,
    )
    bars = svg.hbars(
        "Net revenue in the RFM window per RFM segment",
        [segment for segment, _, _ in segments],
        [[float(revenue or 0) for _, _, revenue in segments]],
    )
    best = segments[0] if segments else None
    reading = (
        f"{best[0]} bring the most net revenue in the window ({_money(best[2])} from {best[1]:,} customers)."
        if best
        else "Buyers per recency and frequency score."
    )
    return Panel("rfm", "RFM grid and revenue per segment", reading, grid + bars)


def lifecycle_funnel(query: Query) -> Panel:
    stages = query.rows("select lifecycle_stage, crm_stage, count(*) from marts.fct_customer_lifecycle group by 1, 2")
    order = {stage: position for position, stage in enumerate(CRM_STAGES)}
    stages.sort(key=lambda row: (order.get(row[1], len(order)), -row[2]))
    chart = svg.hbars(
        "Customers per lifecycle stage, in lifecycle order",
        [f"{stage} ({crm})" for stage, crm, _ in stages],
        [[count for *_, count in stages]],
    )
    total = sum(count for *_, count in stages)
    leaving = sum(count for _, crm, count in stages if crm in ("decline", "departure"))
    reading = (
        f"{_share(leaving / total if total else None)} of customers are declining or gone "
        "(CRM stages decline and departure)."
    )
    return Panel("lifecycle", "Lifecycle funnel", reading, chart)


def loyalty_matrix(query: Query) -> Panel:
    cells = query.rows(
        "select purchase_level, engagement_level, any_value(loyalty_cell), count(*) from marts.fct_customer_loyalty "
        "group by 1, 2"
    )
    tiers = query.rows("select loyalty_tier, count(*) from marts.fct_customer_loyalty group by 1 order by 2 desc")
    levels = sorted({level for _, level, _, _ in cells}, key=("engaged", "passive", "unknown").index)
    largest = max((count for *_, count in cells), default=1)
    grid = svg.heatmap(
        "Customers per purchase level (rows) and engagement level (columns), with the loyalty cell",
        [level for level in PURCHASE_LEVELS if any(row[0] == level for row in cells)],
        levels,
        {(purchase, engagement): (count / largest, f"{count:,}", cell) for purchase, engagement, cell, count in cells},
        row_title="purchase level",
        column_title="engagement level",
        cell_width=150,
    )
    bars = svg.hbars("Customers per loyalty tier", [tier for tier, _ in tiers], [[count for _, count in tiers]])
    if levels == ["unknown"]:
        reading = "No engagement events in the data: loyalty rests on purchases alone (engagement level unknown)."
    else:
        engaged = sum(count for _, level, _, count in cells if level == "engaged")
        total = sum(count for *_, count in cells)
        reading = (
            f"{_share(engaged / total if total else None)} of customers are engaged; "
            "the matrix crosses buying with engagement."
        )
    return Panel("loyalty", "Loyalty matrix and tiers", reading, grid + bars)


def transitions(query: Query) -> Panel:
    snapshots = query.one("select count(distinct as_of_date) from marts.fct_customer_segment_history")
    if snapshots < 2:
        return Panel(
            "transitions",
            "Segment transitions",
            "One month of history only: moves between segments need two snapshots (every customer is an entry).",
            absent=True,
        )
    last = query.one("select max(snapshot_month) from marts.fct_segment_transitions")
    moves = query.rows(
        "select from_segment, to_segment, customers, movement_class from marts.fct_segment_transitions "
        f"where segmentation = 'rfm_segment' and snapshot_month = date '{last}'"
    )
    names = sorted({name for from_, to, _, _ in moves for name in (from_, to)})
    matrix = svg.heatmap(
        f"RFM segment of each customer at the end of the month before {last:%B %Y} (rows) "
        f"and at {last:%B %Y} (columns)",
        names,
        names,
        {(from_, to): (svg.CLASS_COLOURS.get(kind, "#ddd"), f"{count:,}", "") for from_, to, count, kind in moves},
        row_title="from",
        column_title="to",
        cell_width=max(min(520 // max(len(names), 1), 80), 34),
    )
    summary = query.rows(
        "select movement_class, sum(customers) from marts.mart_transition_summary where segmentation = 'rfm_segment' "
        "group by 1 order by 2 desc"
    )
    bars = svg.hbars(
        "Customer moves between RFM segments over the last 12 months, per movement class",
        [kind for kind, _ in summary],
        [[float(count) for _, count in summary]],
    )
    moved = {kind: count for _, _, count, kind in moves}
    growth = sum(count for _, _, count, kind in moves if kind in ("growth", "recovery"))
    decline = sum(count for _, _, count, kind in moves if kind == "decline")
    reading = (
        f"In {last:%B %Y}, {growth:,} customers moved up and {decline:,} moved down a segment "
        f"({len(moved)} classes of move)."
    )
    return Panel("transitions", "Segment transitions", reading, svg.legend(svg.CLASS_COLOURS) + matrix + bars)


def cohorts(query: Query) -> Panel:
    rows = query.rows(
        "select cohort_month, months_since_acquisition, retention_rate, cohort_customers "
        "from marts.fct_cohort_retention "
        f"where months_since_acquisition < {COHORT_MONTHS} and cohort_month >= (select max(cohort_month) "
        f"from marts.fct_cohort_retention) - interval {COHORT_ROWS - 1} month"
    )
    if not rows:
        return Panel("cohorts", "Cohort retention", "No cohort yet: cohorts start at a first valid order.", absent=True)
    names = sorted({month for month, *_ in rows}, reverse=True)
    grid = svg.heatmap(
        "Share of each monthly cohort buying again, by months since the first order",
        [f"{month:%Y-%m}" for month in names],
        [str(month) for month in range(COHORT_MONTHS)],
        {(f"{month:%Y-%m}", str(since)): (float(rate), f"{float(rate):.0%}", "") for month, since, rate, _ in rows},
        row_title="cohort",
        column_title="months since the first order",
        cell_width=40,
    )
    later = [float(rate) for _, since, rate, _ in rows if since == 3]
    reading = (
        f"Three months after their first order, {_share(sum(later) / len(later))} of a cohort buys again "
        "(average of the cohorts shown)."
        if later
        else "Retention by cohort and month since the first order."
    )
    return Panel("cohorts", "Cohort retention", reading, grid)


def clv(query: Query) -> Panel:
    status, message = query.rows("select status, message from marts.fct_clv_model_params")[0]
    if status != "fitted":
        return Panel("clv", "Predicted lifetime value", f"CLV is not available: {message}.", absent=True)
    values = [
        float(value)
        for (value,) in query.rows(
            "select predicted_clv from marts.fct_customer_clv where predicted_clv is not null order by 1"
        )
    ]
    if not values:
        return Panel("clv", "Predicted lifetime value", "The model was fitted but scored no buyer.", absent=True)
    top = values[int(0.99 * (len(values) - 1))] or 1
    width = top / HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for value in values:
        counts[min(int(value / width), HISTOGRAM_BINS - 1)] += 1
    labels = [f"{i * width:,.0f}-{(i + 1) * width:,.0f}" for i in range(HISTOGRAM_BINS - 1)] + [f"{top - width:,.0f}+"]
    histogram = svg.hbars("Buyers per predicted 12-month CLV band", labels, [counts])
    alive = query.rows(
        "select rfm.rfm_segment, avg(clv.p_alive) from marts.fct_customer_clv as clv "
        "inner join marts.fct_customer_rfm as rfm on clv.customer_id = rfm.customer_id "
        "where clv.p_alive is not null group by 1 order by 2 desc"
    )
    bars = svg.hbars(
        "Average probability of being alive (p_alive) per RFM segment",
        [segment for segment, _ in alive],
        [[float(value) for _, value in alive]],
        value_text=lambda value: f"{value:.0%}",
    )
    median = values[len(values) // 2]
    reading = f"Half of the buyers are predicted to bring less than {median:,.0f} in the next 12 months (discounted)."
    return Panel("clv", "Predicted lifetime value and p_alive", reading, histogram + bars)


def affinity(query: Query) -> Panel:
    pairs = query.rows(
        "select product_a, product_b, pair_orders, confidence_a_to_b, confidence_b_to_a, lift "
        "from marts.fct_product_pairs order by lift desc, pair_orders desc, product_a, product_b limit 10"
    )
    mix = query.rows(
        "select segment, category, category_index, revenue_share from marts.mart_segment_category_mix "
        "where segmentation = 'rfm_segment'"
    )
    if not pairs and not mix:
        return Panel(
            "affinity",
            "What customers buy together",
            "No order lines in the data (order_items), or no pair bought together often enough: "
            "basket statistics need product lines.",
            absent=True,
        )
    body = ""
    if pairs:
        body += svg.hbars(
            "Lift of the ten product pairs most often bought together beyond chance",
            [f"{a} + {b}" for a, b, *_ in pairs],
            [[float(lift) for *_, lift in pairs]],
            value_text=lambda value: f"{value:.1f}x",
        )
        body += _table(
            ["pair", "orders with both", "confidence a -> b", "confidence b -> a", "lift"],
            [[f"{a} + {b}", f"{n:,}", _share(ab), _share(ba), f"{lift:.2f}"] for a, b, n, ab, ba, lift in pairs],
        )
    if mix:
        segments = sorted({segment for segment, *_ in mix})
        categories = sorted({category for _, category, *_ in mix})
        body += svg.heatmap(
            "Category index per RFM segment (share of the segment's line revenue over all buyers' share)",
            segments,
            categories,
            {
                (segment, category): (min(float(index or 0) / 2, 1), f"{float(index or 0):.2f}", "")
                for segment, category, index, _ in mix
            },
            row_title="RFM segment",
            column_title="category",
        )
    if pairs:
        a, b, n, ab, _, lift = pairs[0]
        reading = f"{a} and {b} are bought together {lift:.1f} times as often as by chance ({n:,} orders)."
    else:
        reading = "Category mix per RFM segment: above 1, the segment favours the category."
    return Panel("affinity", "What customers buy together", reading, body)


def quality(query: Query) -> Panel:
    outcomes = query.rows(
        "select table_name, outcome, sum(row_count) from marts.mart_data_quality group by 1, 2 order by 1, 2"
    )
    reasons = query.rows(
        "select table_name, reason, sum(row_count) from marts.mart_data_quality where outcome = 'quarantined' "
        "group by 1, 2 order by 3 desc, 1, 2"
    )
    tables = sorted({table for table, _, _ in outcomes})
    kinds = ["in_scope", "out_of_scope", "duplicate_collapsed", "quarantined"]
    counts = {(table, kind): count for table, kind, count in outcomes}
    chart = svg.hbars(
        "Raw rows per input table and where they went",
        tables,
        [[float(counts.get((table, kind), 0)) for table in tables] for kind in kinds],
        kinds,
    )
    listing = (
        _table(["table", "quarantine reason", "rows"], [[t, r, f"{n:,}"] for t, r, n in reasons]) if reasons else ""
    )
    raw = sum(count for *_, count in outcomes)
    kept = sum(count for _, kind, count in outcomes if kind == "in_scope")
    reading = f"Of {raw:,} raw rows, {kept:,} are in scope; every other row is accounted for below, by reason."
    return Panel("quality", "Data quality: where every raw row went", reading, chart + listing)


PANELS: list[Callable[[Query], Panel]] = [
    kpis,
    value_pyramid,
    rfm_grid,
    lifecycle_funnel,
    loyalty_matrix,
    transitions,
    cohorts,
    clv,
    affinity,
    quality,
]


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f7f9;color:#222}
header{padding:20px 32px;background:#0f3d6e;color:#fff}header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;opacity:.85}main{padding:16px 32px;display:grid;gap:16px}
.panel{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:16px 20px}
.panel h2{margin:0 0 4px;font-size:17px}.reading{margin:0 0 12px;color:#444}
.panel[data-state=absent] .reading{color:#8a5a00}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:12px}
.tile{border:1px solid #e3e6ea;border-radius:6px;padding:10px}.tile .label{font-size:12px;color:#555}
.tile .value{font-size:24px;font-weight:600;margin:4px 0}.tile .note{font-size:11px;color:#777}
svg.chart{display:block;max-width:100%;height:auto;margin:8px 0}
table.data{border-collapse:collapse;font-size:13px}table.data td,table.data th{border:1px solid #e3e6ea;padding:3px 8px}
.legend .key{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
footer{padding:8px 32px 24px;color:#777;font-size:12px}
"""

# Marks the page for the browser test: charts drawn with a size, and any script error.
CHECK = """
window.addEventListener('error', function (e) {
  document.body.setAttribute('data-errors', (document.body.getAttribute('data-errors') || '') + e.message + ';');
}, true);
window.addEventListener('load', function () {
  var drawn = 0;
  document.querySelectorAll('svg.chart').forEach(function (chart) {
    var box = chart.getBBox();
    if (box.width > 0 && box.height > 0 && Number(chart.getAttribute('data-marks')) > 0) { drawn += 1; }
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
  document.body.setAttribute('data-height', String(document.documentElement.scrollHeight));
});
"""


def _page(panels: list[Panel], as_of: datetime.date, build_id: str, published_at) -> str:
    sections = []
    for item in panels:
        state = "absent" if item.absent else "shown"
        sections.append(
            f'<section class="panel" id="{item.key}" data-panel="{item.key}" data-state="{state}">'
            f'<h2>{escape(item.title)}</h2><p class="reading">{escape(item.reading)} '
            f'<span class="asof">(as of {as_of})</span></p>{item.body}</section>'
        )
    charts = sum(item.body.count('<svg class="chart"') for item in panels)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>Customer pyramid report, as of {as_of}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style><script>{CHECK}</script></head>"
        f'<body data-charts="{charts}"><header><h1>Customer pyramid, as of {as_of}</h1>'
        f"<p>Build {escape(str(build_id))}, published {published_at:%Y-%m-%d %H:%M} UTC. Every figure is computed "
        "from the published marts by the rules in the project's README.</p></header>"
        f"<main>{''.join(sections)}</main>"
        "<footer>Made by customer_pyramid from the serving file; works offline.</footer></body></html>\n"
    )
