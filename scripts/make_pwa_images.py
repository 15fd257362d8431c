"""Draw the app icons and render the install-sheet screenshots into static/pwa/.

Icons: our brand mark (a deep-teal circle with a white check, as in the header SVG of
templates/base.html) drawn with Pillow at 4x and scaled down for smooth edges. Screenshots: real pages
of the site with the shipped content, rendered by headless Chromium through Playwright.

    .venv/bin/python scripts/make_pwa_images.py            # everything
    .venv/bin/python scripts/make_pwa_images.py --icons    # icons only (no browser needed)
"""

import argparse
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "pwa"
TEAL = (15, 118, 110, 255)
WHITE = (255, 255, 255, 255)
# The header SVG's geometry, in its 28-unit viewBox.
CIRCLE = (14.0, 14.0, 13.0)
CHECK = ((9.0, 14.5), (12.2, 17.7), (19.5, 10.0))
STROKE = 2.6
SUPERSAMPLE = 4
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def draw_mark(size: int, full_bleed: bool, circle_share: float) -> Image.Image:
    """The brand mark at `size` px; `circle_share` is the circle's radius as a share of the size."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), TEAL if full_bleed else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    scale = circle_share * big / CIRCLE[2]

    def point(x: float, y: float) -> tuple[float, float]:
        """A viewBox point, centred on the canvas."""
        return (big / 2 + (x - CIRCLE[0]) * scale, big / 2 + (y - CIRCLE[1]) * scale)

    if not full_bleed:
        cx, cy = point(CIRCLE[0], CIRCLE[1])
        radius = CIRCLE[2] * scale
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=TEAL)
    width = STROKE * scale
    points = [point(x, y) for x, y in CHECK]
    draw.line(points, fill=WHITE, width=round(width), joint="curve")
    for x, y in points:  # round caps and join
        draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def make_icons(out: Path = OUT) -> None:
    """Any-purpose icons (the mark as in the header), maskable ones (safe zone) and the iOS icon."""
    out.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw_mark(size, full_bleed=False, circle_share=13 / 28).save(out / f"icon-{size}.png", optimize=True)
        # Maskable: full-bleed teal; the circle sits inside the central 80% safe zone.
        draw_mark(size, True, 0.4).save(out / f"icon-maskable-{size}.png", optimize=True)
    # iOS fills transparency with black and rounds the corners itself: full bleed, a little larger.
    draw_mark(180, True, 0.44).convert("RGB").save(out / "apple-touch-icon.png", optimize=True)


def serve_site() -> str:
    """Serve the app with the shipped content on a free local port, in a background thread."""
    from werkzeug.serving import make_server

    sys.path.insert(0, str(ROOT))
    from webapp import create_app

    config = {
        "SECRET_KEY": "screenshots-secret-key-of-32-bytes-or-more",
        "INSTANCE_PATH": tempfile.mkdtemp(prefix="pwa-shots-"),
    }
    if os.environ.get("FLASK_CONTENT_DIR"):
        config["CONTENT_DIR"] = os.environ["FLASK_CONTENT_DIR"]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def make_screenshots() -> None:
    """A phone-sized article page and the wide article list, as readers see them."""
    from playwright.sync_api import sync_playwright

    base = serve_site()
    shots = (
        ("screenshot-narrow.png", {"width": 360, "height": 800}, 1.5, "/articles/gut-melatonin-sleep"),
        ("screenshot-wide.png", {"width": 1280, "height": 800}, 1, "/"),
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for name, viewport, scale, path in shots:
            context = browser.new_context(
                viewport=viewport, device_scale_factor=scale, color_scheme="light", service_workers="block"
            )
            page = context.new_page()
            page.goto(base + path, wait_until="networkidle")
            page.screenshot(path=OUT / name, animations="disabled")
            context.close()
            image = Image.open(OUT / name).convert("RGB")
            image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(OUT / name, optimize=True)
        browser.close()


def main() -> None:
    """Make the icons, and the screenshots unless --icons is given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icons", action="store_true", help="only draw the icons")
    args = parser.parse_args()
    make_icons()
    if not args.icons:
        make_screenshots()
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(ROOT)}  {Image.open(path).size}  {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
