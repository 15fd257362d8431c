"""Faults caused on a real gunicorn server: full or read-only database, a worker killed mid-burst,
a backup during a burst, and SIGTERM with requests in flight. Articles keep serving, no thank-you is
lost, and signups come back once the fault is gone.

The server runs as an unprivileged user when the tests run as root (as a real deployment does), so
that a read-only file is read-only to it.
"""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest
from liveserver import wait_for

from webapp.db.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534
TRY_AGAIN = "try again in a minute"


class Server:
    """`make run`'s server (gunicorn --preload, two workers) on tests/fault_app.py, on a free port."""

    def __init__(self, folder: Path):
        self.folder, self.db = folder, folder / "signups.sqlite3"
        self.full_flag, self.log = folder / "full", folder / "server.log"
        upgrade(f"sqlite:///{self.db}")
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> None:
        """Start the server and wait until it answers."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "HOME": str(self.folder),
            "FLASK_INSTANCE_PATH": str(self.folder),
            "FLASK_DATABASE_URL": f"sqlite:///{self.db}",
            "FLASK_SITE_URL": self.url,
            "FLASK_SECRET_KEY": "fault-tests-secret-key-of-32-bytes-or-more",
            "FLASK_RATELIMIT_ENABLED": "false",
            "FAULT_FULL_FLAG": str(self.full_flag),
        }
        prefix = []
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(self.folder)], check=True)
            prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        command += [
            "--preload",
            "--graceful-timeout",
            "20",
            "--pythonpath",
            str(ROOT / "tests" / "system"),
            "fault_app:app",
        ]
        self.process = subprocess.Popen(
            prefix + command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log.open("a")
        )
        wait_for(lambda: self.process.poll() is None and self.get("/healthz")[0] == 200, 30)

    def stop(self) -> int:
        """Stop the server gracefully and return its exit status."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            return self.process.wait(timeout=30)
        return self.process.returncode if self.process else 0

    def get(self, path: str, headers: dict | None = None) -> tuple[int, str]:
        """GET a path: (status, body); status 0 when nothing answered."""
        return fetch(urllib.request.Request(self.url + path, headers=headers or {}))

    def sign_up(self, email: str, htmx: bool = True) -> tuple[int, str]:
        """Post the signup form from one of our pages (with htmx, or as a plain form)."""
        form = {"email": email, "article": "", "consent_version": "", "website": ""}
        headers = {"Origin": self.url, "Content-Type": "application/x-www-form-urlencoded"}
        if htmx:
            headers["HX-Request"] = "true"
        body = urllib.parse.urlencode(form).encode()
        return fetch(urllib.request.Request(self.url + "/newsletter/signup", body, headers))

    def stored(self) -> set[str]:
        """Every stored address, read straight from the database file."""
        return emails_in(f"file:{self.db}?mode=ro")

    def workers(self) -> list[int]:
        """The worker processes of the master."""
        found = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split()]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect instead of following it (a 303 after a plain-form signup is the thank-you)."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(request: urllib.request.Request) -> tuple[int, str]:
    """Send a request: (status, body), status 0 when the connection failed."""
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


