"""webapp/web/request_guard.py: same-origin checks, body size, form type and UTF-8 for token-less forms."""

import pytest
from flask import Flask, jsonify

from webapp.web.request_guard import guard_form_size, read_form, require_same_origin


@pytest.fixture
def client():
    """A bare app with one guarded form endpoint, as the newsletter and admin forms use the guards."""
    app = Flask(__name__)
    app.config.update(MAX_FORM_BYTES=1024, SITE_URL="https://healthy.example")

    @app.post("/form")
    def form():
        guard_form_size()
        require_same_origin()
        return jsonify(read_form(("email", "note"), required=("email",)))

    return app.test_client()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_a_good_form_is_read(client):
    response = client.post("/form", data="email=a%40example.com", headers=FORM)
    assert response.status_code == 200
    assert response.json == {"email": "a@example.com", "note": ""}


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://localhost"},  # the request's own host
        {"Origin": "https://healthy.example"},  # the configured public address
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed into the address bar / a bookmark
        {},  # old clients send neither header
    ],
)
def test_same_origin_posts_are_allowed(client, headers):
    assert client.post("/form", data="email=x", headers=FORM | headers).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "https://healthy.example.evil.test"},
    ],
)
def test_posts_from_other_sites_get_403_with_a_message(client, headers):
    response = client.post("/form", data="email=x", headers=FORM | headers)
    assert response.status_code == 403
    assert b"only be sent from our own pages" in response.data


def test_an_oversized_body_gets_413_before_it_is_read(client):
    assert client.post("/form", data="email=" + "a" * 2000, headers=FORM).status_code == 413


def test_too_many_fields_are_refused(client):
    """A multipart body of 30 tiny fields (under the byte limit) passes the 20-part bound: 413."""
    multipart = "".join(f'--b\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nx\r\n' for i in range(30))
    response = client.post(
        "/form", data=multipart + "--b--\r\n", headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 413


def test_another_body_type_gets_415(client):
    response = client.post("/form", data='{"email": "x"}', headers={"Content-Type": "application/json"})
    assert response.status_code == 415
    assert b"web form" in response.data


def test_a_missing_required_field_gets_400_naming_it(client):
    response = client.post("/form", data="note=hi", headers=FORM)
    assert response.status_code == 400
    assert b"missing its email field" in response.data


@pytest.mark.parametrize("body", [b"email=%ff%fe", b"email=\xff"])
def test_a_body_that_is_not_utf8_gets_400(client, body):
    response = client.post("/form", data=body, headers=FORM)
    assert response.status_code == 400
    assert b"UTF-8" in response.data
