"""Charts as inline SVG text, drawn here so that the report needs no script, font or network.

Each function returns one `<svg class="chart" data-marks="N">` element, N being the number of data
marks it drew (bars, points, cells): the report's browser test checks that every chart drew some.
Text is escaped; numbers are formatted by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 640
FONT = 12
# A sequential blue ramp (light to dark) for heatmaps and one colour per series.
RAMP = ("#eef4fb", "#d0e1f2", "#a7c9e6", "#6fa8d6", "#3b82c4", "#1f5f9e", "#0f3d6e")
SERIES = ("#3b82c4", "#e07b39", "#5aa469", "#9b59b6", "#c0392b")
CLASS_COLOURS = {
    "growth": "#5aa469",
    "recovery": "#8fc99a",
    "decline": "#d9534f",
    "stable": "#b8c2cc",
    "entry": "#6fa8d6",
}


def _svg(width: int, height: int, marks: int, body: list[str], title: str) -> str:
    return (
        f'<svg class="chart" data-marks="{marks}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" font-size="{FONT}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", fill: str = "#222", weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">'
        f"{escape(text)}</text>"
    )


def ramp(share: float) -> str:
    """The heatmap colour of a value between 0 and 1."""
    share = min(max(share, 0.0), 1.0)
    return RAMP[min(int(share * len(RAMP)), len(RAMP) - 1)]


def text_colour(background: str) -> str:
    return "#fff" if background in RAMP[4:] else "#222"


def hbars(
    title: str,
    labels: Sequence[str],
    series: Sequence[Sequence[float]],
    names: Sequence[str] = (),
    value_text=lambda value: f"{value:,.0f}",
    colours: Sequence[str] = SERIES,
) -> str:
    """Horizontal bars, one group per label, one bar per series (values >= 0)."""
    label_width, bar_height, gap = 170, 14, 10
    groups = len(labels)
    per_group = bar_height * len(series) + gap
    legend = 22 if names else 0
    height = legend + groups * per_group + 10
    top = max((value for values in series for value in values), default=0) or 1
    scale = (WIDTH - label_width - 80) / top
    body, marks = [], 0
    x = label_width
    for position, name in enumerate(names):
        body.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colours[position]}"/>')
        body.append(_text(x + 16, 14, name))
        x += 16 + 7 * len(name) + 14
    for row, label in enumerate(labels):
        y = legend + row * per_group
        body.append(_text(label_width - 8, y + bar_height * len(series) / 2 + 4, label, "end"))
        for index, values in enumerate(series):
            value = values[row]
            width = max(value * scale, 0)
            bar_y = y + index * bar_height
            body.append(
                f'<rect class="mark" x="{label_width}" y="{bar_y}" width="{width:.1f}" height="{bar_height - 2}" '
                f'fill="{colours[index % len(colours)]}">'
                f"<title>{escape(label)}: {escape(value_text(value))}</title></rect>"
            )
            body.append(_text(label_width + width + 4, bar_y + bar_height - 4, value_text(value), fill="#444"))
            marks += 1
    return _svg(WIDTH, height, marks, body, title)


def line(
    title: str,
    points: Sequence[tuple[float, float]],
    x_label: str,
    y_label: str,
    reference: Sequence[tuple[float, float]] = (),
) -> str:
    """A line through (x, y) points with x and y in 0..1 (shares), and an optional dashed reference."""
    left, bottom, size_x, size_y = 50, 30, WIDTH - 80, 260
    height = size_y + bottom + 20

    def place(x: float, y: float) -> str:
        return f"{left + x * size_x:.1f},{10 + (1 - y) * size_y:.1f}"

    body = [
        f'<rect x="{left}" y="10" width="{size_x}" height="{size_y}" fill="none" stroke="#ccc"/>',
        _text(left + size_x / 2, height - 4, x_label, "middle"),
        f'<text x="12" y="{10 + size_y / 2}" transform="rotate(-90 12 {10 + size_y / 2})" text-anchor="middle">'
        f"{escape(y_label)}</text>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        body.append(_text(left - 4, 14 + (1 - tick) * size_y, f"{tick:.0%}", "end", "#666"))
        body.append(_text(left + tick * size_x, 10 + size_y + 14, f"{tick:.0%}", "middle", "#666"))
    if reference:
        path = " ".join(place(x, y) for x, y in reference)
        body.append(f'<polyline points="{path}" fill="none" stroke="#aaa" stroke-dasharray="4 3"/>')
    body.append(
        f'<polyline class="mark" points="{" ".join(place(x, y) for x, y in points)}" fill="none" '
        f'stroke="{SERIES[0]}" stroke-width="2"/>'
    )
    return _svg(WIDTH, height, len(points), body, title)


def heatmap(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: dict[tuple[str, str], tuple[float, str, str]],
    row_title: str = "",
    column_title: str = "",
    cell_width: int = 0,
) -> str:
    """A grid: `cells[(row, column)] = (share 0..1 for the colour, first line, second line)`; a
    colour string in place of the share picks that colour."""
    label_width, top = 130, 40
    cell_width = cell_width or max(min((WIDTH - label_width) // max(len(columns), 1), 110), 28)
    cell_height = 34 if any(cell[2] for cell in cells.values()) else 24
    width = max(WIDTH, label_width + cell_width * len(columns) + 10)
    height = top + cell_height * len(rows) + 10
    body = [_text(label_width + cell_width * len(columns) / 2, 12, column_title, "middle", "#666")]
    if row_title:
        body.append(_text(4, 12, row_title, fill="#666"))
    slanted = cell_width < 70 and max((len(column) for column in columns), default=0) * 7 > cell_width
    if slanted:  # long names over narrow columns: written upwards at an angle, the grid moved down
        top += 7 * max(len(column) for column in columns) * 0.6
        height = int(top + cell_height * len(rows) + 10)
        width += 60
    for index, column in enumerate(columns):
        x = label_width + (index + 0.5) * cell_width
        if slanted:
            body.append(
                f'<text x="{x:.1f}" y="{top - 6:.1f}" transform="rotate(-40 {x:.1f} {top - 6:.1f})">'
                f"{escape(column)}</text>"
            )
        else:
            body.append(_text(x, top - 8, column, "middle"))
    marks = 0
    for row_index, row in enumerate(rows):
        y = top + row_index * cell_height
        body.append(_text(label_width - 6, y + cell_height / 2 + 4, row, "end"))
        for index, column in enumerate(columns):
            cell = cells.get((row, column))
            if cell is None:
                continue
            colour, first, second = cell
            fill = colour if isinstance(colour, str) else ramp(colour)
            x = label_width + index * cell_width
            body.append(
                f'<rect class="mark" x="{x}" y="{y}" width="{cell_width - 2}" height="{cell_height - 2}" '
                f'fill="{fill}"><title>{escape(row)} / {escape(column)}: {escape(first)} {escape(second)}'
                "</title></rect>"
            )
            ink = text_colour(fill)
            centre = x + (cell_width - 2) / 2
            if second:
                body.append(_text(centre, y + 14, first, "middle", ink, "bold"))
                body.append(_text(centre, y + 27, second, "middle", ink))
            else:
                body.append(_text(centre, y + cell_height / 2 + 3, first, "middle", ink))
            marks += 1
    return _svg(width, height, marks, body, title)


def legend(entries: dict[str, str]) -> str:
    """Colour keys as HTML (for charts whose colours mean classes)."""
    keys = "".join(
        f'<span class="key"><i style="background:{colour}"></i>{escape(name)}</span>'
        for name, colour in entries.items()
    )
    return f'<p class="legend">{keys}</p>'
