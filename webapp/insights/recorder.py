"""Adding to the counters: through the Redis buffer when there is one and it answers, else the database.
Also the signups' and confirmations' counts, which the newsletter calls explicitly."""

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from werkzeug.datastructures import Headers

from webapp.db.schema import utcnow
from webapp.insights import counts, events, privacy, store
from webapp.insights.buffer import Buffer
from webapp.insights.group_commit import GroupCommit

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class State:
    """One app's insights: where articles come from, and its buffer (None: straight to the database)."""

    library: Callable[[], object]
    buffer: Buffer | None


def state() -> State:
    """The current app's insights state."""
    return current_app.extensions["insights"]


_groups: dict[str, GroupCommit] = {}  # one per database, per process
_groups_lock = threading.Lock()
os.register_at_fork(after_in_child=_groups.clear)


def _group() -> GroupCommit:
    """This process's group commit for the app's database."""
    url = current_app.config["DATABASE_URL"]
    with _groups_lock:
        return _groups.setdefault(url, GroupCommit(store.write, store.queue))


def record_in(app: Flask, added: counts.Counts) -> None:
    """Add increments to `app`'s counters: buffered when possible, else committed to the database before
    returning (with the other requests of this process waiting at that moment); StoreUnavailable when it
    is down. Needs no app context: it pushes one only for the database."""
    buffer = app.extensions["insights"].buffer
    if buffer is None or not buffer.add(added):
        with app.app_context():
            _group().add(added)


def record(added: counts.Counts) -> None:
    """Add increments to the current app's counters (`record_in`)."""
    record_in(current_app._get_current_object(), added)


def questions_in(library: object, slug: str) -> int | None:
    """How many questions the article has in `library`, or None when there is no such article."""
    article = library.by_slug.get(slug)
    return None if article is None else len(article.faq)


def faq_count(slug: str) -> int | None:
    """How many questions the article has in the library being served, or None when there is none."""
    return questions_in(state().library(), slug)


def record_signup(article_slug: str | None, faq_opened: str, headers: Headers) -> None:
    """Count a stored signup for its article, with the questions the reader had opened on that page
    (the form's faq_opened field). Nothing for readers who opt out or crawlers; never raises."""
    questions_on_page = faq_count(article_slug or "")
    if questions_on_page is None or not privacy.counted(headers):
        return
    questions = events.opened_questions(faq_opened, questions_on_page)
    try:
        record(events.signup_counts(article_slug, questions, utcnow().date()))
    except store.StoreUnavailable as error:  # the signup itself is stored; its count must not fail it
        log.error("insights: signup not counted: %s", error)


def record_confirmed(article_slug: str | None, headers: Headers | None = None) -> None:
    """Count a confirmed signup for its article, on the day it is confirmed (call once per signup).
    With the confirming request's headers, a reader who opts out is not counted. Never raises."""
    if faq_count(article_slug or "") is None or (headers is not None and not privacy.counted(headers)):
        return
    try:
        record(counts.Counts({counts.article(utcnow().date(), article_slug, "confirmed"): 1}))
    except store.StoreUnavailable as error:
        log.error("insights: confirmation not counted: %s", error)
