"""The page cache's store for search pages: those of at most SEARCH_CACHED_QUERIES queries, per process.

Readers (and robots) can type endless distinct queries; kept in the shared page store, their pages
would push the articles out. Here the pages of the least recently searched query go first, and every
instance keeps its own (it reads its own index, too).
"""

import threading
from collections import OrderedDict

from webapp.web.page_cache import CachedPage


class QueryPages:
    """Cached search pages grouped by normalized query, for at most `size` queries."""

    def __init__(self, size: int):
        self.size, self.queries, self.lock = size, OrderedDict(), threading.Lock()

    def __len__(self) -> int:
        return len(self.queries)

    def of(self, query: str) -> "OneQuery":
        """The store `cached_page` uses for the pages of one query."""
        return OneQuery(self, query)

    def get(self, query: str, key: str) -> CachedPage | None:
        """A page of this query, which becomes the most recently searched."""
        with self.lock:
            pages = self.queries.get(query)
            if pages is None:
                return None
            self.queries.move_to_end(query)
            return pages.get(key)

    def set(self, query: str, key: str, page: CachedPage) -> None:
        """Keep a page of this query, dropping the least recently searched queries beyond `size`."""
        with self.lock:
            self.queries.setdefault(query, {})[key] = page
            self.queries.move_to_end(query)
            while len(self.queries) > self.size:
                self.queries.popitem(last=False)


class OneQuery:
    """The pages of one query (its variants and result pages), as a page store."""

    def __init__(self, pages: QueryPages, query: str):
        self.pages, self.query = pages, query

    def get(self, key: str) -> CachedPage | None:
        """The cached page at `key`, if any."""
        return self.pages.get(self.query, key)

    def set(self, key: str, page: CachedPage) -> None:
        """Keep the page at `key`."""
        self.pages.set(self.query, key, page)
