"""One JSON line per request on stderr: method, path, status, duration and request id, emails masked."""

import logging
import random
import re
import sys
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from json.encoder import encode_basestring_ascii as _json  # json.dumps's own string encoder (C)
from urllib.parse import unquote

from flask import Flask

logger = logging.getLogger("webapp.requests")
# The log keeps 512 characters of a path or query; mask() looks at no more than this much of either,
# so a crafted 100 KB URL costs what a 600-character one does.
LOGGED_CHARS = 512
LOOKED_AT = LOGGED_CHARS + 88
# A "word" runs between URL separators; every pattern below only ever scans forward over maximal runs
# (never retried from each position inside one), so masking is linear in the input.
SEPARATORS = "/?&=;,:<>\"'()[]"
WORD = re.compile(r"[^\s" + re.escape(SEPARATORS) + "]+")
PIECE = re.compile(r"[\w.-]+")
REQUEST_ID = re.compile(r"[\w.-]{1,64}")


def mask(text: str) -> str:
    """At most 512 characters of `text`, percent-escapes decoded (nested ones too), every address's
    local part and every signed token hidden."""
    text = text[: LOOKED_AT * 3]  # an escape is 3 characters: decoding never lengthens text
    for _ in range(4):
        decoded = unquote(text, errors="replace")
        if decoded == text:
            break
        text = decoded
    if len(text) > LOOKED_AT:
        text = _drop_cut_word(text[:LOOKED_AT])
    return WORD.sub(_mask_word, text)[:LOGGED_CHARS]


def _drop_cut_word(text: str) -> str:
    """Text cut mid-word loses that word: a cut address or token is too short to be recognised."""
    end = len(text)
    while end and not (text[end - 1] in SEPARATORS or text[end - 1].isspace()):
        end -= 1
    return text[:end] + "..."


def _mask_word(match: re.Match) -> str:
    """An address keeps only its domain; a word holding a signed token is replaced."""
    word = match.group()
    if "@" in word:
        return "***@" + word.rpartition("@")[2]
    return PIECE.sub(_mask_piece, word) if len(word) >= 20 else word


def _mask_piece(match: re.Match) -> str:
    """Tokens are capabilities (unsubscribe and confirmation links): whoever reads one can use it."""
    parts = match.group().lstrip(".").split(".")
    signed = any(len(part) >= 20 for part in parts[1:])  # itsdangerous: payload.[time.]signature
    return "[token]" if signed or any(map(_random_looking, parts)) else match.group()


def _random_looking(part: str) -> bool:
    """A long run with digits or capitals that is no slug (slugs are lower-case words and hyphens)."""
    if len(part) < 20 or (part.islower() and "-" in part):
        return False
    return not part.isalpha() or not part.islower()


def request_id(environ: dict) -> str:
    """The proxy's request id when it is a sane one, else a new one (an id, not a secret: no urandom)."""
    given = environ.get("HTTP_X_REQUEST_ID")
    return given if given and REQUEST_ID.fullmatch(given) else f"{random.getrandbits(64):016x}"


@lru_cache(maxsize=2048)
def _masked_short(text: str) -> str:
    """mask() of a short path or query, remembered: the popular ones come back on every request."""
    return mask(text)[:LOGGED_CHARS]


def masked(text: str) -> str:
    """mask(), from the memo for text short enough to keep (a crafted long URL is masked each time)."""
    return _masked_short(text) if len(text) <= 256 else mask(text)[:LOGGED_CHARS]


def log_line(environ: dict, status: str, started: float, sent: int, rid: str) -> str:
    """The JSON line for one finished request: what json.dumps(..., ensure_ascii=True) writes for the
    same fields, assembled directly (strings through json's own C encoder)."""
    path = environ.get("PATH_INFO", "").encode("latin-1", "replace").decode("utf-8", "replace")
    query = environ.get("QUERY_STRING", "")
    code = int(status.split(" ", 1)[0]) if status[:3].isdigit() else 0
    ms = round((time.perf_counter() - started) * 1000, 1)
    return (
        f'{{"method": {_json(environ.get("REQUEST_METHOD", "")[:16])}, "path": {_json(masked(path))}, '
        f'"query": {_json(masked(query)) if query else "null"}, "status": {code}, "ms": {ms!r}, '
        f'"bytes": {sent}, "id": {_json(rid)}}}'
    )


def write(line: str) -> None:
    """Log one line: straight to our stream handler when it is the logger's only way out (a log record,
    the caller look-up and formatting cost more than serving a cached page), else through logging."""
    if not logger.isEnabledFor(logging.INFO):
        return
    handlers = logger.handlers
    if logger.propagate or len(handlers) != 1 or not getattr(handlers[0], "_request_log", False):
        logger.info(line)
        return
    handler = handlers[0]
    with handler.lock:
        handler.stream.write(line + "\n")
        handler.stream.flush()


class RequestLog:
    """WSGI middleware timing each request until its body has been produced, then logging one line."""

    def __init__(self, wsgi_app: Callable):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Pass the request on and log it once the response is closed."""
        started, rid, seen = time.perf_counter(), request_id(environ), {"status": "0", "bytes": 0}
        environ["webapp.request_id"] = rid

        def start(status: str, headers: list, exc_info=None):
            seen["status"] = status
            return start_response(status, [*headers, ("X-Request-ID", rid)], exc_info)

        try:
            body = self.wsgi_app(environ, start)
        except BaseException:
            seen["status"] = "500"
            write(log_line(environ, seen["status"], started, 0, rid))
            raise
        if type(body) is list:  # already produced (a cached page): log now, and leave the server its list,
            write(log_line(environ, seen["status"], started, sum(map(len, body)), rid))  # which it sends
            return body  # in one write, where any other iterable is walked chunk by chunk in Python
        return _Logged(body, lambda sent: write(log_line(environ, seen["status"], started, sent, rid)))


class _Logged:
    """A response body that counts what it yields and logs once: when it is used up or closed."""

    def __init__(self, body: Iterable[bytes], done: Callable[[int], None]):
        self.body, self.done, self.sent = body, done, 0

    def __iter__(self):
        """Yield the body, counting bytes."""
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk
        self._finish()

    def _finish(self):
        """Log the request, once."""
        done, self.done = self.done, None
        if done is not None:
            done(self.sent)

    def close(self):
        """Close the wrapped body (files, generators), then log if not done yet (a client gone early)."""
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self._finish()


def init_app(app: Flask) -> None:
    """Log every request, static files included (call last, so the log wraps everything)."""
    if not any(getattr(h, "_request_log", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._request_log = True
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = app.testing  # tests read the lines through the root logger (caplog)
    app.wsgi_app = RequestLog(app.wsgi_app)
