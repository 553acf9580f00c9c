"""Small bar charts as inline SVG, for the printable report (WeasyPrint runs no JavaScript)."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_COLOURS = ("#2563eb", "#16a34a")


def _svg(width: int, height: int, font_family: str, body: SafeString) -> SafeString:
    """The chart's ``<svg>``.  ``font_family`` is written on it because WeasyPrint draws an inline
    SVG as an image that inherits nothing from the page: without it the PDF's labels fall back to
    two more fonts (a Japanese CJK face and DejaVu Sans) that the browser never uses, each subset
    and embedded in every report."""
    font = format_html(' font-family="{}"', font_family) if font_family else ""
    return format_html('<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}"{} '
                       'role="img">{}</svg>', width, height, width, height, font, body)


def bar_chart(labels: list[str], series: list[list[int]], *, names: list[str] = (), width: int = 640,
              height: int = 200, label_every: int = 1, tooltips: bool = True, font_family: str = "") -> SafeString:
    """Grouped vertical bars: one group per label, one bar per series (at most two).

    ``tooltips``: each bar's value as its ``<title>``, shown on hover.  A PDF cannot hover, and
    WeasyPrint's SVG reader spends more on the titles than on drawing the chart, so the PDF leaves
    them out; the figures stay in the report's tables."""
    top = max([max(s, default=0) for s in series] + [1])
    left, bottom, legend = 36, 36, 18
    plot_w, plot_h = width - left - 8, height - bottom - legend
    group = plot_w / max(len(labels), 1)
    bar = max(group / (len(series) + 1), 1)
    bars = []
    for i in range(len(labels)):
        for j, values in enumerate(series):
            h = plot_h * values[i] / top
            x = left + i * group + j * bar + bar / 2
            bars.append((f"{x:.1f}", f"{legend + plot_h - h:.1f}", f"{bar:.1f}", f"{h:.1f}",
                         BAR_COLOURS[j % len(BAR_COLOURS)], values[i]))
    rect = ('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>' if tooltips
            else '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>')
    rects = format_html_join("", rect, bars if tooltips else [b[:5] for b in bars])
    ticks = format_html_join("", '<text x="{}" y="{}" font-size="9" text-anchor="middle">{}</text>', [
        (f"{left + (i + 0.5) * group:.1f}", height - bottom + 12, label)
        for i, label in enumerate(labels) if i % label_every == 0])
    keys = format_html_join("", '<rect x="{}" y="2" width="10" height="10" fill="{}"/>'
                                '<text x="{}" y="11" font-size="10">{}</text>',
                            [(left + k * 110, BAR_COLOURS[k % 2], left + k * 110 + 14, name)
                             for k, name in enumerate(names)])
    axis = format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#94a3b8"/>'
                       '<text x="{}" y="{}" font-size="9" text-anchor="end">{}</text>',
                       left, legend + plot_h, width - 8, legend + plot_h, left - 4, legend + 8, top)
    return _svg(width, height, font_family, format_html("{}{}{}{}", keys, axis, rects, ticks))


def horizontal_bars(items: list[tuple[str, int]], *, width: int = 640, row: int = 18,
                    font_family: str = "") -> SafeString:
    """One labelled horizontal bar per item (a category mix, a ranking's volumes)."""
    top = max([v for _l, v in items] + [1])
    label_w, height = 140, row * max(len(items), 1) + 4
    bars = format_html_join("", '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>'
                                '<rect x="{}" y="{}" width="{}" height="{}" fill="#2563eb"/>'
                                '<text x="{}" y="{}" font-size="10">{}</text>', [
        (label_w - 6, i * row + 13, label, label_w, i * row + 3, f"{(width - label_w - 50) * v / top:.1f}",
         row - 6, label_w + (width - label_w - 50) * v / top + 4, i * row + 13, v)
        for i, (label, v) in enumerate(items)])
    return _svg(width, height, font_family, bars)
