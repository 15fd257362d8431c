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
