"""Start the candidate production servers on loopback and measure their start-up and memory."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = 2  # one per core of this machine

# The candidates of issue 9. gunicorn reads ROOT/gunicorn.conf.py (recycling, timeouts); flags here win.
COMMANDS = {
    "gunicorn sync": [str(BIN / "gunicorn"), "--worker-class", "sync", "--preload"],
    "gunicorn gthread": [str(BIN / "gunicorn"), "--worker-class", "gthread", "--threads", "4", "--preload"],
    "granian wsgi": [str(BIN / "granian"), "--interface", "wsgi", "--blocking-threads", "1",
                     "--log-level", "warning", "--no-ws"],
}  # fmt: skip
PRODUCTION = "gunicorn gthread"  # what `make run` serves (gunicorn.conf.py); chosen in docs/performance.md


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server: its process, base URL and seconds to its first answer."""

    kind: str
    process: subprocess.Popen
    url: str
    started: float


def prepare_instance(folder: Path, env: dict[str, str]) -> None:
    """Create the signups database like `make run` does."""
    environment = {**os.environ, **env, "FLASK_INSTANCE_PATH": str(folder)}
    subprocess.run([str(BIN / "flask"), "--app", "app", "db", "upgrade"], cwd=ROOT, env=environment,
                   check=True, capture_output=True)  # fmt: skip


def command(kind: str, port: int, app: str = "app:app") -> list[str]:
    """The command line of a candidate server on a port, serving `app` (module:variable)."""
    if kind.startswith("granian"):
        return [
            *COMMANDS[kind],
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            app,
        ]
    return [*COMMANDS[kind], "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), app]


def start(
    kind: str, instance: Path, env: dict[str, str] | None = None, timeout: float = 120, app: str = "app:app",
    probe: str = "/healthz",
) -> Server:  # fmt: skip
    """Start a server of `app` and wait for its first served request (GET `probe`)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "FLASK_INSTANCE_PATH": str(instance), "FLASK_SITE_URL": url, **(env or {})}
    log = instance / f"server-{port}.log"  # the app logs every request: a pipe nobody reads would fill
    began = time.perf_counter()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command(kind, port, app), cwd=ROOT, env=environment, stdout=sink, stderr=sink
        )
    deadline = began + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{kind} exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + probe, timeout=2) as response:
                response.read()
            return Server(kind, process, url, time.perf_counter() - began)
        except OSError:
            time.sleep(0.02)
    stop(Server(kind, process, url, 0))
    raise RuntimeError(f"{kind} did not answer within {timeout} s")


def stop(server: Server) -> None:
    """SIGTERM, then wait for a graceful exit."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def _tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in children:
            pids += _tree(int(child))
    return pids


def memory_mb(server: Server) -> tuple[float, float]:
    """(RSS, PSS) of the server's process tree in MB; PSS splits pages shared after fork fairly."""
    rss = pss = 0
    for pid in _tree(server.process.pid):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


def get(
    url: str, headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[int, dict, bytes]:
    """One request (a POST when `data` is given): status, headers and body bytes as on the wire."""
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
