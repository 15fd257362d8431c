"""The real app under gunicorn, plus two fault-injection switches the fault tests flip (test code only).

- FAULT_FULL_FLAG=<path>: while that file exists, every SQLite transaction runs with `max_page_count`
  pinned to the database's current size, so the first write that needs a new page fails as a full disk.
- X-Test-Delay: <seconds> on a request (at most 10) holds it that long before the app answers, so a
  test can have requests in flight when it signals the server.
"""

import os
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from webapp import create_app

FULL_FLAG = os.environ.get("FAULT_FULL_FLAG")
UNLIMITED = 1073741823


@event.listens_for(Engine, "begin")
def _maybe_full(connection) -> None:
    """Pin or release SQLite's page limit at the start of each transaction."""
    if FULL_FLAG and connection.dialect.name == "sqlite":
        driver = connection.connection.dbapi_connection
        if Path(FULL_FLAG).exists():
            pages = driver.execute("PRAGMA page_count").fetchone()[0]
            driver.execute(f"PRAGMA max_page_count = {pages}")
        else:
            driver.execute(f"PRAGMA max_page_count = {UNLIMITED}")


class Delay:
    """WSGI middleware holding a request for the seconds its X-Test-Delay header asks."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        """Sleep, then hand the request to the app."""
        try:
            time.sleep(min(float(environ.get("HTTP_X_TEST_DELAY", 0)), 10))
        except ValueError:
            pass
        return self.wsgi_app(environ, start_response)


app = create_app()
app.wsgi_app = Delay(app.wsgi_app)
