"""Hundreds of distinct signups at once through several gunicorn workers: each stored exactly once."""

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, func, select

from webapp.migrate import upgrade
from webapp.schema import signups

ROOT = Path(__file__).resolve().parents[1]
SIGNUPS, THREADS, WORKERS = 300, 24, 4


def serve(instance: Path, database_url: str) -> tuple[subprocess.Popen, str]:
    """gunicorn with several workers on a free port, rate limits out of the way; waits until it answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "FLASK_INSTANCE_PATH": str(instance),
        "FLASK_DATABASE_URL": database_url,
        "FLASK_SIGNUP_RATE_LIMIT": "100000 per minute",
    }
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    process = subprocess.Popen([*command, "--threads", "4", "app:app"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/newsletter", timeout=1).read()
            return process, url
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the server did not start")


def sign_up(url: str, n: int) -> bool:
    """One htmx signup; True when the reply is the thank-you."""
    body = urllib.parse.urlencode({"email": f"crowd{n}@example.com", "website": ""}).encode()
    request = urllib.request.Request(url + "/newsletter/signup", data=body, headers={"HX-Request": "true"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status == 200 and b"Thank you for signing up" in response.read()
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
        process.terminate()
        process.wait(timeout=15)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(signups)).scalar()
        distinct = connection.execute(select(func.count(func.distinct(signups.c.email_key)))).scalar()
    engine.dispose()
    assert sum(replies) == stored == distinct
    assert sum(replies) >= SIGNUPS * 0.99, f"only {sum(replies)} of {SIGNUPS} signups were thanked"
    assert all(repeats)
