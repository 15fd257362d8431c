"""Per-account sign-in throttling: after a few failures each further attempt waits twice as long, up to
15 minutes, however many addresses the guesses come from.

Counted for every address typed in, existing or not (so the throttle never tells which accounts exist),
in the rate-limit storage (shared through Redis by every worker and server). It only slows down: the
owner can always sign in once the wait is over, and a success clears the count. A day without failures
forgets them. At 15 minutes a guess, an attacker gets about 100 guesses a day at one account.
"""

import hashlib
import math
import time

from flask import current_app

FREE_FAILURES = 5  # typos and a forgotten caps lock cost nothing
MAX_WAIT_SECONDS = 15 * 60
FORGET_SECONDS = 24 * 3600


def _keys(email: str) -> tuple[str, str]:
    """The storage keys of an address: its failure count and its current wait."""
    name = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    prefix = f"{current_app.config['RATELIMIT_KEY_PREFIX']}/login-account/{name}"
    return f"{prefix}/failures", f"{prefix}/wait"


def _storage():
    """The rate-limit storage (memory in each process, or Redis shared by all)."""
    return current_app.extensions["limiter"].storage


def _swallowed(error: Exception) -> None:
    """Like the per-address limits: a storage outage lets sign-ins through (logged) when so configured."""
    if not current_app.config["RATELIMIT_SWALLOW_ERRORS"]:
        raise error
    current_app.logger.error("Sign-in throttle storage unavailable: %r", error)


def wait_seconds(email: str) -> int:
    """Seconds before this address may try again; 0 when it may now."""
    _, wait = _keys(email)
    try:
        storage = _storage()
        if storage.get(wait) <= 0:
            return 0
        return max(1, math.ceil(storage.get_expiry(wait) - time.time()))
    except Exception as error:  # noqa: BLE001 - any storage failure
        _swallowed(error)
        return 0


def delay_after(failures: int) -> int:
    """The wait after this many failures in a row: none, then 2 s, 4 s, 8 s, ... up to 15 minutes."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES + 1), MAX_WAIT_SECONDS)


def failed(email: str) -> int:
    """Count a failed attempt; the wait it starts, in seconds."""
    failures, wait = _keys(email)
    try:
        storage = _storage()
        delay = delay_after(storage.incr(failures, FORGET_SECONDS))
        if delay:
            storage.clear(wait)
            storage.incr(wait, delay)
    except Exception as error:  # noqa: BLE001 - any storage failure
        _swallowed(error)
        return 0
    return delay


def succeeded(email: str) -> None:
    """Forget the failures of an address once its owner has signed in."""
    try:
        for key in _keys(email):
            _storage().clear(key)
    except Exception as error:  # noqa: BLE001 - any storage failure
        _swallowed(error)
