"""An optional Redis buffer in front of the counters, for several app servers at a high event rate.

Each batch is one atomic command (an HINCRBY, or a script of them) on the request thread's own
connection; every few seconds one flusher (a Redis lock picks it among all processes) renames the
pending hash and applies it to the database in one transaction, recorded under its flush id so a retried
flush never counts twice. While Redis is down, batches go straight to the database (nothing lost, no
request failed); a Redis that loses its memory loses only what was buffered. A reply lost to a timeout
after Redis did count a batch sends it to the database too: counted twice, never lost (the only double
count there is, and only while Redis is failing).
"""

import logging
import os
import threading
import time

import redis
from flask import Flask

from webapp.insights import counts, store

RETRY_SECONDS = 5.0  # while Redis is down, try it again this often (batches go to the database meanwhile)
OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5, "health_check_interval": 30}
log = logging.getLogger(__name__)
# Every field of a batch in one atomic command and one round trip (all or nothing, so a batch that
# fails here and goes to the database instead is never counted twice). A batch of one counter, which
# is what most beacons add, is a plain HINCRBY: the same round trip, without running a script.
INCREMENT = """
for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
"""


class Buffer:
    """Counters buffered in one Redis hash, flushed to the store by a background thread per process."""

    def __init__(self, app: Flask, url: str, prefix: str, flush_seconds: float):
        self.app, self.flush_seconds = app, flush_seconds
        self.redis = redis.Redis.from_url(url, **OPTIONS)
        self.pending, self.flushing = f"{prefix}pending", f"{prefix}flushing:"
        self.lock_name = f"{prefix}lock"
        self.retry_at, self.down, self.flusher_pid = 0.0, False, None
        self._start_lock = threading.Lock()
        self._local = threading.local()  # each request thread's own connection
        self.increment = self.redis.register_script(INCREMENT)

    def add(self, added: counts.Counts) -> bool:
        """Buffer increments; False when Redis cannot take them now (the caller writes them to the store)."""
        if time.monotonic() < self.retry_at:
            return False
        fields = [part for key, amount in added.items() for part in (counts.encode(key), amount)]
        try:
            client = self._client()
            if len(fields) == 2:
                client.execute_command("HINCRBY", self.pending, *fields)
            else:
                self.increment(keys=[self.pending], args=fields, client=client)
        except redis.RedisError as error:
            self._failed(error)
            return False
        if self.down:
            log.warning("insights: Redis buffer available again")
            self.down = False
        self._ensure_flusher()
        return True

    def _client(self) -> redis.Redis:
        """This thread's client, holding one connection of the pool for good: no check-out per batch
        (with its health check, a third of a batch's cost in Redis's client)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # a new thread, or the first batch after a fork
            pool = self.redis.connection_pool
            local.client = redis.Redis(connection_pool=pool, single_connection_client=True)
            local.pid = os.getpid()
        return local.client

    def _failed(self, error: Exception) -> None:
        """Note an outage (logged once) and stay away from Redis for a few seconds."""
        if not self.down:
            log.error("insights: Redis buffer unavailable, counting straight into the database: %r", error)
        self.down, self.retry_at = True, time.monotonic() + RETRY_SECONDS

    def flush(self) -> int:
        """Apply every buffered counter to the store, exactly once; how many counters were applied."""
        lock = self.redis.lock(self.lock_name, timeout=60, blocking=False)
        if not lock.acquire():
            return 0  # another process is flushing
        try:
            applied = sum(self._apply(key) for key in self.redis.scan_iter(f"{self.flushing}*"))
            key = self.flushing + store.new_flush_id()
            try:
                self.redis.rename(self.pending, key)
            except redis.ResponseError:  # nothing pending
                return applied
            return applied + self._apply(key)
        finally:
            try:
                lock.release()
            except redis.exceptions.LockError:
                pass  # expired during a long flush; flush ids still keep it exactly-once

    def _apply(self, key: bytes | str) -> int:
        """Write one renamed hash to the store (unless its flush id was applied already), then drop it."""
        name = key.decode() if isinstance(key, bytes) else key
        added = counts.Counts()
        for field, amount in self.redis.hgetall(name).items():
            try:
                added[counts.decode(field)] += int(amount)
            except ValueError:
                log.error("insights: ignored a buffered field that is not ours: %r", field)
        with self.app.app_context():
            applied = store.add(added, flush_id=name.removeprefix(self.flushing))
        self.redis.delete(name)
        return len(added) if applied else 0

    def _ensure_flusher(self) -> None:
        """Start this process's flusher thread once (after a fork, again in the child)."""
        if self.flusher_pid == os.getpid():
            return
        with self._start_lock:
            if self.flusher_pid != os.getpid():
                self.flusher_pid = os.getpid()
                threading.Thread(target=self._run, name="insights-flusher", daemon=True).start()

    def _run(self) -> None:
        """Flush every few seconds, forever; an outage is logged and tried again next time."""
        while True:
            time.sleep(self.flush_seconds)
            try:
                self.flush()
            except redis.RedisError as error:
                self._failed(error)  # logged once per outage
            except store.StoreUnavailable as error:  # the counts wait in Redis for the next flush
                log.error("insights: buffer not flushed, the database is unavailable: %s", error)


def init_app(app: Flask) -> Buffer | None:
    """A buffer when INSIGHTS_REDIS_URL is set, else None (each batch is written to the database)."""
    url = app.config["INSIGHTS_REDIS_URL"]
    if not url:
        return None
    return Buffer(app, url, app.config["INSIGHTS_KEY_PREFIX"], float(app.config["INSIGHTS_FLUSH_SECONDS"]))
