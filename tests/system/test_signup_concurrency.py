"""Hundreds of distinct signups at once through several gunicorn workers: each stored exactly once, with
exactly one confirmation email."""

import subprocess
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from liveserver import start_server, stop_server
from sqlalchemy import create_engine, func, select

from webapp.db.migrate import upgrade
from webapp.db.schema import outbox, signups

ROOT = Path(__file__).resolve().parents[2]
SIGNUPS, THREADS, WORKERS = 300, 24, 4


def serve(instance: Path, database_url: str) -> tuple[subprocess.Popen, str]:
    """gunicorn with several workers on a free port, rate limits out of the way; waits until it answers."""
    env = {"FLASK_DATABASE_URL": database_url, "FLASK_SIGNUP_RATE_LIMIT": "100000 per minute"}
    args = ("--workers", str(WORKERS), "--threads", "4")
    return start_server(instance, env, args=args, ready_path="/newsletter")


def sign_up(url: str, n: int) -> bool:
    """One htmx signup; True when the reply is "check your inbox"."""
    body = urllib.parse.urlencode({"email": f"crowd{n}@example.com", "website": ""}).encode()
    request = urllib.request.Request(url + "/newsletter/signup", data=body, headers={"HX-Request": "true"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status == 200 and b"Check your inbox" in response.read()
    except OSError:
        return False


def test_concurrent_signups_from_several_workers_are_each_stored_once(database_url, tmp_path):
    upgrade(database_url)
    process, url = serve(tmp_path, database_url)
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            replies = list(pool.map(lambda n: sign_up(url, n), range(SIGNUPS)))
        # A second wave repeating the first 50 addresses: still one row each.
        with ThreadPoolExecutor(THREADS) as pool:
            repeats = list(pool.map(lambda n: sign_up(url, n), range(50)))
    finally:
        stop_server(process)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(signups)).scalar()
        distinct = connection.execute(select(func.count(func.distinct(signups.c.email_key)))).scalar()
        emails = connection.execute(select(func.count()).where(outbox.c.topic == "confirm")).scalar()
    engine.dispose()
    assert sum(replies) == stored == distinct == emails  # a repeat within minutes sends no second email
    assert sum(replies) >= SIGNUPS * 0.99, f"only {sum(replies)} of {SIGNUPS} signups were thanked"
    assert all(repeats)
