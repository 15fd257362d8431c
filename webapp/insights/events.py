"""An event batch from a reader's browser, validated, and the counters it adds (pure: no Flask).

What static/js/insights.js sends, one event per beacon as it happens, each at most once per page view:
    {"a": "<article slug>", "e": [{"t": "view", "r": "news.example"}]}   the page has loaded
    {"a": "<article slug>", "e": [{"t": "read"}]}                        the end of the body was reached
    {"a": "<article slug>", "e": [{"t": "cta"}]}                         half the signup form was seen
    {"a": "<article slug>", "e": [{"t": "faq", "q": 2, "first": true}]}  question 2 opened, the first one
`r` is the host (and port) of the page's referrer, never its path. The landing URL's utm_source, utm_medium
and utm_campaign come from the beacon's own Referer (the article's URL), not from the script. Up to
MAX_EVENTS events may share a batch; a batch is all valid or all refused.
"""

import ipaddress
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlsplit

from marshmallow import Schema, ValidationError, fields, validate

from webapp.insights import counts

EVENT_TYPES = ("view", "read", "cta", "faq")
MAX_EVENTS = 20
MAX_QUESTIONS = 100
SLUG = r"^[a-z0-9][a-z0-9-]{0,199}$"
# A host name as URL.hostname gives it (IDNs in punycode); IP addresses are checked by ipaddress.
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST = rf"^{LABEL}(?:\.{LABEL})*$"
UTM = ("utm_source", "utm_medium", "utm_campaign")
UTM_LENGTH = 100
SINGLE = {"view": "views", "read": "reads", "cta": "cta_views"}


class InvalidBatch(ValueError):
    """A batch that adds nothing, with the reason."""


class _Event(Schema):
    t = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    q = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_QUESTIONS))
    first = fields.Boolean(truthy={True}, falsy={False})
    r = fields.String(validate=validate.Length(max=260))


class _Batch(Schema):
    a = fields.String(required=True, validate=validate.Regexp(SLUG))
    e = fields.List(fields.Nested(_Event), required=True, validate=validate.Length(min=1, max=MAX_EVENTS))


_BATCH = _Batch()


@dataclass(frozen=True, slots=True)
class Batch:
    """A valid batch: the article, its single events, the questions opened and the view's sources."""

    article: str
    singles: frozenset[str]  # of "view", "read", "cta"
    questions: tuple[int, ...]
    first_question: bool
    referrer: str | None  # the view's referrer host, unless it is one of ours


def _message(errors: dict | list, path: str = "") -> str:
    """marshmallow's nested error dict as one readable line about the first problem."""
    if isinstance(errors, list):
        return f"{path}: {errors[0]}" if path else str(errors[0])
    name, inner = next(iter(errors.items()))
    if name == "_schema":  # the whole value, not one of its fields
        return _message(inner, path)
    return _message(inner, f"{path}.{name}" if path else str(name))


def parse(data: object, faq_count: Callable[[str], int | None], own_hosts: Collection[str]) -> Batch:
    """Validate decoded JSON; `faq_count(slug)` is the article's number of questions, None if unknown."""
    try:
        loaded = _BATCH.load(data)
    except ValidationError as error:
        raise InvalidBatch(f"Invalid event batch: {_message(error.messages)}") from None
    slug = loaded["a"]
    questions_on_page = faq_count(slug)
    if questions_on_page is None:
        raise InvalidBatch(f"There is no article {slug!r}.")
    singles, questions, firsts, referrer = set(), [], 0, None
    for event in loaded["e"]:
        kind = event["t"]
        if kind == "faq":
            question = event.get("q")
            if question is None or question > questions_on_page:
                raise InvalidBatch(f"A faq event needs q, a question number from 1 to {questions_on_page}.")
            if question in questions:
                raise InvalidBatch(f"Question {question} is opened twice in one batch.")
            questions.append(question)
            firsts += event.get("first", False)
        elif "q" in event or "first" in event:
            raise InvalidBatch(f"A {kind} event takes no q or first.")
        elif kind in singles:
            raise InvalidBatch(f"A {kind} event is sent once per page view.")
        else:
            singles.add(kind)
        if "r" in event:
            if kind != "view":
                raise InvalidBatch(f"Only the view event says where the reader came from, not {kind}.")
            referrer = referrer_host(event["r"])
            referrer = None if referrer in own_hosts else referrer  # a link from our own pages is no source
    if firsts > 1:
        raise InvalidBatch("Only one question is the first opened on a page view.")
    return Batch(slug, frozenset(singles), tuple(questions), firsts == 1, referrer)


