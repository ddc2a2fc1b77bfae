"""Charts drawn as inline SVG from the data: no image files, nothing fetched.

The SVG ``<title>`` becomes the figure's alternative text in the tagged PDF;
templates print the same numbers as a table beside it.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from briefs.source.formats import typography

WIDTH, HEIGHT = 640, 250
TOP, BOTTOM, LEFT, RIGHT = 24, 34, 8, 8


def bar_chart(title: str, points: list[tuple[str, float, str]], lang: str) -> Markup:
    """A vertical bar chart of ``(label, value, value as text)`` points; its
    description is typeset for ``lang`` (« 2016 : 340 » in French)."""
    peak = max((value for _, value, _ in points), default=0.0) or 1.0
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    bar = slot * 0.62
    plot = HEIGHT - TOP - BOTTOM
    summary = typography("; ".join(f"{label}: {text}" for label, _, text in points), lang)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">',
        f"<title>{escape(title)}. {escape(summary)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot}" x2="{WIDTH - RIGHT}" y2="{TOP + plot}" '
        'stroke="#26374a" stroke-width="1"/>',
    ]
    for index, (label, value, text) in enumerate(points):
        height = max(value, 0.0) / peak * plot
        x = LEFT + index * slot + (slot - bar) / 2
        y = TOP + plot - height
        centre = x + bar / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
            'fill="#26374a"/>'
            f'<text x="{centre:.1f}" y="{y - 6:.1f}" text-anchor="middle" '
            f'font-family="Noto Sans" font-size="13" font-weight="700" fill="#1b1b1b">'
            f"{escape(text)}</text>"
            f'<text x="{centre:.1f}" y="{HEIGHT - 12}" text-anchor="middle" '
            f'font-family="Noto Sans" font-size="13" fill="#444444">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
