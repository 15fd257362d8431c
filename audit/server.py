"""The production server for the audit (started as the browser tests start it) and fetching from it."""

import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tests/liveserver.py: the one way we start a real server

from liveserver import start_server, stop_server  # noqa: E402,F401


def fetch(url: str) -> tuple[int, bytes, str]:
    """GET a URL: its status, body and content type, whatever the status."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")
