"""webapp/reader/worker.py: the URL shapes and the limit /sw.js is rendered with."""

import re

import pytest
from flask import Flask

from webapp.reader.worker import check_config, rule_pattern, rule_prefix


@pytest.fixture
def routes():
    """A bare app with rules of every converter kind the worker may meet."""
    app = Flask(__name__)
    for endpoint, rule in {
        "answer": "/articles/<slug>/faq/<int:number>",
        "file": "/files/<path:name>",
        "dotted": "/v1.0/items/<string(length=3):code>",
        "plain": "/offline",
        "prefixed": "/newsletter/unsubscribe/<token>",
    }.items():
        app.add_url_rule(rule, endpoint, lambda **_: "")
    with app.app_context():
        yield


@pytest.mark.parametrize(
    ("endpoint", "matching", "other"),
    [
        ("answer", ["/articles/sleep/faq/1", "/articles/a-b/faq/12"],
         ["/articles/sleep/faq/x", "/articles/a/b/faq/1", "/articles/sleep/faq/1/", "/articles/sleep"]),
        ("file", ["/files/a", "/files/a/b.txt"], ["/files/", "/filesa"]),
        ("dotted", ["/v1.0/items/abc"], ["/v1x0/items/abc", "/v1.0/items/a/c"]),
        ("plain", ["/offline"], ["/offline/", "/offlines", "/x/offline"]),
    ],
)  # fmt: skip
def test_rule_pattern_matches_exactly_the_paths_of_the_rule(routes, endpoint, matching, other):
    pattern = re.compile(rule_pattern(endpoint))
    assert all(pattern.match(path) for path in matching)
    assert not any(pattern.match(path) for path in other)


def test_rule_pattern_is_valid_in_a_javascript_string_too(routes):
    # Written into /sw.js as new RegExp("..."): every slash and dot escaped, nothing JavaScript rejects.
    assert rule_pattern("dotted") == r"^\/v1\.0\/items\/[^/]+$"


def test_rule_prefix_is_the_fixed_start_of_the_path(routes):
    assert rule_prefix("prefixed") == "/newsletter/unsubscribe"
    assert rule_prefix("plain") == "/offline"


@pytest.mark.parametrize(("value", "limit"), [(50, 50), ("12", 12), (" 3 ", 3), (1, 1)])
def test_a_whole_number_limit_is_taken(value, limit):
    app = Flask(__name__)
    app.config["READING_CACHE_ARTICLES"] = value
    check_config(app)
    assert app.config["READING_CACHE_ARTICLES"] == limit
