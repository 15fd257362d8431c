"""The service worker script (/sw.js), rendered for each deploy (docs/pwa.md).

The URL shapes it routes by, the reading-cache limit and the words it shows offline all come from the
app here, so the script repeats none of them.
"""

import json
import re

from flask import Flask, current_app, render_template, url_for

from webapp.articles.library import get_library
from webapp.files import digest
from webapp.web import assets
from webapp.web.assets import asset_url

# Imported by /sw.js with importScripts(), by their hashed URLs: a change to one is a new worker.
MODULES = ("sw/reading.js", "sw/signups.js")
VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>")  # Werkzeug's <converter(args):name>
CONVERTERS = {"int": r"\d+", "path": ".+"}  # any other converter matches one path segment
SPECIAL = re.compile(r"[.*+?^${}()|\[\]\\/-]")


def rule_pattern(endpoint: str) -> str:
    """A regular expression, valid in JavaScript and Python alike, matching the paths of `endpoint`."""
    rule = next(current_app.url_map.iter_rules(endpoint)).rule
    pieces = VARIABLE.split(rule)  # literal, converter, literal, converter, ..., literal
    pattern = "".join(
        CONVERTERS.get(piece or "", "[^/]+") if odd else SPECIAL.sub(r"\\\g<0>", piece)
        for odd, piece in ((i % 2 == 1, p) for i, p in enumerate(pieces))
    )
    return f"^{pattern}$"


def rule_prefix(endpoint: str) -> str:
    """The fixed start of `endpoint`'s path, before its first variable part."""
    return next(current_app.url_map.iter_rules(endpoint)).rule.split("<")[0].rstrip("/")


def worker_version() -> str:
    """A digest of the static files and the content: each deploy gets a new service worker."""
    return digest(json.dumps(assets.manifest(), sort_keys=True), get_library().version, size=6)


def render_worker(shell: dict[str, str], offline_url: str, manifest_url: str) -> str:
    """The service worker script; `shell` maps each precached static path to its hashed URL."""
    return render_template(
        "pwa/sw.js",
        version=worker_version(),
        assets=shell,
        precache=[*shell.values(), offline_url, manifest_url],
        modules=[asset_url(module) for module in MODULES],
        offline_url=offline_url,
        signup_url=url_for("newsletter.signup"),
        article_page=rule_pattern("pages.article"),
        faq_answer=rule_pattern("pages.faq_answer"),
        # Never touched by the worker: the marketers' pages, unsubscribing (signed, personal links) and
        # search results (a saved page for one query must never answer another, offline).
        never_cached=[
            current_app.blueprints["admin"].url_prefix,
            rule_prefix("newsletter.unsubscribe_page"),
            rule_prefix("search.results"),
        ],
        reading_cache_articles=current_app.config["READING_CACHE_ARTICLES"],
        needs_connection=render_template("pwa/_needs_connection.html"),
        signup_queued=render_template("partials/_signup_queued.html"),
    )


def check_config(app: Flask) -> None:
    """Refuse to start with a reading-cache limit that is not a whole number of articles, 1 or more."""
    limit = app.config["READING_CACHE_ARTICLES"]
    if isinstance(limit, str) and limit.strip().isdigit():
        limit = app.config["READING_CACHE_ARTICLES"] = int(limit)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"FLASK_READING_CACHE_ARTICLES must be a whole number, 1 or more (got {limit!r})")
