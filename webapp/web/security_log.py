"""The security log: one JSON line on stderr per sign-in, failure, export or account change, naming the
account, so an operator can see who did what (and who was guessing at whom)."""

import json
import logging
import sys

from flask import Flask, has_request_context, request

from webapp.web.limits import client_key
from webapp.web.request_log import mask

logger = logging.getLogger("webapp.security")


def record(event: str, account: object = None, level: int = logging.INFO, **fields: object) -> None:
    """Log one event with its account (a User, an id or an address typed in) and request."""
    line: dict[str, object] = {"event": event}
    if hasattr(account, "id"):
        line.update(account=account.id, email=account.email)
    elif isinstance(account, str):
        line["email"] = mask(account)[:254]  # typed by anyone: an unknown address keeps only its domain
    elif account is not None:
        line["account"] = account
    if has_request_context():
        line.update(client=client_key(), request=request.environ.get("webapp.request_id"))
    line.update(fields)
    logger.log(level, json.dumps(line, ensure_ascii=True, default=str))


def init_app(app: Flask) -> None:
    """Send the security log to stderr (the journal under systemd), whatever the app's own log level."""
    if not any(getattr(h, "_security_log", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._security_log = True
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = app.testing  # tests read the lines through the root logger (caplog)
