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
# Anything shaped like an address, however it was encoded in the URL, keeps only its domain.
EMAIL = re.compile(r"[^\s@/?&=;,:<>\"'()\[\]]+@([^\s@/?&=;,:<>\"'()\[\]]+)")
# Signed tokens (unsubscribe links) are capabilities: whoever reads them can use them.
TOKEN = re.compile(r"\.?[\w-]+(?:\.[\w-]{4,})?\.[\w-]{20,}")
REQUEST_ID = re.compile(r"[\w.-]{1,64}")


def mask(text: str) -> str:
    """Decode percent-escapes (nested ones too), then hide every address's local part and every token."""
    for _ in range(4):
        decoded = unquote(text, errors="replace")
        if decoded == text:
            break
        text = decoded
    return TOKEN.sub("[token]", EMAIL.sub(r"***@\1", text))


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
