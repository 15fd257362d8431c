"""webapp/web/htmx.py: when a request is an htmx request that wants a fragment."""

import pytest
from flask import Flask

from webapp.web.htmx import is_htmx

APP = Flask(__name__)


def check(headers: dict[str, str]) -> bool:
    """is_htmx for a request carrying these headers."""
    with APP.test_request_context("/", headers=headers) as context:
        return is_htmx(context.request)


def test_an_htmx_request_wants_a_fragment():
    assert check({"HX-Request": "true"})


@pytest.mark.parametrize("value", ["false", "True", "1", "", "true "])
def test_only_the_exact_value_true_counts(value):
    """django-htmx's rule: HX-Request must equal "true"; anything else is a plain request."""
    assert not check({"HX-Request": value})


def test_a_plain_request_wants_the_page():
    assert not check({})


def test_a_history_restore_wants_the_page():
    """htmx restoring history after a cache miss asks for the whole page (it replaces the body)."""
    assert not check({"HX-Request": "true", "HX-History-Restore-Request": "true"})


def test_a_history_restore_header_that_is_not_true_changes_nothing():
    assert check({"HX-Request": "true", "HX-History-Restore-Request": "false"})


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/no-such-page", {"HX-Request": "true"}),  # the 404: a fragment for htmx, else the page
        ("/no-such-page", {}),
        ("/articles/circadian-rhythm-light/faq/1", {"HX-Request": "true"}),
        ("/articles/circadian-rhythm-light", {}),
        ("/newsletter", {}),
    ],
)
def test_every_answer_that_depends_on_htmx_says_so_once(client, path, headers):
    for _ in range(2):  # rendered, then from the page cache
        response = client.get(path, headers=headers)
        vary = [value.strip().lower() for value in response.headers.get("Vary", "").split(",")]
        assert vary.count("hx-request") == 1, response.headers.get("Vary")
        assert vary.count("hx-history-restore-request") == 1, response.headers.get("Vary")  # it decides too


def test_answers_that_do_not_depend_on_htmx_do_not_vary_on_it(client):
    for path in ("/healthz", "/manifest.webmanifest"):
        response = client.get(path, headers={"HX-Request": "true"})
        assert "hx-request" not in response.headers.get("Vary", "").lower(), path
