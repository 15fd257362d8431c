"""The index this process serves: rebuilt with each library it loads, read with one connection per thread."""

import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from webapp.articles.library import Library
from webapp.search import index

logger = logging.getLogger("webapp.search")


class IndexStore:
    """The index file of the library being served, and each thread's read connection to it."""

    def __init__(self, folder: Path, library: Callable[[], Library]):
        self.folder, self.library = folder, library
        self.path: Path | None = None
        self.local = threading.local()
        self.lock = threading.Lock()

    def update(self, library: Library) -> None:
        """Build (or find) the index of a library about to be served; keep the last one on failure."""
        with self.lock:
            try:
                self.path = index.ensure(self.folder, library)
            except (OSError, sqlite3.Error) as error:
                logger.error("search index not rebuilt, still serving %s: %r", self.path, error)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection to the current index file (a new one after a rebuild or a fork)."""
        if self.path is None:
            raise sqlite3.OperationalError("the search index could not be built (see the log)")
        key = (os.getpid(), self.path)
        if getattr(self.local, "key", None) != key:
            if getattr(self.local, "key", (None,))[0] == os.getpid():
                self.local.connection.close()
            try:
                self.local.connection = index.connect_readonly(self.path)
            except sqlite3.Error:  # another worker pruned it: build this library's index again
                self.update(self.library())
                key = (os.getpid(), self.path)
                self.local.connection = index.connect_readonly(self.path)
            self.local.key = key
        return self.local.connection
