"""Crawl every internal link and asset from the home page: no 4xx/5xx, no missing image, no dead #anchor."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from audit.server import fetch

LINK_ATTRS = {"href", "src", "action", "hx-get", "poster", "data"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class _Links(HTMLParser):
    """Collects the URLs and element ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note every URL-bearing attribute and every id."""
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        for key in LINK_ATTRS & values.keys():
            if tag == "form" and key == "action" and values.get("method", "get").lower() != "get":
                continue
            self.urls.append((tag, values[key]))
        for key in ("srcset", "imagesrcset"):
            for candidate in values.get(key, "").split(","):
                if candidate.strip():
                    self.urls.append((tag, candidate.split()[0]))
        if tag == "meta" and values.get("property", "").endswith(":image"):
            self.urls.append(("img", values.get("content", "")))


def _targets(body: bytes, content_type: str) -> tuple[list[tuple[str, str]], set[str] | None]:
    """The URLs a response refers to and, for HTML, the ids it defines (None for other types)."""
    text = body.decode("utf-8", "replace")
    if "html" in content_type:
        parser = _Links()
        parser.feed(text)
        return parser.urls, parser.ids
    if "css" in content_type:
        return [("css", url) for url in CSS_URL.findall(text) if not url.startswith("data:")], None
    if "manifest" in content_type or content_type.startswith("application/json"):
        data = json.loads(text or "{}")
        found = [("img", i.get("src", "")) for key in ("icons", "screenshots") for i in data.get(key, [])]
        return found + [("a", data[k]) for k in ("start_url", "scope") if isinstance(data.get(k), str)], None
    return [], None


def crawl(base_url: str, limit: int = 2000) -> tuple[dict[str, list[str]], int]:
    """Broken internal URLs by the page that links to them, and how many URLs were fetched."""
    host = urlsplit(base_url).netloc
    queue, seen = [(base_url + "/", "(start)", "a")], {base_url + "/"}
    anchors: list[tuple[str, str, str]] = []
    ids: dict[str, set[str] | None] = {}
    broken: dict[str, list[str]] = {}
    while queue and len(seen) <= limit:
        url, source, tag = queue.pop(0)
        status, body, content_type = fetch(url)
        problem = ""
        if status >= 400:
            problem = f"{status}"
        elif tag in ("img", "css") and not (content_type.startswith("image/") and body):
            problem = f"not an image ({content_type or 'no type'}, {len(body)} bytes)"
        if problem:
            broken.setdefault(source, []).append(f"{urlsplit(url).path}: {problem}")
            continue
        found, ids[url] = _targets(body, content_type)
        for found_tag, raw in found:
            absolute, fragment = urldefrag(urljoin(url, raw))
            if urlsplit(absolute).netloc != host or not absolute.startswith("http"):
                continue
            if fragment:
                anchors.append((absolute, fragment, url))
            if absolute not in seen:
                seen.add(absolute)
                queue.append((absolute, url, found_tag))
    for target, fragment, source in anchors:
        if ids.get(target) is not None and fragment not in ids[target]:
            broken.setdefault(source, []).append(f"{urlsplit(target).path}#{fragment}: no such id")
    return broken, len(seen)
