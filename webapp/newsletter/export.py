"""Signups as CSV or JSON, produced chunk by chunk, with cells defused against spreadsheet formulas
(needs the app: each row carries its unsubscribe link on the public site)."""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from webapp.db.engine import reading
from webapp.newsletter import events, stats
from webapp.newsletter.compose import unsubscribe_links

COLUMNS = (
    "email",
    "status",
    "signed_up_at",
    "consented_at",
    "confirmed_at",
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


def _iso(moment: datetime | None) -> str | None:
    """A moment in ISO 8601 UTC, or None."""
    return moment.isoformat() if moment else None


def record(row, unsubscribe_url: str) -> dict:
    """One signup as export fields, times in ISO 8601 UTC."""
    return {
        "email": row.email,
        "status": row.status,
        "signed_up_at": row.created_at.isoformat(),
        "consented_at": row.consented_at.isoformat(),
        "confirmed_at": _iso(row.confirmed_at),
        "consent_version": row.consent_version,
        "consent_text": row.consent_text,
        "article": row.article_slug,
        "unsubscribed_at": _iso(row.unsubscribed_at),
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


def signup_records(
    since: datetime | None = None,
    status: str = "all",
    with_events: bool = False,
) -> Iterator[dict]:
    """The signups of a status as export records with their unsubscribe URL (and their `events`),
    streamed: the signups and the events are read side by side, both in signup order."""
    query, link = stats.filtered_rows(since, status), unsubscribe_links()
    with reading() as connection:
        rows = connection.execution_options(stream_results=True, yield_per=1000).execute(query)
        history = events.stream(connection) if with_events else iter(())
        event = next(history, None)
        for row in rows:
            item = record(row, link(row.unsubscribe_key))
            if with_events:
                item["events"] = []
                while event is not None and event.signup_id <= row.id:
                    if event.signup_id == row.id:
                        item["events"].append(events.as_record(event))
                    event = next(history, None)
            yield item
