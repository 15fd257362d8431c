"""The two file chores every area shares: writing a file atomically and naming content by its digest."""

import hashlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half of one.

    Several workers may write the same file at once: each writes its own temporary file in the same
    folder and renames it into place, so the last one wins.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def digest(*parts: bytes | str, size: int = 16) -> str:
    """A short hex digest of some bytes or text (BLAKE2b): names content so that a change is seen."""
    hasher = hashlib.blake2b(digest_size=size)
    for part in parts:
        hasher.update(part.encode() if isinstance(part, str) else part)
    return hasher.hexdigest()
