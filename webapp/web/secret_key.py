"""A secret key that is never a fixed default: generated once per instance and kept."""

import os
import secrets
from pathlib import Path


def load_or_create(instance_path: str) -> str:
    """Read `instance/secret_key`, creating it atomically with a random value when missing."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        tmp.write_text(secrets.token_urlsafe(48))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # Atomic: only one of several starting workers wins.
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
