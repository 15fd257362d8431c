"""Splitting a long list of articles into numbered pages."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its items, its number (from 1) and how many pages there are."""

    items: Sequence[T]
    number: int
    count: int
    total: int

    @property
    def previous(self) -> int | None:
        """The number of the newer page, if any."""
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        """The number of the older page, if any."""
        return self.number + 1 if self.number < self.count else None


def paginate(items: Sequence[T], number: int, per_page: int) -> Page[T] | None:
    """Page `number` of `items`, or None when there is no such page (page 1 always exists)."""
    count = max(1, -(-len(items) // per_page))
    if not 1 <= number <= count:
        return None
    start = (number - 1) * per_page
    return Page(items[start : start + per_page], number, count, len(items))
