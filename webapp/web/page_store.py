"""Where rendered pages are kept: in this process, or in a Redis that every instance shares.

A page is stored as bytes in one fixed layout, never pickled: whoever can write to the Redis could
otherwise run code in every worker by planting a pickle. `decode` accepts only that layout and takes
anything else (a pickle, a truncated value, another program's data) for a miss.
"""

import re
import struct
import threading
import time
from dataclasses import dataclass

import redis

# The layout: MAGIC, then status, ETag, the lengths of the media type and of the three bodies, then
# the media type (ASCII) and the bodies (identity, gzip, brotli), back to back and nothing after them.
MAGIC = b"HTPAGE1\n"
HEAD = struct.Struct("!8sH32sHIII")
ETAG = re.compile(rb"[0-9a-f]{32}")
MIMETYPE = re.compile(rb"[a-z]+/[a-z0-9.+-]+")
REDIS_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5, "health_check_interval": 30}


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A rendered response body with its compressed forms, validator and media type."""

    status: int
    body: bytes
    gzip: bytes
    br: bytes
    etag: str
    mimetype: str = "text/html"


def encode(page: CachedPage) -> bytes:
    """A page in the stored layout."""
    mimetype = page.mimetype.encode("ascii")
    lengths = (len(mimetype), len(page.body), len(page.gzip), len(page.br))
    head = HEAD.pack(MAGIC, page.status, page.etag.encode("ascii"), *lengths)
    return b"".join((head, mimetype, page.body, page.gzip, page.br))


def decode(data: bytes) -> CachedPage | None:
    """The page stored in `data`, or None when it is not exactly our layout."""
    if len(data) < HEAD.size or not data.startswith(MAGIC):
        return None
    _, status, etag, *lengths = HEAD.unpack_from(data)
    if len(data) != HEAD.size + sum(lengths) or not 100 <= status <= 599 or not ETAG.fullmatch(etag):
        return None
    parts, offset = [], HEAD.size
    for length in lengths:
        parts.append(data[offset : offset + length])
        offset += length
    mimetype, body, gzip, br = parts
    if not MIMETYPE.fullmatch(mimetype):
        return None
    return CachedPage(status, body, gzip, br, etag.decode("ascii"), mimetype.decode("ascii"))


class MemoryStore:
    """This process's pages, as objects (nothing to decode on a hit), at most `threshold` of them."""

    def __init__(self, threshold: int, timeout: int):
        self.threshold, self.timeout = threshold, timeout
        self.pages: dict[str, tuple[float, CachedPage]] = {}
        self.lock = threading.Lock()

    def get(self, key: str) -> CachedPage | None:
        """The page under `key`, unless missing or expired."""
        entry = self.pages.get(key)
        if entry is None or (entry[0] and entry[0] < time.monotonic()):
            return None
        return entry[1]

    def set(self, key: str, page: CachedPage) -> None:
        """Keep a page; when full, drop expired pages, then the oldest ones."""
        expires = time.monotonic() + self.timeout if self.timeout > 0 else 0.0
        with self.lock:
            if len(self.pages) >= self.threshold and key not in self.pages:
                self._prune()
            self.pages[key] = (expires, page)

    def _prune(self) -> None:
        """Make room: expired pages go first, then the oldest stored until a tenth is free."""
        now = time.monotonic()
        for key, (expires, _) in list(self.pages.items()):
            if expires and expires < now:
                del self.pages[key]
        for key in list(self.pages)[: max(0, len(self.pages) - self.threshold * 9 // 10)]:
            del self.pages[key]

    def clear(self) -> None:
        """Forget every page."""
        with self.lock:
            self.pages.clear()


class RedisStore:
    """Pages in Redis, under `prefix` + key, each expiring after `timeout` seconds (0: never)."""

    def __init__(self, url: str, prefix: str, timeout: int, options: dict | None = None):
        self.client = redis.Redis.from_url(url, **{**REDIS_OPTIONS, **(options or {})})
        self.prefix, self.timeout = prefix, timeout

    def get(self, key: str) -> CachedPage | None:
        """The page under `key`, or None when it is missing or not in our layout."""
        data = self.client.get(self.prefix + key)
        return decode(data) if data is not None else None

    def set(self, key: str, page: CachedPage) -> None:
        """Store a page."""
        self.client.set(self.prefix + key, encode(page), ex=self.timeout or None)

    def clear(self) -> None:
        """Delete this site's pages (the keys under its prefix) and nothing else."""
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.prefix) + "*"  # the prefix taken literally
        for key in self.client.scan_iter(match=pattern, count=1000):
            self.client.delete(key)


def open_store(config: dict) -> MemoryStore | RedisStore:
    """The store CACHE_TYPE names: SimpleCache (in-process) or RedisCache (CACHE_REDIS_URL)."""
    kind = str(config["CACHE_TYPE"]).rsplit(".", 1)[-1].lower()
    timeout = int(config["CACHE_DEFAULT_TIMEOUT"])
    if kind == "simplecache":
        return MemoryStore(int(config["CACHE_THRESHOLD"]), timeout)
    if kind == "rediscache":
        if not config.get("CACHE_REDIS_URL"):
            raise ValueError(
                "FLASK_CACHE_TYPE=RedisCache needs FLASK_CACHE_REDIS_URL, e.g. redis://host:6379/0"
            )
        options = config.get("CACHE_OPTIONS") or {}
        return RedisStore(config["CACHE_REDIS_URL"], config["CACHE_KEY_PREFIX"], timeout, options)
    raise ValueError(f"FLASK_CACHE_TYPE must be SimpleCache or RedisCache, not {config['CACHE_TYPE']!r}")
