"""Property-based tests over every route: random paths, queries, headers and bodies never give a 500,
never come back unescaped, and never write a row except for a valid signup."""

import os
import time
from urllib.parse import quote

import pytest
from backends import make_app
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from webapp.articles.library import get_library
from webapp.db.engine import dispose_engines, reading
from webapp.db.migrate import upgrade
from webapp.db.schema import signups as table
from webapp.newsletter.consent import CURRENT
from webapp.newsletter.emails import InvalidEmail, email_key, normalize_email

MARKER = "<x-fuzz"  # no template ever writes it: finding it raw in a body means input was reflected
SETTINGS = settings(
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
HOSTILE = st.sampled_from(
    [MARKER + ">", f'"><{MARKER[1:]} a=1>', f"'{MARKER}/>", f"{MARKER}%00", "../../etc"]
)
WORD = st.one_of(st.text(max_size=30), HOSTILE, st.from_regex(r"[a-z0-9-]{1,40}", fullmatch=True))


@pytest.fixture(scope="module")
def app(tmp_path_factory, static_build_dir):
    """One app over a migrated SQLite store, rate limits off (tests/test_limits.py covers them)."""
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'signups.sqlite3'}"
    upgrade(url)
    app = make_app(folder, static_build_dir, DATABASE_URL=url, RATELIMIT_ENABLED=False)
    yield app
    dispose_engines()


@pytest.fixture(scope="module")
def slugs(app) -> list[str]:
    """Real article slugs, so generated paths reach real pages as well as missing ones."""
    with app.app_context():
        return [a.slug for a in get_library().articles]


def rows(app) -> dict[str, str]:
    """Every stored signup: its key and its stored address."""
    with app.app_context(), reading() as connection:
        return dict(connection.execute(select(table.c.email_key, table.c.email)).all())


def count(app) -> int:
    """How many signups are stored."""
    with app.app_context(), reading() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


@st.composite
def paths(draw, slugs: list[str]) -> str:
    """A path to any route, with random or hostile parts, percent-encoded as a browser would send it."""
    part = quote(draw(WORD), safe="")
    slug = draw(st.one_of(st.sampled_from(slugs), st.just(part)))
    number = draw(st.one_of(st.integers(-3, 12).map(str), st.just(part)))
    return draw(
        st.sampled_from(
            [
                "/",
                f"/tags/{part}",
                f"/articles/{slug}",
                f"/articles/{slug}/faq/{number}",
                "/newsletter",
                "/newsletter/signup",
                "/newsletter/thanks",
                f"/newsletter/unsubscribe/{part}",
                "/admin/",
                "/admin/login",
                "/admin/login/code",
                "/admin/logout",
                "/admin/account",
                "/admin/account/authenticator",
                "/admin/account/recovery-codes",
                "/admin/export.csv",
                "/feed.xml",
                "/sitemap.xml",
                "/robots.txt",
                "/healthz",
                "/sw.js",
                "/manifest.webmanifest",
                f"/static/{part}",
                f"/{part}",
                f"/{part}/{part}",
            ]
        )
    )


QUERIES = st.dictionaries(WORD, WORD, max_size=4).map(
    lambda d: "&".join(f"{quote(k)}={quote(v)}" for k, v in d.items())
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HX-Request": st.one_of(st.sampled_from(["true", "false", "TRUE", "", "1"]), HEADER_TEXT),
        "HX-History-Restore-Request": st.sampled_from(["true", "false", ""]),
        "HX-Target": HEADER_TEXT,
        "Accept-Encoding": st.one_of(
            st.sampled_from(["br", "gzip;q=0", "br;q=abc, gzip;q=nan", "*;q=0", "identity;q=0", "*", ""]),
            HEADER_TEXT,
        ),
        "If-None-Match": st.one_of(st.sampled_from(["*", 'W/"x"', '"', "W/", ""]), HEADER_TEXT),
        "If-Modified-Since": st.one_of(st.just("Thu, 01 Jan 1970 00:00:00 GMT"), HEADER_TEXT),
        "Accept": st.one_of(st.sampled_from(["text/html", "*/*", "application/json"]), HEADER_TEXT),
        "Range": st.one_of(st.sampled_from(["bytes=0-10", "bytes=-5", "bytes=10-1", "bytes=x"]), HEADER_TEXT),
        "Origin": st.one_of(
            st.sampled_from(["null", "https://evil.example", "http://localhost"]), HEADER_TEXT
        ),
        "Sec-Fetch-Site": st.sampled_from(["same-origin", "cross-site", "none", "same-site", ""]),
        "X-Forwarded-Proto": st.sampled_from(["http", "https", "ftp", ""]),
        "X-Forwarded-For": HEADER_TEXT,
        "X-Request-ID": HEADER_TEXT,
        "Cookie": HEADER_TEXT,
    },
)
BODIES = st.one_of(
    st.none(),
    st.binary(max_size=300),
    st.dictionaries(
        st.sampled_from(["email", "article", "consent_version", "website", "csrf_token", "x"]), WORD
    ),
)
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/json",
        "text/plain; charset=latin-1",
    ]
)


def assert_safe(response) -> None:
    """No server error, and nothing hostile came back unescaped."""
    assert response.status_code < 500, response.status_code
    body = response.get_data()
    assert MARKER.encode() not in body and MARKER.upper().encode() not in body