class Remembered:
    """Valid batches by their key (a body's bytes, our host names) for one library: beacons repeat byte
    for byte (an article's read, form-seen and question events are alike from every reader), and the
    same bytes make the same batch until the content changes. Forgets them all past `size`."""

    def __init__(self, size: int = 4096):
        self.size, self.library, self.batches = size, None, {}

    def get(self, library: object, key: tuple) -> Batch | None:
        """The batch remembered for `key` with this library, or None."""
        if library is not self.library:
            self.library, self.batches = library, {}
        return self.batches.get(key)

    def put(self, library: object, key: tuple, batch: Batch) -> None:
        """Remember a valid batch for `key` with this library."""
        batches = self.batches if library is self.library else {}
        if len(batches) >= self.size:
            batches = {}
        batches[key] = batch
        self.library, self.batches = library, batches


def referrer_host(value: str) -> str:
    """The host of a referrer's `host[:port]`, lowercased; InvalidBatch when it is not a host name."""
    try:
        host = urlsplit("//" + value).hostname or ""
    except ValueError:
        host = ""
    if "/" in value or "@" in value or not (len(host) <= 253 and re.fullmatch(HOST, host) or _is_ip(host)):
        raise InvalidBatch("r must be the referrer's host, like news.example.")
    return host


def _is_ip(text: str) -> bool:
    """True for an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def utm_tags(landing_url: str) -> tuple[tuple[str, str], ...]:
    """The utm_source, utm_medium and utm_campaign of a landing URL, cleaned of control characters and
    cut to UTM_LENGTH characters; tags that are missing or empty are left out."""
    tags = {}
    try:
        pairs = parse_qsl(urlsplit(landing_url).query, max_num_fields=50)
    except ValueError:  # a query with a flood of fields: no tags
        return ()
    for name, value in pairs:
        clean = "".join(char for char in value if char.isprintable()).strip()[:UTM_LENGTH]
        if name in UTM and clean and name not in tags:
            tags[name] = clean
    return tuple(tags.items())


def batch_counts(batch: Batch, day: date, utm: tuple[tuple[str, str], ...] = ()) -> counts.Counts:
    """The counters a valid batch adds on `day`; a view also counts its referrer and UTM tags."""
    added = counts.Counts()
    for kind in batch.singles:
        added[counts.article(day, batch.article, SINGLE[kind])] += 1
    if batch.first_question:
        added[counts.article(day, batch.article, "faq_readers")] += 1
    for question in batch.questions:
        added[counts.faq(day, batch.article, question, "opens")] += 1
    if "view" in batch.singles:
        sources = ((("referrer", batch.referrer),) if batch.referrer else ()) + utm
        for kind, value in sources:
            added[counts.source(day, kind, value)] += 1
    return added


def opened_questions(field: str, questions_on_page: int) -> tuple[int, ...]:
    """The question numbers a signup form's faq_opened field lists ("2,5"); nonsense gives none."""
    numbers = []
    for part in field.split(",")[:MAX_QUESTIONS] if field else ():
        if part.strip().isdecimal() and 1 <= int(part) <= questions_on_page and int(part) not in numbers:
            numbers.append(int(part))
    return tuple(numbers)


def signup_counts(slug: str, questions: tuple[int, ...], day: date) -> counts.Counts:
    """The counters one signup from an article adds, after opening `questions` on that page view."""
    added = counts.Counts({counts.article(day, slug, "signups"): 1})
    if questions:
        added[counts.article(day, slug, "signups_after_faq")] += 1
    for question in questions:
        added[counts.faq(day, slug, question, "signups")] += 1
    return added
