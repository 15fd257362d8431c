"""The two file chores every area shares: writing a file atomically and naming content by its digest."""

import hashlib
import logging
import os
import stat
import tempfile
from pathlib import Path

logger = logging.getLogger("webapp")


class UntrustedFile(PermissionError):
    """A file (or its folder) that someone other than us could have written: never read."""


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


def read_private(path: Path) -> bytes:
    """A file's bytes, only when neither it nor its folder can be written by another user.

    The instance folder's caches (parsed articles, file digests) and the secret key decide what the
    site serves and signs: one planted by another local user must be refused, not loaded. Raises
    UntrustedFile (an OSError, so callers that treat a missing cache as empty do so here too).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        for where, info in ((path.parent, os.stat(path.parent)), (path, os.fstat(fd))):
            if _writable_by_others(info):
                logger.warning("Not reading %s: %s can be written by other users", path, where)
                raise UntrustedFile(f"{where} can be written by other users")
        return handle.read()


def _writable_by_others(info: os.stat_result) -> bool:
    """Writable by the group or everyone, or owned by another user than us or root.

    Root itself trusts the owner: an administrator's command (`flask signups backup`) reads the
    service account's own instance folder.
    """
    uid = os.getuid()
    owner_ok = uid == 0 or info.st_uid in (uid, 0)
    return not owner_ok or bool(info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))
