"""One JSON line per request on stderr: method, path, status, duration and request id, emails masked."""

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable
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
    """The proxy's request id when it is a sane one, else a new one."""
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]


def log_line(environ: dict, status: str, started: float, sent: int, rid: str) -> str:
    """The JSON line for one finished request."""
    path = environ.get("PATH_INFO", "").encode("latin-1", "replace").decode("utf-8", "replace")
    query = environ.get("QUERY_STRING", "")
    return json.dumps(
        {
            "method": environ.get("REQUEST_METHOD", "")[:16],
            "path": mask(path)[:512],
            "query": mask(query)[:512] if query else None,
            "status": int(status.split(" ", 1)[0]) if status[:3].isdigit() else 0,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "bytes": sent,
            "id": rid,
        },
        ensure_ascii=True,
    )


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
            logger.info(log_line(environ, seen["status"], started, 0, rid))
            raise
        return _Logged(body, lambda sent: logger.info(log_line(environ, seen["status"], started, sent, rid)))


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
