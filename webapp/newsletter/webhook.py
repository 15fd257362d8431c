"""The hand-off to the marketers' tools: each confirmation and unsubscribe POSTed as signed JSON.

The body is the outbox row's JSON, byte for byte the same on every retry. Headers:
- `Healthytips-Delivery`: the delivery's id, the same on a retry (receivers drop repeats with it);
- `Healthytips-Signature: t=<unix time>,v1=<hex>`: HMAC-SHA256 with FLASK_SIGNUP_WEBHOOK_SECRET over
  `<t>.<body>`; receivers recompute it, compare in constant time, and refuse an old `t` (replays).
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from webapp.newsletter.mailer import Deferred, Unreachable

TIMEOUT = 10


def body(payload: dict, delivery_id: str) -> bytes:
    """The JSON we POST: the event, with its delivery id."""
    return json.dumps({"id": delivery_id, **payload}, ensure_ascii=False, sort_keys=True).encode()


def signature(secret: str, timestamp: int, data: bytes) -> str:
    """The signature header's value for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + data, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, data: bytes, tolerance: int = 300, now: float | None = None) -> bool:
    """Whether a signature header is ours and fresh: what a receiver runs (and our tests)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, data), header)


def post(url: str, secret: str, payload: dict, delivery_id: str, user_agent: str) -> None:
    """POST one event; any answer but 2xx, or no answer, defers it (it is retried, never dropped)."""
    data = body(payload, delivery_id)
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": user_agent,
            "Healthytips-Delivery": delivery_id,
            "Healthytips-Signature": signature(secret, int(time.time()), data),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read(1024)
    except urllib.error.HTTPError as error:
        raise Deferred(f"webhook answered {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError) as error:
        raise Unreachable(f"webhook unreachable: {getattr(error, 'reason', error)}") from error
