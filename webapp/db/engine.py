"""The database engine: one per process, opened lazily after the server forks; SQLite tuned for writers."""

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url


class StoreUnavailable(RuntimeError):
    """The database cannot store or read data right now (locked, read-only, full, down, not migrated)."""


_engines: dict[str, Engine] = {}
_inherited: list[Engine] = []  # Kept referenced so a forked child never closes its parent's connections.
_lock = threading.Lock()


def _forget_inherited() -> None:
    """In a forked child, drop the parent's engines without touching their connections."""
    _inherited.extend(_engines.values())
    _engines.clear()


os.register_at_fork(after_in_child=_forget_inherited)


def build_engine(url: str, busy_timeout_ms: int = 5000) -> Engine:
    """A new engine for this URL; SQLite gets WAL, a busy timeout and explicit BEGIN statements."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=10)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # We issue BEGIN ourselves, below.
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")  # A thank-you means the row survives a power cut.
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Writers take the lock up front, so they wait on busy_timeout instead of failing mid-way.
        immediate = connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def get_engine() -> Engine:
    """This process's engine for the app's DATABASE_URL, created on first use (after any fork)."""
    url = current_app.config["DATABASE_URL"]
    engine = _engines.get(url)
    if engine is None:
        with _lock:
            engine = _engines.get(url)
            if engine is None:
                try:
                    engine = build_engine(url, current_app.config["DATABASE_BUSY_TIMEOUT_MS"])
                except OSError as error:
                    raise StoreUnavailable(f"cannot open the database: {error}") from error
                _engines[url] = engine
    return engine


def dispose_engines() -> None:
    """Close every engine of this process (tests, and the CLI before it exits)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def _transaction(write: bool) -> Iterator[Connection]:
    """A transaction on this process's engine; driver errors come out as StoreUnavailable."""
    try:
        with get_engine().connect() as connection:
            connection.execution_options(write=write)
            try:
                with connection.begin():
                    yield connection
            except sa_exc.DBAPIError:
                if connection.dialect.name == "sqlite":
                    # SQLite opens a file it cannot write read-only, and such a connection stays so
                    # after the permissions are fixed: never pool one that failed, open afresh instead.
                    connection.invalidate()
                raise
    except sa_exc.IntegrityError:
        raise  # A broken rule is the caller's to handle, not an outage.
    except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
        raise StoreUnavailable(_describe(error)) from error


def _describe(error: Exception) -> str:
    """The driver's first line about an error: never the SQL parameters, which may hold an address."""
    cause = error.orig if isinstance(error, sa_exc.DBAPIError) else error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"


def writing() -> AbstractContextManager[Connection]:
    """A short write transaction (BEGIN IMMEDIATE on SQLite)."""
    return _transaction(write=True)


def reading() -> AbstractContextManager[Connection]:
    """A read transaction that never blocks writers (a snapshot under WAL)."""
    return _transaction(write=False)
