"""Start the production server (gunicorn) on a free port, as the browser tests do."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(instance: Path, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start gunicorn serving app:app with the shipped content and wait until it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "FLASK_INSTANCE_PATH": str(instance), "FLASK_SITE_URL": url, **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "app:app"],
        cwd=ROOT,
        env=environment,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()
            return process, url
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the server did not answer within 30 seconds")


def stop_server(process: subprocess.Popen) -> None:
    """Stop gunicorn gracefully, then firmly."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fetch(url: str) -> tuple[int, bytes, str]:
    """GET a URL: its status, body and content type, whatever the status."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")
