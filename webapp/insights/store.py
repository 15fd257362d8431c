"""Insight counters in the signups database: one upsert per table per batch (SQLite and PostgreSQL; each
statement compiled once, its rows passed as parameters), and the sums behind the marketers' view and the
export."""

import fcntl
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache

from flask import current_app
from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row, make_url

from webapp.db.engine import StoreUnavailable, reading, writing  # noqa: F401 - callers catch store.StoreUnavailable
from webapp.db.schema import insight_days, insight_faq_days, insight_flushes, insight_source_days, utcnow
from webapp.insights import counts

TABLES = {counts.ARTICLE: insight_days, counts.FAQ: insight_faq_days, counts.SOURCE: insight_source_days}
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}  # each backend's, with ON CONFLICT
FLUSH_MEMORY_SECONDS = 7 * 86400  # a flush retried later than this would count twice; none waits so long


def _grouped(added: counts.Counts) -> dict[str, dict[tuple, dict[str, int]]]:
    """Increments by table, then by primary key, then by column."""
    grouped: dict[str, dict[tuple, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for key, amount in added.items():
        if amount <= 0:
            continue
        kind, day = key[0], date.fromisoformat(key[1])
        if kind == counts.SOURCE:
            grouped[kind][(day, key[2], key[3])]["views"] = amount
            continue
        column = key[-1]
        grouped[kind][(day, *key[2:-1])][column] = amount
        if kind == counts.FAQ:  # every day an article was touched has its row, for the export's join
            grouped[counts.ARTICLE].setdefault((day, key[2]), {})
    return grouped


def _columns(table: Table) -> tuple[list[str], list[str]]:
    """A counters table's primary-key columns and its counter columns."""
    keys = [column.name for column in table.primary_key.columns]
    return keys, [column.name for column in table.columns if column.name not in keys]


@lru_cache(maxsize=16)
def _upsert_statement(dialect: str, table: Table):
    """One statement per backend and table, its rows given as parameters: SQLAlchemy compiles it once
    (a statement holding its VALUES would be compiled again for every batch, most of a batch's cost)."""
    keys, counters = _columns(table)
    insert = INSERTS[dialect](table)
    return insert.on_conflict_do_update(
        index_elements=keys, set_={name: table.c[name] + insert.excluded[name] for name in counters}
    )


def _upsert(connection: Connection, table: Table, rows: dict[tuple, dict[str, int]]) -> None:
    """Add to the counters of `rows` (created at zero when missing), in primary-key order."""
    keys, counters = _columns(table)
    values = [
        {**dict(zip(keys, key, strict=True)), **{name: amounts.get(name, 0) for name in counters}}
        for key, amounts in sorted(rows.items())  # one order everywhere: concurrent batches never deadlock
    ]
    connection.execute(_upsert_statement(connection.dialect.name, table), values)


def new_flush_id() -> str:
    """A unique flush id that sorts by time."""
    return f"{int(time.time()):012d}-{uuid.uuid4().hex}"


@lru_cache(maxsize=16)
def _lock_path(database_url: str) -> str | None:
    """The queue's lock file of a SQLite database file, None for another database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return f"{url.database}.insights-lock"


@contextmanager
def queue() -> Iterator[None]:
    """Wait for this process's turn to write counters. On SQLite, writers queue on a file lock beside the
    database: the kernel wakes the next one the moment the last one is done, where SQLite's own busy
    handler would sleep and poll. Other databases take concurrent writers as they come."""
    path = _lock_path(current_app.config["DATABASE_URL"])
    if path is None:
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def add(added: counts.Counts, flush_id: str | None = None) -> bool:
    """Apply increments in one transaction, in the queue. With a flush id, at most once: False if already
    applied."""
    with queue():
        return write(added, flush_id)


def write(added: counts.Counts, flush_id: str | None = None) -> bool:
    """`add` for a caller already in the queue (the lock is not taken twice: it is not reentrant)."""
    grouped = _grouped(added)
    with writing() as connection:
        if flush_id is not None:
            insert = INSERTS[connection.dialect.name](insight_flushes)
            claim = insert.values(flush_id=flush_id, flushed_at=utcnow())
            claimed = connection.execute(claim.on_conflict_do_nothing().returning(insight_flushes.c.flush_id))
            if claimed.first() is None:  # applied before (rowcount is not reliable here on every driver)
                return False
            cutoff = f"{int(time.time()) - FLUSH_MEMORY_SECONDS:012d}"
            connection.execute(delete(insight_flushes).where(insight_flushes.c.flush_id < cutoff))
        for kind in (counts.ARTICLE, counts.FAQ, counts.SOURCE):
            if grouped.get(kind):
                _upsert(connection, TABLES[kind], grouped[kind])
    return True


def _between(table: Table, start: date, end: date):
    """The rows of `table` from day `start` to day `end`, both included."""
    return (table.c.day >= start, table.c.day <= end)


def totals(start: date, end: date) -> dict[str, dict[str, int]]:
    """Each article's counters summed over the days from `start` to `end`."""
    columns = counts.ARTICLE_COLUMNS
    query = (
        select(insight_days.c.article_slug, *(func.sum(insight_days.c[name]) for name in columns))
        .where(*_between(insight_days, start, end))
        .group_by(insight_days.c.article_slug)
    )
    with reading() as connection:
        found = connection.execute(query).all()
    return {row[0]: dict(zip(columns, (int(n) for n in row[1:]), strict=True)) for row in found}


def daily(column: str, start: date, end: date, slugs: Collection[str] = ()) -> dict[str, dict[date, int]]:
    """One counter per article and day (only days with counts), for charts; of `slugs` only, if given."""
    query = select(insight_days.c.article_slug, insight_days.c.day, insight_days.c[column]).where(
        *_between(insight_days, start, end), insight_days.c[column] > 0
    )
    if slugs:
        query = query.where(insight_days.c.article_slug.in_(list(slugs)))
    per_article: dict[str, dict[date, int]] = defaultdict(dict)
    with reading() as connection:
        for article, day, value in connection.execute(query):
            per_article[article][day] = int(value)
    return dict(per_article)


def site_daily(column: str, start: date, end: date) -> dict[date, int]:
    """One counter summed over every article, per day (only days with counts)."""
    total = func.sum(insight_days.c[column])
    query = (
        select(insight_days.c.day, total)
        .where(*_between(insight_days, start, end))
        .group_by(insight_days.c.day)
        .having(total > 0)
    )
    with reading() as connection:
        return {day: int(value) for day, value in connection.execute(query)}


def questions(slug: str, start: date, end: date) -> dict[int, tuple[int, int]]:
    """An article's questions: number -> (opens, signups after opening it), over the days."""
    table = insight_faq_days
    query = (
        select(table.c.question, func.sum(table.c.opens), func.sum(table.c.signups))
        .where(table.c.article_slug == slug, *_between(table, start, end))
        .group_by(table.c.question)
    )
    with reading() as connection:
        return {int(q): (int(opens), int(signups)) for q, opens, signups in connection.execute(query)}


def sources(start: date, end: date, limit: int = 10) -> dict[str, list[tuple[str, int]]]:
    """The most frequent referrer hosts and UTM values over the days, by kind, busiest first."""
    table = insight_source_days
    views = func.sum(table.c.views).label("views")
    query = (
        select(table.c.kind, table.c.value, views)
        .where(*_between(table, start, end))
        .group_by(table.c.kind, table.c.value)
        .order_by(table.c.kind, views.desc(), table.c.value)
    )
    found: dict[str, list[tuple[str, int]]] = {kind: [] for kind in counts.SOURCE_KINDS}
    with reading() as connection:
        for kind, value, total in connection.execute(query):
            if kind in found and len(found[kind]) < limit:
                found[kind].append((value, int(total)))
    return found


def rows(since: date | None = None, batch: int = 1000) -> Iterator[Row]:
    """Every article's day as (day, article, views, reads, faq_opens, cta_views, signups, confirmed),
    oldest first, streamed."""
    opens = (
        select(
            insight_faq_days.c.day,
            insight_faq_days.c.article_slug,
            func.sum(insight_faq_days.c.opens).label("faq_opens"),
        )
        .group_by(insight_faq_days.c.day, insight_faq_days.c.article_slug)
        .subquery()
    )
    days = insight_days
    query = (
        select(
            days.c.day,
            days.c.article_slug.label("article"),
            days.c.views,
            days.c.reads,
            func.coalesce(opens.c.faq_opens, 0).label("faq_opens"),
            days.c.cta_views,
            days.c.signups,
            days.c.confirmed,
        )
        .select_from(
            days.outerjoin(opens, (opens.c.day == days.c.day) & (opens.c.article_slug == days.c.article_slug))
        )
        .order_by(days.c.day, days.c.article_slug)
    )
    if since is not None:
        query = query.where(days.c.day >= since)
    with reading() as connection:
        yield from connection.execution_options(stream_results=True, yield_per=batch).execute(query)
