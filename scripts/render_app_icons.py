"""Draws the installable app's PNG icons (web manifest) from web/static/web/icons/icon.svg with
Chromium, so the SVG stays the one source: python scripts/render_app_icons.py (needs playwright
and /usr/bin/chromium, as the browser tests do).  The maskable icon keeps the mark inside the
central 80 % safe zone that launchers crop to a circle or a squircle."""

import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parents[1] / "src/minsheng/web/static/web/icons"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def main() -> None:
    svg = (ICONS / "icon.svg").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page()
        for size, pad, name in ((192, 0, "icon-192.png"), (512, 0, "icon-512.png"),
                                (512, 0.1, "icon-maskable-512.png")):
            inner = round(size * (1 - 2 * pad))
            page.set_viewport_size({"width": size, "height": size})
            page.set_content(f'<body style="margin:0;background:#b22222;display:grid;place-items:center;'
                             f'height:{size}px">{svg.replace("<svg ", f"<svg width={inner} height={inner} ")}</body>')
            png = page.screenshot(clip={"x": 0, "y": 0, "width": size, "height": size})
            image = Image.open(io.BytesIO(png)).convert("RGB").quantize(64)
            image.save(ICONS / name, optimize=True)
        browser.close()


if __name__ == "__main__":
    main()
