"""Reading the signups: the figures marketers watch, and the rows an export streams.

Erased signups count through their anonymous tombstones, so totals per article and per day stay right.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Date, case, cast, func, literal, select, union_all
from sqlalchemy.engine import Dialect, Row

from webapp.db.engine import reading
from webapp.db.schema import erasures, signups, utcnow

STATUSES = ("pending", "confirmed", "unsubscribed", "undeliverable")


@dataclass(frozen=True, slots=True)
class Stats:
    """The numbers marketers watch."""

    subscribed: int  # confirmed
    pending: int
    unsubscribed: int
    undeliverable: int
    erased: int
    new_this_week: int
    per_article: list[tuple[str | None, int, int]]  # (slug, signups, still subscribed), best first
    per_day: dict[date, int]


def _all_signups():
    """Every signup ever made, the erased ones included (as tombstones): created_at, status, article."""
    return union_all(
        select(signups.c.created_at, signups.c.status, signups.c.article_slug),
        select(
            erasures.c.signed_up_at.label("created_at"),
            literal("erased").label("status"),
            erasures.c.article_slug,
        ),
    ).subquery()


def _day(dialect: Dialect, column):
    """The UTC calendar day of a moment, as this backend computes it."""
    if dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def stats(now: datetime | None = None, days: int = 90) -> Stats:
    """Totals, this week's new signups, signups per article and per day over the last `days` days."""
    now = now or utcnow()
    every = _all_signups()
    confirmed = case((every.c.status == "confirmed", 1), else_=0)
    with reading() as connection:
        by_status = dict(
            connection.execute(select(every.c.status, func.count()).group_by(every.c.status)).all()
        )
        week = connection.execute(
            select(func.count()).select_from(every).where(every.c.created_at >= now - timedelta(days=7))
        ).scalar_one()
        per_article = connection.execute(
            select(every.c.article_slug, func.count(), func.coalesce(func.sum(confirmed), 0))
            .group_by(every.c.article_slug)
            .order_by(func.count().desc(), every.c.article_slug)
        ).all()
        day = _day(connection.dialect, every.c.created_at)
        start = datetime.combine(now.date() - timedelta(days=days - 1), datetime.min.time(), now.tzinfo)
        per_day = connection.execute(
            select(day, func.count()).where(every.c.created_at >= start).group_by(day)
        ).all()
    return Stats(
        subscribed=int(by_status.get("confirmed", 0)),
        pending=int(by_status.get("pending", 0)),
        unsubscribed=int(by_status.get("unsubscribed", 0)),
        undeliverable=int(by_status.get("undeliverable", 0)),
        erased=int(by_status.get("erased", 0)),
        new_this_week=int(week),
        per_article=[(slug, int(count), int(still)) for slug, count, still in per_article],
        per_day={date.fromisoformat(str(value)[:10]): int(count) for value, count in per_day},
    )


def _filtered(query, since: datetime | None, status: str):
    """Limit a query to signups made at or after `since`, in `status` ('all' for every one)."""
    if since is not None:
        query = query.where(signups.c.created_at >= since)
    if status != "all":
        query = query.where(signups.c.status == status)
    return query


def count_rows(since: datetime | None = None, status: str = "all") -> int:
    """How many signups an export will hold."""
    query = _filtered(select(func.count()).select_from(signups), since, status)
    with reading() as connection:
        return connection.execute(query).scalar_one()


def filtered_rows(since: datetime | None = None, status: str = "all"):
    """The query of the signups made since `since` in `status`, in id order."""
    return _filtered(select(signups).order_by(signups.c.id), since, status)


def iter_rows(since: datetime | None = None, status: str = "all", batch: int = 1000) -> Iterator[Row]:
    """The signups in id order, streamed from the database in batches (never all in memory)."""
    query = filtered_rows(since, status)
    with reading() as connection:
        yield from connection.execution_options(stream_results=True, yield_per=batch).execute(query)
