"""QR codes (segno) as inline SVG: station signs, member cards, anything printed that opens a page."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, scale: int = 4, title: str = "") -> SafeString:
    """An inline ``<svg>`` of ``data`` (usually an absolute URL) that prints sharply at any size."""
    if not data:
        raise ValueError("a QR code needs something to encode")
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(scale=scale, title=title or None, dark="#000", light="#fff")
    return mark_safe(svg)  # segno escapes the title; the rest is its own markup
