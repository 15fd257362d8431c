"""Take the README's screenshot: an article on a phone-sized screen, served by the real app."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from liveserver import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402


def main(slug: str = "gut-melatonin-sleep", out: Path = ROOT / "docs" / "screenshot-article.png") -> None:
    """Serve the site, open one article at 390x844 and save the first screenful as PNG."""
    import tempfile

    with tempfile.TemporaryDirectory() as instance:
        process, url = start_server(Path(instance))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
                page.goto(f"{url}/articles/{slug}")
                page.screenshot(path=str(out))
                browser.close()
        finally:
            stop_server(process)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
