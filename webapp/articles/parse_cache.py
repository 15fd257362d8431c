"""A start-up cache of parsed articles, so 10,000 unchanged files are not parsed again on every start.

Each entry is keyed by file name, size and modification time, and the whole cache by a digest of the
code that parses and models articles: change either and the file is parsed (and validated) again.
"""

import dataclasses
import datetime as dt
import gc
import hashlib
import marshal
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown_it
import yaml

from webapp.articles import checks, fields, loader
from webapp.articles import markdown as rendering
from webapp.articles import model as articles_mod
from webapp.articles.model import Article
from webapp.files import read_private, write_atomic

Known = dict[str, tuple[int, int, Article]]


def fingerprint() -> str:
    """A digest of everything that decides what parsing a file yields."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{sys.version}|{marshal.version}|{yaml.__version__}|{markdown_it.__version__}".encode())
    for module in (articles_mod, fields, checks, loader, rendering):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def _encode(value: Any) -> Any:
    """A value as plain marshal-able data: dataclasses as tuples, dates as ordinals."""
    if dataclasses.is_dataclass(value):
        return tuple(_encode(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, tuple):
        return tuple(_encode(item) for item in value)
    return value


def _expression(kind: Any, var: str, depth: int = 0) -> str:
    """Python source rebuilding a value of this annotated type from its encoded form in `var`."""
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        parts = [
            _expression(hints[f.name], f"{var}[{i}]", depth) for i, f in enumerate(dataclasses.fields(kind))
        ]
        if all(part == f"{var}[{i}]" for i, part in enumerate(parts)):
            return f"{kind.__name__}(*{var})"
        return f"{kind.__name__}({', '.join(parts)})"
    if kind is dt.date:
        return f"_date({var})"
    if typing.get_origin(kind) is tuple:
        item = f"x{depth}"
        inner = _expression(typing.get_args(kind)[0], item, depth + 1)
        return var if inner == item else f"tuple([{inner} for {item} in {var}])"
    return var


def _decoder(kind: type) -> Callable[[Any], Any]:
    """A function rebuilding a dataclass from its encoded form, compiled once from its fields.

    A generated expression calls the constructors directly: several times faster than walking the
    fields for each of the hundreds of thousands of values a large library holds.
    """
    namespace = {"_date": dt.date.fromordinal, **vars(articles_mod)}
    return eval(f"lambda raw: {_expression(kind, 'raw')}", namespace)  # noqa: S307 - our own source


def read(path: Path) -> Known:
    """The entries saved at `path`, or none if it is missing, unreadable or from other code."""
    try:
        saved = marshal.loads(read_private(path))  # never one another user could have planted
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(saved, dict) or saved.get("fingerprint") != fingerprint():
        return {}
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects: collecting midway only costs time
    try:
        decode = _decoder(Article)
        return {name: (size, mtime, decode(raw)) for name, (size, mtime, raw) in saved["entries"].items()}
    except Exception:  # noqa: BLE001 - a cache that cannot be read is only a slower start
        return {}
    finally:
        if collecting:
            gc.enable()


def write(path: Path, known: Known) -> None:
    """Save entries atomically (start-up keeps working if this fails: the cache is optional)."""
    entries = {name: (size, mtime, _encode(article)) for name, (size, mtime, article) in known.items()}
    try:
        data = marshal.dumps({"fingerprint": fingerprint(), "entries": entries})
        write_atomic(path, data)
    except (OSError, ValueError):
        pass
