"""Shared by the insights tests: a browser-like beacon request and a snapshot of every counter."""

import json

from sqlalchemy import create_engine, select

from webapp.db.schema import insight_days, insight_faq_days, insight_source_days

ORIGIN = "http://localhost"  # the test client's own origin
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
HEADERS = {"Origin": ORIGIN, "User-Agent": BROWSER, "Sec-Fetch-Site": "same-origin"}


def beacon(client, body, content_type: str = "application/json", **headers):
    """POST a batch the way navigator.sendBeacon does from one of our pages."""
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    merged = {**HEADERS, **{name.replace("_", "-"): value for name, value in headers.items()}}
    merged = {name: value for name, value in merged.items() if value is not None}
    return client.post("/insights/events", data=data, content_type=content_type, headers=merged)


def counters(url: str) -> dict:
    """Every non-zero counter in the database, keyed by table, row key and column."""
    found = {}
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            for table in (insight_days, insight_faq_days, insight_source_days):
                keys = [column.name for column in table.primary_key.columns]
                for row in connection.execute(select(table)).mappings():
                    for name, value in row.items():
                        if name not in keys and value:
                            found[(table.name, *(str(row[key]) for key in keys), name)] = value
    finally:
        engine.dispose()
    return found


def send_scenario(client, first: str, second: str) -> None:
    """A known day of reading: four page views of `first`, two of `second`, two signups on `first`.

    first: views 4, reads 3, signup form seen 2, question 1 opened twice and question 2 once (2 views
    opened a question), 2 signups (1 after opening questions 1 and 2); second: views 2, reads 1.
    """
    views = [
        (first, [{"t": "view", "r": "news.example"}, {"t": "read"}, {"t": "cta"},
                 {"t": "faq", "q": 1, "first": True}, {"t": "faq", "q": 2}]),
        (first, [{"t": "view"}, {"t": "read"}, {"t": "faq", "q": 1, "first": True}]),
        (first, [{"t": "view"}, {"t": "read"}, {"t": "cta"}]),
        (first, [{"t": "view"}]),
        (second, [{"t": "view"}, {"t": "read"}]),
        (second, [{"t": "view"}]),
    ]  # fmt: skip
    for slug, events in views:
        for event in events:  # one beacon per event, as the script sends them
            assert beacon(client, {"a": slug, "e": [event]}).status_code == 204
    for email, opened in (("asked@example.com", "1,2"), ("direct@example.com", "")):
        form = {"email": email, "article": first, "consent_version": "", "website": "", "faq_opened": opened}
        response = client.post("/newsletter/signup", data=form, headers=HEADERS)
        assert response.status_code == 303