@settings(SETTINGS, max_examples=250)
@given(data=st.data())
def test_any_request_to_any_route_is_answered_safely_and_writes_nothing(app, slugs, data):
    path = data.draw(paths(slugs), "path")
    query = data.draw(QUERIES, "query")
    headers = data.draw(HEADERS, "headers")
    method = data.draw(
        st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]), "method"
    )
    body = data.draw(BODIES, "body") if method in ("POST", "PUT") else None
    content_type = data.draw(CONTENT_TYPES, "content type") if body is not None else None
    if isinstance(body, dict) and path == "/newsletter/signup":
        body.pop("email", None)  # bodies that could be valid signups have their own property below
    before = count(app)
    kwargs = {"headers": headers, "query_string": query}
    if isinstance(body, dict) and content_type in (
        None,
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        kwargs["data"] = body
    elif body is not None:
        kwargs.update(data=body if isinstance(body, bytes) else str(body), content_type=content_type)
    response = app.test_client().open(path, method=method, **kwargs)
    event(f"status {response.status_code}")
    assert_safe(response)
    assert count(app) == before


def is_valid(email: str) -> bool:
    """Whether the store's own rules accept this address."""
    try:
        normalize_email(email)
    except InvalidEmail:
        return False
    return True


EMAILS = st.one_of(
    st.emails(), WORD, st.emails().map(lambda e: e.upper()), st.emails().map(lambda e: f" {e} ")
)


@settings(SETTINGS, max_examples=200)
@given(data=st.data())
def test_a_row_is_written_only_for_a_valid_signup_and_always_for_one(app, slugs, data):
    email = data.draw(EMAILS, "email")
    form = {
        "email": email,
        "article": data.draw(st.one_of(st.sampled_from(slugs), WORD), "article"),
        "consent_version": data.draw(st.one_of(st.just(CURRENT.version), WORD), "consent"),
        "website": data.draw(st.one_of(st.just(""), st.just(""), WORD), "honeypot"),
    }
    headers = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "HX-Request": st.sampled_from(["true", "false"]),
                "Origin": st.sampled_from(["http://localhost", "https://evil.example"]),
                "Sec-Fetch-Site": st.sampled_from(["same-origin", "cross-site", "none"]),
            },
        ),
        "headers",
    )
    multipart = data.draw(st.booleans(), "multipart")
    before = rows(app)
    response = app.test_client().post(
        "/newsletter/signup",
        data=form,
        headers=headers,
        content_type="multipart/form-data" if multipart else "application/x-www-form-urlencoded",
    )
    assert_safe(response)
    after = rows(app)
    allowed = headers.get("Origin", "http://localhost") == "http://localhost" and headers.get(
        "Sec-Fetch-Site", "none"
    ) in ("same-origin", "none")
    valid = allowed and not form["website"] and is_valid(email)
    event(f"valid signup: {valid}, status {response.status_code}")
    if valid:
        assert response.status_code in (200, 303), response.status_code
        key = email_key(normalize_email(email))
        assert key in after and set(after) - set(before) <= {key}
    else:
        assert after == before, (response.status_code, form, headers)


# Long and crafted URLs: runs of one character class (what backtracking regexes choke on), nested
# percent-escapes, near-addresses and near-tokens, Unicode digits and leading zeros, many parameters.
CRAFTED_UNITS = st.sampled_from(
    ["a", "-", ".", "a.", ".a", "@", "a@", "%25", "%2540", "0", "\u0662", "é", ";", "=", "x" * 19 + ".", "A1"]
)
LONG_TEXT = st.builds(lambda unit, n: (unit * n)[:16_000], CRAFTED_UNITS, st.integers(50, 8_000))
CPU_SECONDS_PER_REQUEST = 0.1  # generous: a 404 page renders in a few milliseconds


@st.composite
def crafted_urls(draw, slugs: list[str]) -> tuple[str, str]:
    """A long or oddly spelt path, and a long or many-parameter query string."""
    text = quote(draw(LONG_TEXT), safe="%@.;=-")
    zeros = "0" * draw(st.integers(1, 4_000))
    path = draw(
        st.sampled_from(
            [
                f"/{text}",
                f"/articles/{text}",
                f"/articles/{draw(st.sampled_from(slugs))}/faq/{zeros}1",
                f"/page/{zeros}2",
                f"/tags/{text}/page/{zeros}",
                f"/newsletter/unsubscribe/{text}",
                f"/newsletter/confirm/{text}",
                f"/admin/{text}",
                f"/static/{text}",
                "/" + "/".join([text[:40]] * 200),
            ]
        )
    )
    query = draw(
        st.one_of(
            st.just(""),
            LONG_TEXT.map(lambda value: "q=" + quote(value, safe="%@.;=-")),
            st.integers(1, 3_000).map(lambda n: "&".join(f"k{i}=v%40{i}" for i in range(n))),
        )
    )
    return path, query


@settings(SETTINGS, max_examples=120)
@given(data=st.data())
def test_long_and_crafted_urls_are_answered_quickly_and_safely(app, slugs, data):
    path, query = data.draw(crafted_urls(slugs), "url")
    method = data.draw(st.sampled_from(["GET", "HEAD", "POST"]), "method")
    headers = {"HX-Request": "true"} if data.draw(st.booleans(), "htmx") else {}
    client = app.test_client()
    client.open(path, method=method, query_string=query, headers=headers).close()  # templates compiled
    started = time.process_time()
    response = client.open(path, method=method, query_string=query, headers=headers)
    response.get_data()
    response.close()  # the request log writes its line here
    spent = time.process_time() - started
    event(f"status {response.status_code}")
    assert_safe(response)
    assert spent < CPU_SECONDS_PER_REQUEST, f"{spent * 1000:.0f} ms of CPU for {len(path) + len(query)} chars"
