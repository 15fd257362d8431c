"""Copies of a known-good shipped article with one thing changed, for the loader and check tests."""

import re
from pathlib import Path

import yaml

from webapp.articles.loader import load_articles, split_front_matter

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
GOOD = ROOT / "content" / "gut-melatonin-sleep.md"


def good_text() -> str:
    """The known-good article's file."""
    return GOOD.read_text(encoding="utf-8")


def good_headings() -> list[str]:
    """The good article's `## ` lines, in order."""
    return re.findall(r"^## .*$", good_text(), re.MULTILINE)


def write_variant(folder: Path, name: str, old: str, new: str) -> None:
    """Write a copy of the good article with one piece of text replaced."""
    text = good_text()
    assert old in text, f"test setup: {old!r} not in the good article"
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")


def write_fields(folder: Path, name: str, **changes) -> None:
    """Write a copy of the good article with some front-matter fields set (None removes one)."""
    front, body = split_front_matter(good_text())
    data = yaml.safe_load(front)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    (folder / name).write_text(f"---\n{yaml.safe_dump(data)}---\n{body}", encoding="utf-8")


def problems_for(folder: Path, name: str | None = None) -> list[str]:
    """Every problem reported for a folder (or for one file of it), as text."""
    problems = load_articles(folder, STATIC)[1]
    return [str(p) for p in problems if name is None or p.path == name]
