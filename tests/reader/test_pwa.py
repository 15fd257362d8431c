"""The PWA through the test client: manifest, icons, service worker script, offline page."""

import importlib.util
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from flask import url_for
from PIL import Image

from webapp import create_app

ARTICLE = "/articles/gut-melatonin-sleep"


def png(client, url: str) -> Image.Image:
    """Fetch a static URL and open it as a PNG."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.content_type == "image/png", url
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "PNG"
    return image


def worker_constants(client) -> dict:
    """The JSON constants at the top of /sw.js (VERSION, ASSETS, PRECACHE, ...)."""
    script = client.get("/sw.js").get_data(as_text=True)
    constants = {}
    for name, value in re.findall(r"^const (\w+) = (.+?);", script, re.M):
        try:
            constants[name] = json.loads(value)
        except ValueError:
            continue  # a regex or an expression, not data
    return constants


def worker_pattern(client, name: str) -> re.Pattern:
    """A `new RegExp("...")` of /sw.js, compiled in Python (the app writes it in their common syntax)."""
    script = client.get("/sw.js").get_data(as_text=True)
    return re.compile(json.loads(re.search(rf"^const {name} = new RegExp\((.+)\);", script, re.M).group(1)))


def test_manifest_is_served_with_the_install_fields(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    data = json.loads(response.data)
    assert data["id"] == "/" and data["start_url"] == "/" and data["scope"] == "/"
    assert data["name"] == "Healthy Tips" and data["short_name"] and len(data["short_name"]) <= 12
    assert data["description"]
    assert data["display"] == "standalone"
    page = client.get("/").get_data(as_text=True)
    light = re.search(r'name="theme-color" content="(#\w+)" media="\(prefers-color-scheme: light\)"', page)
    dark = re.search(r'name="theme-color" content="(#\w+)" media="\(prefers-color-scheme: dark\)"', page)
    assert data["theme_color"] == light.group(1)
    assert data["user_preferences"]["color_scheme_dark"]["theme_color"] == dark.group(1)
    assert data["background_color"] == "#ffffff"
    purposes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    assert {shot["form_factor"] for shot in data["screenshots"]} == {"narrow", "wide"}


def test_icons_and_screenshots_exist_at_their_declared_sizes(client):
    data = json.loads(client.get("/manifest.webmanifest").data)
    for item in data["icons"] + data["screenshots"]:
        width, height = (int(n) for n in item["sizes"].split("x"))
        assert png(client, item["src"]).size == (width, height), item["src"]
    for shot in data["screenshots"]:
        assert shot["label"]
        width, height = (int(n) for n in shot["sizes"].split("x"))
        assert (width < height) == (shot["form_factor"] == "narrow")


def test_maskable_icons_are_full_bleed_with_the_mark_inside_the_safe_zone(client):
    data = json.loads(client.get("/manifest.webmanifest").data)
    for icon in (i for i in data["icons"] if i["purpose"] == "maskable"):
        image = png(client, icon["src"]).convert("RGBA")
        size = image.width
        teal = image.getpixel((0, 0))
        assert teal[:3] == (15, 118, 110) and teal[3] == 255
        white_outside_safe_zone = [
            (x, y)
            for x in range(0, size, 2)
            for y in range(0, size, 2)
            if (x - size / 2) ** 2 + (y - size / 2) ** 2 > (0.4 * size) ** 2
            and image.getpixel((x, y))[:3] != teal[:3]
        ]
        assert white_outside_safe_zone == []
        check = [image.getpixel((x, size // 2 + size // 20))[:3] for x in range(size // 4, 3 * size // 4)]
        assert (255, 255, 255) in check  # the white check is there, inside the zone


def test_any_icons_show_the_brand_circle_on_transparency(client):
    data = json.loads(client.get("/manifest.webmanifest").data)
    for icon in (i for i in data["icons"] if i["purpose"] == "any"):
        image = png(client, icon["src"]).convert("RGBA")
        assert image.getpixel((0, 0))[3] == 0  # corner outside the circle
        row = range(image.width // 8, image.width // 2)
        colours = {image.getpixel((x, image.height // 2))[:3] for x in row}
        assert (15, 118, 110) in colours and (255, 255, 255) in colours  # teal circle, white check


@pytest.mark.parametrize("path", ["/", ARTICLE, "/offline"])
def test_every_page_links_the_manifest_and_ios_icons(client, path):
    html = client.get(path).get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    icon = re.search(r'<link rel="apple-touch-icon" sizes="180x180" href="([^"]+)"', html).group(1)
    assert png(client, icon).size == (180, 180)
    assert '<meta name="apple-mobile-web-app-status-bar-style" content="default">' in html
    assert '<meta name="apple-mobile-web-app-title" content="Healthy Tips">' in html
    tag = r'<script src="(/static/js/pwa\.\w{12}\.js)" defer data-service-worker="/sw.js">'
    script = re.search(tag, html)
    assert client.get(script.group(1)).status_code == 200
    button = re.search(r"<button [^>]*data-install-app[^>]*>", html).group(0)
    assert " hidden" in button  # shown only when the browser offers installation
    assert "<style" not in html and " style=" not in html and "onclick" not in html


def test_service_worker_is_revalidated_on_every_visit(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_service_worker_precaches_the_current_shell_and_every_file_it_names_exists(client, app):
    constants = worker_constants(client)
    html = client.get(ARTICLE).get_data(as_text=True)
    manifest = json.loads(client.get("/manifest.webmanifest").data)
    precache = constants["PRECACHE"]
    for asset in ("css/site.css", "js/site.js", "vendor/htmx/htmx-4.0.1.min.js", "js/pwa.js"):
        url = "/static/" + app.extensions["assets"][asset]
        assert url in precache and url in html  # the very URLs the pages load today
    for script in re.findall(r'<script src="(/static/js/[^"]+)"', html):
        assert script in precache  # every script of ours, whoever added it
    assert {icon["src"] for icon in manifest["icons"]} <= set(precache)
    assert "/offline" in precache and "/manifest.webmanifest" in precache
    for url in precache:  # install fails as a whole if one is missing
        assert client.get(url).status_code == 200, url
    assert "needs an internet connection" in constants["NEEDS_CONNECTION"]


def test_worker_version_is_stable_and_changes_with_a_deploy(app, tmp_path):
    first = worker_constants(app.test_client())["VERSION"]
    assert worker_constants(app.test_client())["VERSION"] == first
    static = tmp_path / "static"
    shutil.copytree(app.config["STATIC_DIR"], static)
    with (static / "css" / "site.css").open("a") as css:
        css.write("\n.next-deploy { color: inherit; }\n")  # a real change: comments are minified away
    redeployed = create_app(
        {
            "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "STATIC_DIR": str(static),
        }
    )
    constants = worker_constants(redeployed.test_client())
    assert constants["VERSION"] != first
    assert constants["ASSETS"]["css/site.css"] == redeployed.extensions["assets"]["css/site.css"].join(
        ["/static/", ""]
    )


def test_offline_page_leaves_the_list_to_the_worker(client, app):
    response = client.get("/offline")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>No connection</h1>" in html
    assert '<meta name="robots" content="noindex">' in html
    # Sent empty (the worker fills it with the articles saved on the device), so the page and the
    # worker's precache stay the same size for ten articles or ten thousand.
    assert "data-offline-list></ul>" in html
    assert not any(f'href="/articles/{a.slug}"' in html for a in app.extensions["library"].articles)
    assert "data-offline-empty>" in html  # with no worker, nothing is saved: say so
    script = client.get("/sw.js").get_data(as_text=True)
    assert r'const TITLE_SUFFIX = " \u00b7 Healthy Tips";' in script  # stripped from saved titles


def test_retired_worker_unregisters_itself_and_is_what_pages_register(tmp_path):
    app = create_app(
        {
            "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
            "INSTANCE_PATH": str(tmp_path),
            "SW_RETIRE": True,
        }
    )
    client = app.test_client()
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    assert "registration.unregister()" in script and "caches.delete" in script
    assert 'addEventListener("fetch"' not in script  # every request goes to the network
    # Pages register /sw.js as always: the browser checks it at once and gets the retiring worker.
    assert 'data-service-worker="/sw.js"' in client.get("/").get_data(as_text=True)


def test_committed_icons_are_what_the_script_draws(tmp_path):
    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("make_pwa_images", root / "scripts" / "make_pwa_images.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.make_icons(tmp_path)
    drawn = sorted(p.name for p in tmp_path.glob("*.png"))
    assert drawn == ["apple-touch-icon.png", "icon-192.png", "icon-512.png", "icon-maskable-192.png",
                     "icon-maskable-512.png"]  # fmt: skip
    for name in drawn:
        committed = Image.open(root / "static" / "pwa" / name).convert("RGBA")
        fresh = Image.open(tmp_path / name).convert("RGBA")
        assert committed.size == fresh.size
        assert committed.tobytes() == fresh.tobytes(), f"{name}: run scripts/make_pwa_images.py --icons"


def test_worker_routes_by_the_url_shapes_the_pages_use(client, app):
    answers, articles = worker_pattern(client, "FAQ_ANSWER"), worker_pattern(client, "ARTICLE_PAGE")
    html = client.get(ARTICLE).get_data(as_text=True)
    asked = re.findall(r'<form class="faq-toggle"[^>]*data-hx-get="([^"]+)"', html)
    assert asked and all(answers.match(url) for url in asked)  # every answer the page fetches
    cards = re.findall(r'<h3 class="card-title"><a href="([^"]+)"', client.get("/").get_data(as_text=True))
    assert len(cards) == len(app.extensions["library"].articles)
    assert all(articles.match(url) and not answers.match(url) for url in cards)
    for path in ("/", "/tags/sleep", "/offline", f"{ARTICLE}/faq/one", f"{ARTICLE}/faq/1/x", "/articlesX/a"):
        assert not answers.match(path) and not articles.match(path), path
    assert not articles.match(asked[0])
    constants = worker_constants(client)
    assert (
        f'action="{constants["SIGNUP_URL"]}"' in html and f'data-hx-post="{constants["SIGNUP_URL"]}"' in html
    )
    assert constants["NEVER_CACHED"] == ["/admin", "/newsletter/unsubscribe", "/search"]
    with app.test_request_context():
        assert url_for("newsletter.unsubscribe_page", token="t").startswith(constants["NEVER_CACHED"][1])
        assert url_for("search.results", q="sleep").startswith(constants["NEVER_CACHED"][2])


def test_worker_imports_its_parts_by_their_hashed_urls(client, app):
    script = client.get("/sw.js").get_data(as_text=True)
    modules = json.loads(re.search(r"^importScripts\(\.\.\.(.+)\);", script, re.M).group(1))
    assert modules == [
        "/static/" + app.extensions["assets"][name] for name in ("sw/reading.js", "sw/signups.js")
    ]
    for url in modules:
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/javascript", url


def test_reading_cache_limit_is_one_setting_the_worker_and_the_offline_page_read(client, app, tmp_path):
    assert app.config["READING_CACHE_ARTICLES"] == 50
    assert worker_constants(client)["READING_CACHE_ARTICLES"] == 50
    small = create_app(
        {
            "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
            "INSTANCE_PATH": str(tmp_path),
            "READING_CACHE_ARTICLES": "7",
        }
    )
    assert worker_constants(small.test_client())["READING_CACHE_ARTICLES"] == 7  # from the environment: text
    assert "keeps up to 7 articles on this device" in small.test_client().get("/offline").get_data(
        as_text=True
    )


@pytest.mark.parametrize("limit", [0, -3, "many", "2.5", True, None])
def test_a_reading_cache_limit_that_is_not_a_whole_number_stops_the_start(tmp_path, limit):
    with pytest.raises(ValueError, match="FLASK_READING_CACHE_ARTICLES must be a whole number, 1 or more"):
        create_app(
            {
                "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
                "INSTANCE_PATH": str(tmp_path),
                "READING_CACHE_ARTICLES": limit,
            }
        )


def test_offline_page_has_a_filter_box_for_the_worker_filled_list(client):
    html = client.get("/offline").get_data(as_text=True)
    box = re.search(r'<div class="offline-filter" data-offline-filter hidden>(.*?)</div>', html, re.S).group(
        1
    )
    assert ">Find a saved article</label>" in box  # shown by offline.js
    assert '<input id="offline-filter" type="search"' in box
    assert re.search(r"<p [^>]*data-offline-none hidden[^>]*>No saved article matches that.</p>", html)
    script = re.search(r'<script src="(/static/js/offline\.\w{12}\.js)" defer>', html).group(1)
    assert script in worker_constants(client)["PRECACHE"]  # the filter works offline


def test_the_worker_answers_an_offline_signup_with_a_status_message_in_the_forms_place(client):
    queued = worker_constants(client)["SIGNUP_QUEUED"]
    root = re.match(r"<div ([^>]*)>", queued).group(1)
    assert 'id="newsletter"' in root and 'role="status"' in root and "data-signup-queued" in root
    assert "You're offline: your signup is saved" in queued
    assert "will be sent as soon as you're back online, even if you close this page" in queued
