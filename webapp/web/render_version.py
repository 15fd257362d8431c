"""The render version: a digest of the bytes every cached page depends on, the same on every machine.

Content, templates, static files and code are hashed by their bytes, not their file times, so the
instances of one release share cached pages even on other machines, and any change makes new keys.
Each file's digest is remembered by size and modification time in the instance folder, so a restart,
or a reload after one edited article, reads only the files that changed (10,000 articles: a stat each).
"""

import hashlib
import marshal
import os
from collections.abc import Iterator
from pathlib import Path

from flask import Flask

from webapp.files import read_private, write_atomic

MEMO_NAME = "render-version.marshal"
Memo = dict[str, tuple[int, int, bytes]]


def files(folder: str) -> Iterator[os.DirEntry]:
    """Every file below a folder in a stable order (by name, depth first), skipping __pycache__."""
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    for entry in entries:
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from files(entry.path)
        elif entry.is_file():
            yield entry


def file_digest(entry: os.DirEntry, memo: Memo, seen: Memo) -> bytes:
    """A file's digest, from the memo when its size and modification time are unchanged."""
    stat = entry.stat()
    known = memo.get(entry.path)
    if known is None or known[:2] != (stat.st_size, stat.st_mtime_ns):
        with open(entry.path, "rb") as handle:
            known = (stat.st_size, stat.st_mtime_ns, hashlib.blake2b(handle.read(), digest_size=16).digest())
    seen[entry.path] = known
    return known[2]


def read_memo(path: Path) -> Memo:
    """The remembered digests, or none when the file is missing or unreadable."""
    try:
        memo = marshal.loads(read_private(path))  # never one another user could have planted
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return memo if isinstance(memo, dict) else {}


def write_memo(path: Path, memo: Memo) -> None:
    """Save the digests atomically (several workers may write at once; the last one wins)."""
    try:
        write_atomic(path, marshal.dumps(memo))
    except OSError:
        pass  # a read-only instance folder only costs the next start some reading


def digest_folders(folders: list[str], settings: str, memo_path: Path) -> str:
    """A short digest of the settings and of every file's relative path and bytes."""
    memo, seen = read_memo(memo_path), {}
    digest = hashlib.blake2b(settings.encode(), digest_size=8)
    for folder in folders:
        start = len(os.path.join(folder, ""))  # paths below the folder, so the same on every machine
        for entry in files(folder):
            digest.update(entry.path[start:].encode() + b"\0")
            digest.update(file_digest(entry, memo, seen))
    if seen != memo:
        write_memo(memo_path, seen)
    return digest.hexdigest()


def render_version(app: Flask) -> str:
    """The render version of an app: its content, templates, static files, code, name and address."""
    code = os.path.dirname(os.path.dirname(__file__))  # all of webapp/
    folders = [str(f) for f in (app.config["CONTENT_DIR"], app.template_folder, app.config["STATIC_DIR"])]
    folders.append(code)
    settings = f"{app.config['SITE_URL']}|{app.config['SITE_NAME']}"
    return digest_folders(folders, settings, Path(app.instance_path) / MEMO_NAME)
