"""Signups as CSV or JSON, produced chunk by chunk, with cells defused against spreadsheet formulas."""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from webapp.newsletter import store as signups

COLUMNS = (
    "email",
    "status",
    "signed_up_at",
    "consented_at",
    "consent_version",
    "consent_text",
    "article",
    "unsubscribed_at",
    "unsubscribe_url",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ tab or CR gets a quote (OWASP's advice)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def record(row, unsubscribe_url: str) -> dict[str, str | None]:
    """One signup as export fields, times in ISO 8601 UTC."""
    return {
        "email": row.email,
        "status": row.status,
        "signed_up_at": row.created_at.isoformat(),
        "consented_at": row.consented_at.isoformat(),
        "consent_version": row.consent_version,
        "consent_text": row.consent_text,
        "article": row.article_slug,
        "unsubscribed_at": row.unsubscribed_at.isoformat() if row.unsubscribed_at else None,
        "unsubscribe_url": unsubscribe_url,
    }


def csv_chunks(records: Iterable[dict], rows_per_chunk: int = 500) -> Iterator[str]:
    """The header, then the rows in chunks of CSV text (a million rows never sit in memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for count, item in enumerate(records, start=1):
        writer.writerow([defuse(item[name] or "") for name in COLUMNS])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(records: Iterable[dict]) -> Iterator[str]:
    """A JSON array written one object per line, so it streams like the CSV."""
    yield "["
    for index, item in enumerate(records):
        yield ("," if index else "") + "\n" + json.dumps(item, ensure_ascii=False)
    yield "\n]\n"


def signup_records(secret_key: str, site_url: str, since: datetime | None = None) -> Iterator[dict]:
    """Every signup as an export record, with its own signed unsubscribe URL on our site."""
    base = site_url.rstrip("/") + "/newsletter/unsubscribe/"  # newsletter.unsubscribe_page
    for row in signups.iter_rows(since):
        yield record(row, base + signups.unsubscribe_token(secret_key, row.id))
