"""The beacon endpoint's per-client limit (INSIGHTS_RATE_LIMIT), checked without a Flask request.

It counts with the `limits` library on Flask-Limiter's own storage and strategy (memory in each process,
or a Redis every server shares) under the keys Flask-Limiter gives a limited view: its key prefix, the
client key of webapp/web/limits.py (IPv4 address or IPv6 /64) and the endpoint. Like Flask-Limiter, it
checks the shortest window first, stops at the first limit broken, counts in memory while the storage is
down (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), else lets requests through (RATELIMIT_SWALLOW_ERRORS) or
raises, and is off when RATELIMIT_ENABLED is false.
"""

import logging
import time
from functools import lru_cache

from flask import Flask
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import STRATEGIES, RateLimiter

RETRY_SECONDS = 5.0  # while the storage is down, count in memory and try it again this often
log = logging.getLogger(__name__)


@lru_cache(maxsize=16)
def parsed(text: str) -> tuple[RateLimitItem, ...]:
    """The limits of a limit string ("120 per minute; 2000 per hour"), shortest window first."""
    return tuple(sorted(parse_many(text)))


class RateLimit:
    """One endpoint's limit per client, read from `app.config[setting]` at each check."""

    def __init__(self, app: Flask, setting: str, endpoint: str):
        self.app, self.setting, self.endpoint = app, setting, endpoint
        self.limiter = app.extensions["limiter"]
        config = app.config
        self.prefix = config.get("RATELIMIT_KEY_PREFIX", "")
        self.fail_on_first_breach = config.get("RATELIMIT_FAIL_ON_FIRST_BREACH", True)
        self.swallow_errors = config.get("RATELIMIT_SWALLOW_ERRORS", False)
        self.fallback: RateLimiter | None = None
        if self.limiter.enabled and config.get("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", False):
            self.fallback = STRATEGIES[config["RATELIMIT_STRATEGY"]](MemoryStorage())
        self.retry_at = 0.0

    def exceeded(self, client: str) -> RateLimitItem | None:
        """Count a request of `client` (a client key); the limit it breaks, or None when it may go on."""
        if not self.limiter.enabled:
            return None
        items = parsed(self.app.config[self.setting])
        identifiers = (self.prefix, client, self.endpoint) if self.prefix else (client, self.endpoint)
        if self.retry_at and time.monotonic() < self.retry_at:
            return self._check(self.fallback, items, identifiers)
        try:
            broken = self._check(self.limiter.limiter, items, identifiers)
        except Exception as error:  # noqa: BLE001 - any storage failure, as Flask-Limiter catches them
            if self.fallback is None:
                if not self.swallow_errors:
                    raise
                log.error("insights: rate-limit storage unavailable, beacon let through: %r", error)
                return None
            if not self.retry_at:
                log.warning("insights: rate-limit storage unreachable, counting in memory: %r", error)
            self.retry_at = time.monotonic() + RETRY_SECONDS
            return self._check(self.fallback, items, identifiers)
        if self.retry_at:
            log.info("insights: rate-limit storage recovered")
            self.retry_at = 0.0
        return broken

    def _check(
        self, strategy: RateLimiter, items: tuple[RateLimitItem, ...], identifiers: tuple[str, ...]
    ) -> RateLimitItem | None:
        """Hit each limit with `strategy`; the first one broken (the shortest window), or None."""
        broken = None
        for item in items:
            if not strategy.hit(item, *identifiers):
                broken = broken or item
                if self.fail_on_first_breach:
                    break
        return broken
