"""The progressive web app: the manifest, the service worker and the offline page (see docs/pwa.md)."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, render_template, request

from webapp.config import ROOT
from webapp.files import digest
from webapp.reader.worker import check_config, render_worker
from webapp.web import assets
from webapp.web.assets import asset_url
from webapp.web.page_cache import cached_page

bp = Blueprint("pwa", __name__)

CSS_COLOR = re.compile(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})")
STYLESHEET = ROOT / "static" / "css" / "site.css"


@dataclass(frozen=True, slots=True)
class Theme:
    """The app's colours, light and dark, as the stylesheet (the one home of the palette) sets them."""

    color: str
    background: str
    dark_color: str
    dark_background: str


def palette(stylesheet: Path = STYLESHEET) -> tuple[dict[str, str], dict[str, str]]:
    """The colour custom properties of `site.css`'s light and dark `:root` blocks: name -> #rrggbb."""
    light, _, dark = stylesheet.read_text().partition("prefers-color-scheme: dark")
    return dict(CSS_COLOR.findall(light)), dict(CSS_COLOR.findall(dark))


def read_theme(stylesheet: Path = STYLESHEET) -> Theme:
    """The browser-bar and background colours, light and dark."""
    light, dark = palette(stylesheet)
    return Theme(light["theme-bar"], light["bg"], dark["theme-bar"], dark["bg"])


THEME = read_theme()
# (static path, sizes, purpose): the files scripts/make_pwa_images.py draws.
ICONS = (
    ("pwa/icon-192.png", "192x192", "any"),
    ("pwa/icon-512.png", "512x512", "any"),
    ("pwa/icon-maskable-192.png", "192x192", "maskable"),
    ("pwa/icon-maskable-512.png", "512x512", "maskable"),
)
APPLE_TOUCH_ICON = ("pwa/apple-touch-icon.png", "180x180")
# (static path, sizes, form factor, label): real pages rendered by headless Chromium.
SCREENSHOTS = (
    ("pwa/screenshot-narrow.png", "540x1200", "narrow", "An article on a phone: who wrote and checked it"),
    ("pwa/screenshot-wide.png", "1280x800", "wide", "The list of articles on a wide screen"),
)
# The app shell every reader gets on install, besides our own scripts (js/*), the icons and the offline page.
SHELL_ASSETS = ("css/site.css", "vendor/htmx/htmx-4.0.1.min.js")
OFFLINE_URL = "/offline"
MANIFEST_URL = "/manifest.webmanifest"


def build_manifest(site_name: str, asset: Callable[[str], str]) -> dict:
    """The web app manifest; `asset` maps a static path to its (hashed) URL."""
    return {
        "id": "/",
        "name": site_name,
        "short_name": site_name,
        "description": "Clear, sourced health articles in plain words, readable offline once opened.",
        "lang": "en-US",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME.color,
        "background_color": THEME.background,
        # Chromium's proposal for a dark variant; browsers without it use the colours above.
        "user_preferences": {
            "color_scheme_dark": {"theme_color": THEME.dark_color, "background_color": THEME.dark_background}
        },
        "categories": ["health", "medical", "education"],
        "icons": [
            {"src": asset(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
        "screenshots": [
            {"src": asset(path), "sizes": sizes, "type": "image/png", "form_factor": form, "label": label}
            for path, sizes, form, label in SCREENSHOTS
        ],
    }


def shell_assets() -> dict[str, str]:
    """Static path -> hashed URL of every file precached on install."""
    scripts = sorted(path for path in assets.manifest() if path.startswith("js/"))
    paths = (*SHELL_ASSETS, *scripts, *(path for path, _, _ in ICONS), APPLE_TOUCH_ICON[0])
    return {path: asset_url(path) for path in paths}


def revalidated(body: str, mimetype: str) -> Response:
    """A response the browser must revalidate on every use (cheap, thanks to its ETag)."""
    response = Response(body, mimetype=mimetype)
    response.set_etag(digest(body))
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@bp.get(MANIFEST_URL)
def manifest():
    """The web app manifest, for installing the site to a home screen."""
    data = build_manifest(current_app.config["SITE_NAME"], asset_url)
    return revalidated(json.dumps(data, indent=2), "application/manifest+json")


@bp.get("/sw.js")
def service_worker():
    """The service worker, or a self-retiring one when SW_RETIRE is set (docs/pwa.md)."""
    if current_app.config["SW_RETIRE"]:
        return revalidated(render_template("pwa/sw_retire.js"), "text/javascript")
    script = render_worker(shell_assets(), OFFLINE_URL, MANIFEST_URL)
    return revalidated(script, "text/javascript")


@bp.get(OFFLINE_URL)
def offline():
    """The page shown for a page never saved; the worker lists the articles saved on this device.

    The server sends the list empty, so the page (and the worker's precache) stays the same size
    whether the library holds ten articles or ten thousand.
    """
    return cached_page(lambda: render_template("pwa/offline.html"))


def init_app(app: Flask) -> None:
    """Register the PWA routes; SW_RETIRE (FLASK_SW_RETIRE=1) serves the retiring worker."""
    check_config(app)
    app.register_blueprint(bp)
    app.jinja_env.globals["theme"] = THEME