def integrity(db: Path) -> str:
    """SQLite's verdict on a database file."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def emails_in(uri: str) -> set[str]:
    """The addresses stored in a database (closed afterwards: SQLite locks are per process and file)."""
    with closing(sqlite3.connect(uri, uri=True, timeout=30)) as connection:
        return {row[0] for row in connection.execute("SELECT email FROM signups")}


@pytest.fixture
def server():
    """A running fault-injectable server with an empty, migrated SQLite store."""
    folder = Path(tempfile.mkdtemp(prefix="faults-"))  # not under pytest's 0700 folder: the server's
    os.chmod(folder, 0o755)  # user must reach it
    running = Server(folder)
    running.start()
    yield running
    running.stop()
    shutil.rmtree(folder, ignore_errors=True)


def article_paths(server: Server) -> list[str]:
    """The home page and the first articles linked from it."""
    _, home = server.get("/")
    links = sorted({part.split('"')[0] for part in home.split('href="/articles/')[1:]})
    return ["/"] + [f"/articles/{slug}" for slug in links[:3]]


def emails(prefix: str, count: int) -> list[str]:
    """Distinct addresses for a burst."""
    return [f"{prefix}.{i}@example.com" for i in range(count)]


def burst(server: Server, addresses: list[str], threads: int = 8, after=None) -> dict[str, int]:
    """Sign every address up at once; the status each got. `after(n)` runs as the n-th answer comes."""
    answered = []
    lock = threading.Lock()

    def one(email: str) -> int:
        status = server.sign_up(email)[0]
        with lock:
            answered.append(status)
            if after:
                after(len(answered))
        return status

    with ThreadPoolExecutor(threads) as pool:
        return dict(zip(addresses, pool.map(one, addresses), strict=True))


def thanked(results: dict[str, int]) -> set[str]:
    """The addresses that got the thank-you."""
    return {email for email, status in results.items() if status == 200}


def test_a_full_database_answers_503_keeps_articles_and_recovers(server):
    assert server.sign_up("before@example.com")[0] == 200
    server.full_flag.touch()
    results, statuses = {}, []
    for email in emails("filling", 80):
        results[email] = server.sign_up(email)
        statuses += [server.get(path)[0] for path in ("/", "/feed.xml")]
        if results[email][0] == 503:
            break
    status, fragment = results[email]
    assert status == 503 and TRY_AGAIN in fragment, "the database never filled up"
    page_status, page = server.sign_up("plain.form@example.com", htmx=False)
    assert page_status == 503 and TRY_AGAIN in page and "<html" in page.lower()
    assert set(statuses) == {200}
    log = server.log.read_text()
    assert log.count("database or disk is full") == 2  # once per failed signup, with its cause
    assert "filling" not in log and "plain.form" not in log  # the address itself is never logged

    server.full_flag.unlink()
    assert server.sign_up("after@example.com")[0] == 200
    stored = server.stored()
    assert {"before@example.com", "after@example.com"} <= stored
    assert {e for e, (s, _) in results.items() if s == 200} <= stored
    assert integrity(server.db) == "ok"


def test_a_read_only_database_file_answers_503_and_recovers(server):
    assert server.sign_up("before@example.com")[0] == 200
    server.stop()
    for path in server.folder.glob("signups.sqlite3*"):
        path.chmod(0o444)
    server.folder.chmod(0o555)
    server.start()  # a restart after a restore with the wrong permissions, say
    status, fragment = server.sign_up("while.readonly@example.com")
    assert status == 503 and TRY_AGAIN in fragment
    assert all(server.get(path)[0] == 200 for path in article_paths(server))
    assert server.log.read_text().count("attempt to write a readonly database") == 1

    server.folder.chmod(0o755)
    for path in server.folder.glob("signups.sqlite3*"):
        path.chmod(0o644)
    wait_for(lambda: server.sign_up("after@example.com")[0] == 200, 15)
    assert {"before@example.com", "after@example.com"} <= server.stored()
    assert "while.readonly@example.com" not in server.stored()


def test_a_worker_killed_mid_burst_loses_no_thanked_signup(server):
    addresses, killed = emails("burst", 240), []

    def kill_a_worker(answered: int) -> None:
        if answered == 60:  # a quarter of the way through, with requests in every worker
            killed.append(server.workers()[0])
            os.kill(killed[0], signal.SIGKILL)

    results = burst(server, addresses, after=kill_a_worker)
    assert killed and len(thanked(results)) > len(addresses) / 2
    assert thanked(results) <= server.stored()
    assert "was sent SIGKILL" in server.log.read_text()
    assert all(server.get(path)[0] == 200 for path in article_paths(server))  # recovered
    assert integrity(server.db) == "ok"


def test_a_backup_taken_during_a_burst_is_consistent_and_restores(server):
    copy = server.folder / "backup.sqlite3"
    results: dict[str, int] = {}
    writer = threading.Thread(target=lambda: results.update(burst(server, emails("during", 200), 4)))
    writer.start()
    time.sleep(0.3)
    env = {
        **os.environ,
        "FLASK_DATABASE_URL": f"sqlite:///{server.db}",
        "FLASK_INSTANCE_PATH": str(server.folder),
    }
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "signups", "backup", str(copy)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    writer.join()
    assert done.returncode == 0, done.stderr
    assert integrity(copy) == "ok"
    saved = emails_in(f"file:{copy}?mode=ro")
    assert saved <= server.stored() and thanked(results) <= server.stored()

    # Restore: a server started on the copy serves articles and takes signups again.
    server.stop()
    shutil.copy(copy, server.db)
    for stale in (server.folder / "signups.sqlite3-wal", server.folder / "signups.sqlite3-shm"):
        stale.unlink(missing_ok=True)
    server.start()
    assert server.get("/")[0] == 200
    assert server.sign_up("after.restore@example.com")[0] == 200
    assert server.stored() == saved | {"after.restore@example.com"}


def test_sigterm_finishes_requests_in_flight(server):
    slow_paths = article_paths(server)[:2]
    with ThreadPoolExecutor(2) as pool:
        pending = [pool.submit(server.get, path, {"X-Test-Delay": "2"}) for path in slow_paths]
        time.sleep(0.7)  # both workers are now inside a request
        server.process.send_signal(signal.SIGTERM)
        answers = [future.result() for future in pending]
    assert [status for status, _ in answers] == [200, 200]
    assert all(body.rstrip().endswith("</html>") for _, body in answers)
    assert server.process.wait(timeout=30) == 0
    assert server.get("/")[0] == 0  # and it has stopped taking new ones
