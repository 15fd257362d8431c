"""The secret key: never a fixed default, never a placeholder, and rotated without signing anyone out.

When none is configured, one is generated into the instance folder (created with O_EXCL and mode 0600
in one step, so it is never readable by others, not even for an instant). A configured key must be at
least 32 bytes and not the deploy example's placeholder. Old keys go in SECRET_KEY_FALLBACKS (Flask's
setting): sessions, and the links webapp/newsletter/tokens.py signs, still verify with them; new ones
use SECRET_KEY.
"""

import os
import secrets
import time
from pathlib import Path

from flask import Flask

from webapp.files import UntrustedFile, read_private

MIN_BYTES = 32
# The deploy example ships `change-me-...`: anyone who reads the example could forge with it.
PLACEHOLDER = "change-me"
GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class InsecureSecretKey(RuntimeError):
    """A configured secret key that would let others forge sessions and links; the app refuses to start."""


def load_or_create(instance_path: str) -> str:
    """Read `instance/secret_key`, creating it with a random value (mode 0600, atomically) when missing."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of several workers starting at once exactly one creates the file; mode 0600 from the
        # first byte. O_NOFOLLOW: a planted symlink is never followed.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    for _ in range(50):
        try:
            key = read_private(path).decode().strip()
        except UntrustedFile as error:
            raise InsecureSecretKey(f"{path}: {error}; anyone who could write it chose our key.") from None
        except OSError as error:  # a symlink (never followed), a folder in its place
            raise InsecureSecretKey(f"{path} cannot be read safely: {error.strerror}.") from None
        if key:
            return key
        time.sleep(0.02)  # another worker has just created it and is writing
    raise InsecureSecretKey(f"{path} is empty: delete it and start again (a new key is generated).")


def fallbacks(value: object) -> list[str]:
    """SECRET_KEY_FALLBACKS as a list: a JSON list from the environment, or keys separated by spaces."""
    if not value:
        return []
    if isinstance(value, str):
        return value.replace(",", " ").split()
    return [str(key) for key in value]


def check(key: str, name: str = "FLASK_SECRET_KEY") -> None:
    """InsecureSecretKey with what to do when `key` is a placeholder or shorter than 32 bytes."""
    if PLACEHOLDER in key.lower():
        raise InsecureSecretKey(
            f"{name} is the example's placeholder: anyone could forge sessions and unsubscribe links. "
            f"Generate one with: {GENERATE}"
        )
    if len(key.encode()) < MIN_BYTES:
        raise InsecureSecretKey(
            f"{name} is shorter than {MIN_BYTES} bytes: it could be guessed. Generate one with: {GENERATE}"
        )


def init_app(app: Flask) -> None:
    """Use the configured key after checking it and its fallbacks, else the instance folder's own key."""
    if app.config["SECRET_KEY"]:
        check(str(app.config["SECRET_KEY"]))
    else:
        app.config["SECRET_KEY"] = load_or_create(app.instance_path)
    old = fallbacks(app.config.get("SECRET_KEY_FALLBACKS"))
    for key in old:
        check(key, "a key in FLASK_SECRET_KEY_FALLBACKS")
    app.config["SECRET_KEY_FALLBACKS"] = list(old)
