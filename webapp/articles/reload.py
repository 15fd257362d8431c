"""Pick up edited content in a running server, keeping the last good library while a file is bad.

A thread in each worker looks at the content folder every CONTENT_RELOAD_SECONDS (stat calls only).
When it changed, the next request loads it again before it is handled, and swaps it in only if every
file is valid; a bad version is logged once, with its problems, and never served.
"""

import os
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from webapp.articles.library import Library, content_version, library_of, load_failed, reload_library
from webapp.articles.model import ContentError

DEFAULT_SECONDS = 5.0


class ContentWatcher:
    """Per-process state: the version last seen on disk and the last one a reload was tried for."""

    def __init__(self, app: Flask, seconds: float):
        self.app_ref, self.seconds = weakref.ref(app), seconds
        self.content_dir, self.templates_dir = Path(app.config["CONTENT_DIR"]), Path(app.template_folder)
        self.seen: str | None = None
        self.tried: str | None = None
        self.pid: int | None = None
        self.lock = threading.Lock()

    def look(self) -> None:
        """Note the version of the content on disk now."""
        try:
            self.seen = content_version(self.content_dir, self.templates_dir)
        except OSError:  # a file vanished while we listed the folder: look again next time
            pass

    def run(self) -> None:
        """Look every few seconds for as long as the app exists (the thread is a daemon)."""
        while self.app_ref() is not None:
            self.look()
            time.sleep(self.seconds)

    def start(self) -> None:
        """Start this process's watching thread (after a fork, the parent's thread is not ours)."""
        self.pid = os.getpid()
        self.look()
        threading.Thread(target=self.run, name="content-watcher", daemon=True).start()

    def check(self) -> None:
        """Swap in changed content before this request is handled, if all of it is valid."""
        if self.pid != os.getpid():
            with self.lock:
                if self.pid != os.getpid():
                    self.start()
        app = self.app_ref()
        seen = self.seen
        if app is None or seen is None or seen in (library_of(app).version, self.tried):
            return
        if not self.lock.acquire(blocking=False):
            return  # another thread of this worker is reloading right now
        self.tried = seen  # one attempt (and one log line) per version on disk
        try:
            library = reload_library(app)
            app.logger.info("content reloaded: %d articles, version %s", len(library.articles), seen)
        except ContentError as error:
            app.logger.error(
                "content not reloaded, still serving version %s; fix these problems:\n%s",
                library_of(app).version,
                error,
            )
        except OSError as error:  # files moving while we read: try again on the next change
            app.logger.warning("content reload interrupted, will retry: %s", error)
        finally:
            self.lock.release()


def init_app(app: Flask) -> None:
    """Watch the content when CONTENT_RELOAD_SECONDS > 0 (default 5 s; off under TESTING unless set)."""
    seconds = float(app.config.get("CONTENT_RELOAD_SECONDS", 0 if app.testing else DEFAULT_SECONDS))
    if seconds > 0 and not load_failed(app):
        watcher = ContentWatcher(app, seconds)
        app.extensions["content_watcher"] = watcher
        app.before_request(watcher.check)


def serving(app: Flask) -> Callable[[], Library]:
    """The library `app` serves, as a function that needs no request (the page cache's fast path calls
    it before Flask): edited content is swapped in first, as before every request Flask handles."""
    watcher = app.extensions.get("content_watcher")

    def current() -> Library:
        if watcher is not None:
            watcher.check()
        return library_of(app)

    return current
