"""Static files: hashed URLs served immutable, compressed variants, the pinned htmx."""

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from webapp.web.assets import asset_url

ROOT = Path(__file__).resolve().parents[2]
HTMX = ROOT / "static" / "vendor" / "htmx" / "htmx-4.0.1.min.js"


def linked_assets(html: str) -> list[str]:
    """The stylesheet and script URLs a page links."""
    return re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)


def test_pages_link_hashed_assets_served_immutable(client):
    urls = linked_assets(client.get("/").get_data(as_text=True))
    assert any("/css/site." in u for u in urls) and any("htmx-4.0.1.min." in u for u in urls)
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", url), url
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "max-age=31536000, public, immutable"


def test_a_vendored_minified_script_is_served_as_written(app, client):
    """htmx (already minified upstream) is served byte for byte; its name carries the served digest."""
    url = next(u for u in linked_assets(client.get("/").get_data(as_text=True)) if "/htmx/htmx-" in u)
    served = b"".join(client.get(url).response)
    original = (ROOT / "static" / "vendor" / "htmx" / "htmx-4.0.1.min.js").read_bytes()
    assert served == original
    assert hashlib.sha256(original).hexdigest()[:12] in url


@pytest.mark.parametrize("name", ["js/site.js", "js/insights.js", "js/share.js", "sw/reading.js"])
def test_our_scripts_are_served_minified_and_still_parse(app, client, name, tmp_path):
    """Our scripts lose comments and spaces (rjsmin), never a string's text; Node still parses them."""
    with app.test_request_context():
        url = asset_url(name)
    served = b"".join(client.get(url).response).decode()
    original = (ROOT / "static" / name).read_text()
    assert len(served) < 0.85 * len(original)
    assert "\n//" not in served and "/*" not in served
    code = "\n".join(line for line in original.splitlines() if not line.lstrip().startswith("//"))
    for text in re.findall(r"`[^`]*`|\"[^\"\n]*\"", code):  # template and double-quoted strings kept
        assert text in served, text
    script = tmp_path / "served.js"
    script.write_text(served)
    node = shutil.which("node")
    if node:  # Node is there when `make audit` has run; the browser tests run every script anyway
        assert subprocess.run([node, "--check", str(script)], capture_output=True).returncode == 0


def test_the_stylesheet_is_served_minified_with_every_rule(app, client):
    """site.css loses its comments and spaces, not a rule: same selectors and declarations, fewer bytes."""
    url = next(u for u in linked_assets(client.get("/").get_data(as_text=True)) if "/css/site." in u)
    served = b"".join(client.get(url).response).decode()
    original = (ROOT / "static" / "css" / "site.css").read_text()
    assert len(served) < 0.85 * len(original)
    assert "/*" not in served and "\n" not in served
    squeeze = lambda css: re.sub(r"\s+", "", re.sub(r"/\*.*?\*/", "", css, flags=re.S)).replace(";}", "}")  # noqa: E731
    assert squeeze(served) == squeeze(original)
    assert hashlib.sha256(served.encode()).hexdigest()[:12] in url


def test_static_files_are_served_compressed(client):
    url = next(u for u in linked_assets(client.get("/").get_data(as_text=True)) if "/css/site." in u)
    for encoding in ("br", "gzip"):
        response = client.get(url, headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding


def test_unhashed_url_still_works_with_a_short_lifetime(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"]


def test_missing_static_file_is_404(client):
    assert client.get("/static/css/nope.css").status_code == 404


def test_vendored_htmx_matches_its_recorded_checksum():
    notes = (HTMX.parent / "VERSION.txt").read_text()
    recorded = re.search(r"sha256: ([0-9a-f]{64})", notes).group(1)
    assert hashlib.sha256(HTMX.read_bytes()).hexdigest() == recorded
    assert "htmx 4.0.1" in notes
    assert HTMX.read_bytes().count(b'version:"4.0.1"') + HTMX.read_bytes().count(b"4.0.1") >= 1
