"""The signups store: add, unsubscribe, count and stream signups (SQLAlchemy Core, SQLite or PostgreSQL)."""

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Date, case, cast, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, Row

from webapp.db.engine import StoreUnavailable, reading, writing
from webapp.db.schema import signups, utcnow
from webapp.newsletter.consent import Consent
from webapp.newsletter.emails import email_key

__all__ = ["StoreUnavailable", "add_signup", "unsubscribe", "status_of", "stats", "iter_rows", "count_rows"]


def _upsert(dialect: Dialect):
    """The INSERT ... ON CONFLICT construct of this backend."""
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect.name, insert)


def add_signup(
    email: str, consent: Consent, article_slug: str | None = None, client_hash: str | None = None
) -> None:
    """Store a normalized address once; signing up again after unsubscribing subscribes again."""
    now = utcnow()
    with writing() as connection:
        statement = _upsert(connection.dialect)(signups).values(
            email=email,
            email_key=email_key(email),
            status="subscribed",
            created_at=now,
            consented_at=now,
            consent_version=consent.version,
            consent_text=consent.text,
            article_slug=article_slug,
            client_hash=client_hash,
        )
        excluded = statement.excluded
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[signups.c.email_key],
                set_={
                    "status": "subscribed",
                    "consented_at": excluded.consented_at,
                    "consent_version": excluded.consent_version,
                    "consent_text": excluded.consent_text,
                    "unsubscribed_at": None,
                },
                where=signups.c.status == "unsubscribed",
            )
        )


def unsubscribe(signup_id: int) -> bool:
    """Mark a signup unsubscribed (the record is kept); False when there is no such signup."""
    with writing() as connection:
        connection.execute(
            update(signups)
            .where(signups.c.id == signup_id, signups.c.status == "subscribed")
            .values(status="unsubscribed", unsubscribed_at=utcnow())
        )
        found = connection.execute(select(signups.c.id).where(signups.c.id == signup_id)).first()
    return found is not None


def status_of(signup_id: int) -> str | None:
    """A signup's status, or None when there is no such signup."""
    with reading() as connection:
        return connection.execute(select(signups.c.status).where(signups.c.id == signup_id)).scalar()


@dataclass(frozen=True, slots=True)
class Stats:
    """The numbers marketers watch."""

    subscribed: int
    unsubscribed: int
    new_this_week: int
    per_article: list[tuple[str | None, int, int]]  # (slug, signups, still subscribed), best first
    per_day: dict[date, int]


def _day(dialect: Dialect):
    """The UTC calendar day of a signup, as this backend computes it."""
    if dialect.name == "postgresql":
        return cast(func.timezone("UTC", signups.c.created_at), Date)
    return func.date(signups.c.created_at)


def stats(now: datetime | None = None, days: int = 90) -> Stats:
    """Totals, this week's new signups, signups per article and per day over the last `days` days."""
    now = now or utcnow()
    subscribed = case((signups.c.status == "subscribed", 1), else_=0)
    with reading() as connection:
        totals = connection.execute(
            select(
                func.coalesce(func.sum(subscribed), 0),
                func.count() - func.coalesce(func.sum(subscribed), 0),
                func.count().filter(signups.c.created_at >= now - timedelta(days=7)),
            )
        ).one()
        per_article = connection.execute(
            select(signups.c.article_slug, func.count(), func.coalesce(func.sum(subscribed), 0))
            .group_by(signups.c.article_slug)
            .order_by(func.count().desc(), signups.c.article_slug)
        ).all()
        day = _day(connection.dialect)
        start = datetime.combine(now.date() - timedelta(days=days - 1), datetime.min.time(), now.tzinfo)
        per_day = connection.execute(
            select(day, func.count()).where(signups.c.created_at >= start).group_by(day)
        ).all()
    return Stats(
        subscribed=int(totals[0]),
        unsubscribed=int(totals[1]),
        new_this_week=int(totals[2]),
        per_article=[(slug, int(count), int(still)) for slug, count, still in per_article],
        per_day={date.fromisoformat(str(value)[:10]): int(count) for value, count in per_day},
    )


def _since(query, since: datetime | None):
    """Limit a query to signups made at or after `since`."""
    return query if since is None else query.where(signups.c.created_at >= since)


def count_rows(since: datetime | None = None) -> int:
    """How many signups an export will hold."""
    with reading() as connection:
        return connection.execute(_since(select(func.count()).select_from(signups), since)).scalar_one()


def iter_rows(since: datetime | None = None, batch: int = 1000) -> Iterator[Row]:
    """Every signup in id order, streamed from the database in batches (never all in memory)."""
    query = _since(select(signups).order_by(signups.c.id), since)
    with reading() as connection:
        result = connection.execution_options(stream_results=True, yield_per=batch).execute(query)
        yield from result


def unsubscribe_token(secret_key: str, signup_id: int) -> str:
    """A signed, never-expiring token naming one signup (and not its address)."""
    return URLSafeSerializer(secret_key, salt="newsletter-unsubscribe").dumps(signup_id)


def read_unsubscribe_token(secret_key: str, token: str) -> int | None:
    """The signup a token names, or None when it was not signed by us."""
    try:
        value = URLSafeSerializer(secret_key, salt="newsletter-unsubscribe").loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def client_hash(secret_key: str, address: str | None) -> str | None:
    """A keyed hash of the client address: lets us spot abuse without storing the address."""
    if not address:
        return None
    return hmac.new(secret_key.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]
