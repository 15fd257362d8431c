"""A running site picks up edited content, and keeps its last good content while a file is bad."""

import logging
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from liveserver import start_server, stop_server, wait_for

from webapp import create_app

ROOT = Path(__file__).resolve().parents[2]
BROKEN = "---\ntitle: [unclosed\nslug: half-written\n---\nNo front matter end, bad YAML.\n"


def copy_content(tmp_path: Path) -> Path:
    """A private copy of the shipped articles, to break and fix."""
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def new_article(content: Path, slug: str) -> str:
    """A valid article under a new slug (a copy of a shipped one); returns its text."""
    source = next(p for p in sorted(content.glob("*.md")) if p.name != "README.md")
    text = source.read_text()
    text = re.sub(r"(?m)^slug:.*$", f"slug: {slug}", text)
    text = re.sub(r"(?m)^title:.*$", "title: A freshly added article about sleep", text, count=1)
    return text


def test_bad_file_is_never_served_and_the_fix_is_picked_up(tmp_path, caplog):
    content = copy_content(tmp_path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "CONTENT_DIR": str(content),
            "CONTENT_RELOAD_SECONDS": 0.05,
        }
    )
    client = app.test_client()
    home = client.get("/").get_data(as_text=True)
    caplog.set_level(logging.ERROR, logger=app.logger.name)
    (content / "half-written.md").write_text(BROKEN)

    def error_logged():
        assert client.get("/").status_code == 200
        return [r for r in caplog.records if "content not reloaded" in r.getMessage()]

    [record] = wait_for(error_logged)
    assert "half-written.md" in record.getMessage()
    for _ in range(20):  # still the last good content, and the error is not logged again
        assert client.get("/").get_data(as_text=True) == home
        assert client.get("/articles/half-written").status_code == 404
        time.sleep(0.01)
    assert len(error_logged()) == 1

    (content / "half-written.md").write_text(new_article(content, "half-written"))
    wait_for(lambda: client.get("/articles/half-written").status_code == 200)
    assert "A freshly added article about sleep" in client.get("/").get_data(as_text=True)


def start_gunicorn(tmp_path: Path, content: Path) -> tuple[subprocess.Popen, str, Path]:
    """`make run`'s server (gunicorn --preload, two workers) on a free port, logging to a file."""
    log = tmp_path / "server.log"
    env = {"FLASK_CONTENT_DIR": str(content), "FLASK_CONTENT_RELOAD_SECONDS": "0.2"}
    process, url = start_server(
        tmp_path / "instance",
        env,
        args=("--workers", "2", "--preload"),
        ready_path="/healthz",
        stderr=log.open("w"),
        stdout=subprocess.DEVNULL,
    )
    return process, url, log


def status(url: str) -> int:
    """The HTTP status of a GET, 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def workers(master: int) -> list[int]:
    """The worker processes of a gunicorn master."""
    found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


@pytest.fixture
def server(tmp_path):
    """A real server on a private copy of the content."""
    content = copy_content(tmp_path)
    process, url, log = start_gunicorn(tmp_path, content)
    yield content, url, log, process
    stop_server(process)


def test_running_server_keeps_last_good_content_even_in_a_restarted_worker(server):
    content, url, log, process = server
    article = next(p.stem for p in sorted(content.glob("*.md")) if p.name != "README.md")
    (content / "half-written.md").write_text(BROKEN)
    wait_for(lambda: status(f"{url}/") == 200 and "content not reloaded" in log.read_text())
    for _ in range(20):
        assert status(f"{url}/") == 200 and status(f"{url}/articles/{article}") == 200
        assert status(f"{url}/articles/half-written") == 404

    # A worker dies while the bad file is there: its replacement boots with the last good library.
    old = workers(process.pid)
    os.kill(old[0], signal.SIGKILL)
    wait_for(lambda: len(set(workers(process.pid)) - set(old)) == 1)
    for _ in range(20):
        assert status(f"{url}/articles/{article}") == 200
    assert process.poll() is None
    assert log.read_text().count("content not reloaded") <= 3  # once per worker that saw it

    (content / "half-written.md").write_text(new_article(content, "half-written"))
    wait_for(lambda: all(status(f"{url}/articles/half-written") == 200 for _ in range(10)))
