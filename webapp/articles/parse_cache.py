"""A start-up cache of parsed articles, so 10,000 unchanged files are not parsed again on every start.

Each entry is keyed by file name, size and modification time, and the whole cache by a digest of the
code that parses and models articles: change either and the file is parsed (and validated) again.
The file is MessagePack, written and read by msgspec against the article's own type annotations (a
typed decoder: no pickle, no generated code), faster to read than marshal plus rebuilt dataclasses.
"""

import gc
import hashlib
import sys
from pathlib import Path

import markdown_it
import msgspec
import yaml

from webapp.articles import checks, fields, loader
from webapp.articles import markdown as rendering
from webapp.articles import model as articles_mod
from webapp.articles.model import Article
from webapp.files import read_private, write_atomic

Known = dict[str, tuple[int, int, Article]]
_encoder = msgspec.msgpack.Encoder()
_header = msgspec.msgpack.Decoder(tuple[str, msgspec.Raw])  # (fingerprint, entries): code checked first
_entries = msgspec.msgpack.Decoder(Known)
_articles = msgspec.msgpack.Decoder(list[tuple[str, int, int, Article]])


def fingerprint() -> str:
    """A digest of everything that decides what parsing a file yields."""
    digest = hashlib.blake2b(digest_size=16)
    versions = (sys.version, msgspec.__version__, yaml.__version__, markdown_it.__version__)
    digest.update("|".join(versions).encode())
    for module in (articles_mod, fields, checks, loader, rendering):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def encode_articles(parsed: list[tuple[str, int, int, Article]]) -> bytes:
    """(name, size, mtime_ns, article) rows as bytes (how parallel parsing hands its results back)."""
    return _encoder.encode(parsed)


def decode_articles(data: bytes) -> list[tuple[str, int, int, Article]]:
    """The rows `encode_articles` wrote."""
    return _articles.decode(data)


def read(path: Path) -> Known:
    """The entries saved at `path`, or none if it is missing, unreadable or from other code."""
    try:
        saved, entries = _header.decode(read_private(path))  # never one another user could have planted
    except (OSError, msgspec.DecodeError):
        return {}
    if saved != fingerprint():
        return {}
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects: collecting midway only costs time
    try:
        return _entries.decode(entries)
    except msgspec.DecodeError:  # a cache that cannot be read is only a slower start
        return {}
    finally:
        if collecting:
            gc.enable()


def write(path: Path, known: Known) -> None:
    """Save entries atomically (start-up keeps working if this fails: the cache is optional)."""
    try:
        write_atomic(path, _encoder.encode((fingerprint(), msgspec.Raw(_encoder.encode(known)))))
    except (OSError, ValueError):
        pass
