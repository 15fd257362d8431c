"""A worker that boots while an editor's half-written article sits in content/ serves the last good
library, on a real server whose workers load the app themselves: gunicorn without --preload, and
granian (when installed: the `bench` extra) with failed workers respawned."""

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from liveserver import free_port, stop_server, wait_for

ROOT = Path(__file__).resolve().parents[2]
SLUG = "circadian-rhythm-light"


def command(kind: str, port: int) -> list[str]:
    """Two workers that each load app:app themselves."""
    if kind == "granian":
        return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port",
                str(port), "--workers", "2", "--respawn-failed-workers", "--no-ws", "app:app"]  # fmt: skip
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "app:app"]


def get(url: str) -> int:
    """The status of a GET (0 when nothing answered)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def workers(pid: int) -> list[int]:
    """The server's worker processes."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(child) for child in found.stdout.split()]


@pytest.mark.parametrize("kind", ["gunicorn", "granian"])
def test_a_worker_restarted_while_an_article_is_bad_serves_the_last_good_library(kind, tmp_path):
    if kind == "granian" and importlib.util.find_spec("granian") is None:
        pytest.skip("granian is not installed (pip install -e '.[bench]')")
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "FLASK_INSTANCE_PATH": str(tmp_path / "instance"),
        "FLASK_CONTENT_DIR": str(content),
        "FLASK_SITE_URL": url,
        "FLASK_SECRET_KEY": "last-good-boot-tests-" + "k" * 32,
        "FLASK_CONTENT_RELOAD_SECONDS": "0",
    }
    log = tmp_path / "server.log"
    process = subprocess.Popen(
        command(kind, port), cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    try:
        wait_for(lambda: get(f"{url}/articles/{SLUG}") == 200, 60)
        wait_for(lambda: len(workers(process.pid)) == 2, 30)
        (content / f"{SLUG}.md").write_text("---\ntitle: [an editor is still typing\n---\n")
        victim = workers(process.pid)[0]
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: victim not in workers(process.pid) and len(workers(process.pid)) == 2, 60)
        wait_for(lambda: "serving the last good library" in log.read_text(), 60)
        time.sleep(1)  # a worker that failed to boot would be gone (or respawning) by now
        assert len(workers(process.pid)) == 2 and process.poll() is None
        assert all(get(f"{url}/articles/{SLUG}") == 200 for _ in range(20))  # both workers, old article
    finally:
        stop_server(process)
