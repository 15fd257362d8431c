"""Real backends for the tests: SQLite and PostgreSQL for the signups store, memory and Redis for limits.

PostgreSQL (TEST_POSTGRESQL_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test) gets a fresh
schema per test, dropped afterwards, so runs never collide. Redis (TEST_REDIS_URL, default
redis://127.0.0.1:6379/0) gets a fresh key prefix per test. A missing server skips with the reason, and
fails the run when CI is set.
"""

import os
import uuid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from webapp import create_app
from webapp.db.engine import dispose_engines
from webapp.db.migrate import upgrade
from webapp.db.schema import metadata

POSTGRESQL_URL = os.environ.get("TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def missing(what: str, error: Exception) -> None:
    """Skip (or, under CI, fail) a test whose backend server is not running."""
    message = f"{what} is not reachable: {error}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set: every backend must be tested)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgresql_server():
    """An engine on the PostgreSQL test database, for creating and dropping schemas."""
    engine = create_engine(POSTGRESQL_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        engine.dispose()
        missing("PostgreSQL", error)
    yield engine
    engine.dispose()


def postgresql_schema_url(server) -> tuple[str, str]:
    """A new empty schema and a URL whose connections use it."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with server.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    return schema, f"{POSTGRESQL_URL}?options=-csearch_path%3D{schema}"


def drop_schema(server, schema: str) -> None:
    """Drop a test schema and everything in it."""
    with server.connect() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


def _database(request, folder):
    """Yield an empty database URL of the backend named by the fixture's parameter; drop it afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{folder / 'signups.sqlite3'}"
        dispose_engines()
        return
    server = request.getfixturevalue("postgresql_server")
    schema, url = postgresql_schema_url(server)
    yield url
    dispose_engines()
    drop_schema(server, schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database of each backend (not migrated)."""
    yield from _database(request, tmp_path)


@pytest.fixture
def migrated_url(database_url):
    """A database of each backend, migrated to the newest revision."""
    upgrade(database_url)
    return database_url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_migrated_url(request, tmp_path_factory):
    """A migrated database of each backend shared by a module's tests (empty them with `clear_tables`)."""
    for url in _database(request, tmp_path_factory.mktemp("db")):
        upgrade(url)
        yield url


def make_app(instance: Path, static_build_dir: Path, **config) -> Flask:
    """An app like conftest's `app` fixture, for fixtures of wider scope."""
    settings = {"TESTING": True, "SECRET_KEY": "test-secret-key-of-32-bytes-or-more"}
    settings["INSTANCE_PATH"] = str(instance)
    return create_app({**settings, "STATIC_BUILD_DIR": str(static_build_dir), **config})


def clear_tables(url: str) -> None:
    """Delete every row of the app's tables (between tests sharing one database)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture(params=["memory", "redis"])
def ratelimit_storage(request):
    """Flask-Limiter settings for each storage, with a key prefix no other test shares."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    if request.param == "memory":
        return {"RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_KEY_PREFIX": prefix}
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        missing("Redis", error)
    # A broken Redis must fail these tests, not fall back quietly to memory.
    return {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_SWALLOW_ERRORS": False,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": False,
    }
