"""Typed reading of one file's front matter: each field and list item, with problems named, not raised."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from webapp.articles.model import SLUG, Change, FaqItem, Image, Misconception, Person, Problem, Reference

TYPE_NAMES = {str: "text", int: "a whole number", dt.date: "a date (YYYY-MM-DD)", list: "a list",
              dict: "a mapping"}  # fmt: skip


class Fields:
    """Typed access to one file's front matter that records problems instead of raising."""

    def __init__(self, path: str, data: dict, problems: list[Problem]):
        self.path, self.data, self.problems = path, data, problems

    def problem(self, field: str, message: str) -> None:
        """Record one problem with this file."""
        self.problems.append(Problem(self.path, field, message))

    def get(self, field: str, kind: type, value: Any = None, required: bool = True) -> Any:
        """The field's value when present and of the right type, else None (problem noted)."""
        if value is None:
            value = self.data.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(field, "is required but missing")
            return None
        if kind is str and isinstance(value, str):
            return value.strip()
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind is dt.date and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if kind in (list, dict) and isinstance(value, kind):
            return value
        self.problem(field, f"must be {TYPE_NAMES[kind]}, got {type(value).__name__} {value!r:.60}")
        return None

    def items(self, field: str, build: Callable[[str, Any], Any], minimum: int = 1) -> tuple:
        """A list field whose items are built one by one; bad items are dropped and noted."""
        raw = self.get(field, list, required=minimum > 0) or []
        if len(raw) < minimum and raw:
            self.problem(field, f"needs at least {minimum} items, has {len(raw)}")
        built = [build(f"{field}[{i}]", item) for i, item in enumerate(raw)]
        return tuple(item for item in built if item is not None)

    def mapping(self, field: str, item: Any) -> dict | None:
        """An item that must be a mapping."""
        return self.get(field, dict, value=item)

    def text(self, field: str, item: Any) -> str | None:
        """An item that must be non-empty text."""
        return self.get(field, str, value=item)


def person(fields: Fields, field: str, raw: Any) -> Person | None:
    """An author or reviewer: a name, and credentials if any."""
    data = fields.mapping(field, raw)
    if data is None:
        return None
    name = fields.get(f"{field}.name", str, data.get("name"))
    credentials = fields.get(f"{field}.credentials", str, data.get("credentials"), required=False)
    return Person(name, credentials or "") if name else None


def image(fields: Fields, field: str, raw: Any, static_dir: Path, caption: bool) -> Image | None:
    """A picture whose file exists under the static folder."""
    data = fields.mapping(field, raw)
    if data is None:
        return None
    src = fields.get(f"{field}.src", str, data.get("src"))
    alt = fields.get(f"{field}.alt", str, data.get("alt"))
    width = fields.get(f"{field}.width", int, data.get("width"))
    height = fields.get(f"{field}.height", int, data.get("height"))
    text = fields.get(f"{field}.caption", str, data.get("caption"), required=caption) or ""
    if src and not (static_dir / src).is_file():
        fields.problem(f"{field}.src", f"no file static/{src}")
    for name, value in (("width", width), ("height", height)):
        if value is not None and value <= 0:
            fields.problem(f"{field}.{name}", "must be a positive number of pixels")
    if None in (src, alt, width, height):
        return None
    return Image(src, alt, width, height, text)


def reference(fields: Fields, field: str, raw: Any) -> Reference | None:
    """A source with an id to cite it by and a url or a doi to reach it."""
    data = fields.mapping(field, raw)
    if data is None:
        return None
    ref_id = fields.get(f"{field}.id", str, data.get("id"))
    title = fields.get(f"{field}.title", str, data.get("title"))
    publisher = fields.get(f"{field}.publisher", str, data.get("publisher"), required=False)
    year = fields.get(f"{field}.year", int, data.get("year"), required=False)
    url = fields.get(f"{field}.url", str, data.get("url"), required=False) or ""
    doi = fields.get(f"{field}.doi", str, data.get("doi"), required=False) or ""
    if ref_id and not SLUG.match(ref_id):
        fields.problem(f"{field}.id", f"{ref_id!r} must be lowercase letters, digits and hyphens")
    if not url and not doi:
        fields.problem(field, "needs a url or a doi")
    if url and not url.startswith(("https://", "http://")):
        fields.problem(f"{field}.url", f"{url!r} is not an http(s) address")
    if not (ref_id and title):
        return None
    return Reference(ref_id, title, publisher or "", year, url, doi)


def _pair(fields: Fields, field: str, raw: Any, kind: type, first: str, second: str) -> Any:
    """A mapping of two required text fields (`first`, `second`) as a `kind`, or None when one is bad."""
    data = fields.mapping(field, raw)
    if data is None:
        return None
    a = fields.get(f"{field}.{first}", str, data.get(first))
    b = fields.get(f"{field}.{second}", str, data.get(second))
    return kind(a, b) if a and b else None


def faq(fields: Fields, field: str, raw: Any) -> FaqItem | None:
    """A question and its Markdown answer."""
    return _pair(fields, field, raw, FaqItem, "question", "answer")


def misconception(fields: Fields, field: str, raw: Any) -> Misconception | None:
    """A myth and the fact that answers it."""
    return _pair(fields, field, raw, Misconception, "myth", "fact")


def change(fields: Fields, field: str, raw: Any) -> Change | None:
    """One history entry: a date and a one-line note of what changed and why."""
    data = fields.mapping(field, raw)
    if data is None:
        return None
    for unknown in sorted(set(data) - {"date", "note"}, key=str):
        fields.problem(f"{field}.{unknown}", "is not a known field (an entry has only date and note)")
    date = fields.get(f"{field}.date", dt.date, data.get("date"))
    note = fields.get(f"{field}.note", str, data.get("note"))
    if note and "\n" in note:
        fields.problem(f"{field}.note", "must be one line: say what changed and why in one sentence or two")
        return None
    return Change(date, note) if date and note else None
