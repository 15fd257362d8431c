"""Real servers for tests and tools: gunicorn serving app:app on a free port, and Chromium's flags."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    instance: Path,
    env: dict | None = None,
    *,
    port: int | None = None,
    args: tuple[str, ...] = ("--workers", "2"),
    ready_path: str = "/",
    **popen: object,
) -> tuple[subprocess.Popen, str]:
    """Start gunicorn serving app:app (extra `args`), and wait until `ready_path` answers."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "FLASK_INSTANCE_PATH": str(instance), "FLASK_SITE_URL": url, **(env or {})}
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *args, "app:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=environment, **popen)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            urllib.request.urlopen(url + ready_path, timeout=1).read()
            return process, url
        except OSError:
            time.sleep(0.1)
    stop_server(process)
    raise RuntimeError("the server did not answer within 30 seconds")


def stop_server(process: subprocess.Popen) -> None:
    """Stop a server gracefully, then firmly, and wait until it has gone (its port is free)."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def wait_for(check, seconds: float = 10.0):
    """Retry `check` until it returns something truthy, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")
