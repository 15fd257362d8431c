"""The secret key: from the environment when it is strong, else generated once and kept; rotated keys
still verify what they signed."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from webapp import create_app
from webapp.web.secret_key import InsecureSecretKey, load_or_create

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "healthytips.env.example"
STRONG = "k" * 32


def example_key() -> str:
    """The FLASK_SECRET_KEY the deploy example ships."""
    return re.search(r"^FLASK_SECRET_KEY=(.*)$", EXAMPLE.read_text(), re.MULTILINE).group(1)


def test_generated_once_and_reused(tmp_path):
    first = load_or_create(str(tmp_path))
    assert len(first) >= 40
    assert load_or_create(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_key_file_is_private_from_its_first_byte(tmp_path, monkeypatch):
    """Created with mode 0600 by open() itself: no window in which a looser umask applies."""
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    monkeypatch.setattr(Path, "chmod", lambda *args, **kwargs: None)
    old = os.umask(0)
    try:
        load_or_create(str(tmp_path))
    finally:
        os.umask(old)
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_key_file_others_could_write_is_refused(tmp_path):
    load_or_create(str(tmp_path))
    (tmp_path / "secret_key").chmod(0o666)
    with pytest.raises(InsecureSecretKey, match="other users"):
        load_or_create(str(tmp_path))
    (tmp_path / "secret_key").chmod(0o600)
    tmp_path.chmod(0o777)
    with pytest.raises(InsecureSecretKey, match="other users"):
        load_or_create(str(tmp_path))


def test_a_planted_symlink_is_not_followed(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("chosen-by-someone-else-" * 3)
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").symlink_to(target)
    with pytest.raises(InsecureSecretKey):
        load_or_create(str(tmp_path / "instance"))


def test_each_instance_gets_its_own_key(tmp_path):
    assert load_or_create(str(tmp_path / "a")) != load_or_create(str(tmp_path / "b"))


def test_app_without_configured_key_uses_the_instance_key(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] not in ("dev", "", None)


def test_environment_key_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment-" + "x" * 12)
    assert create_app().config["SECRET_KEY"] == "from-the-environment-" + "x" * 12
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"SECRET_KEY": example_key()}, "placeholder"),
        ({"SECRET_KEY": "Change-Me-" + "x" * 40}, "placeholder"),
        ({"SECRET_KEY": "x" * 31}, "shorter than 32 bytes"),
        ({"SECRET_KEY": STRONG, "SECRET_KEY_FALLBACKS": ["short"]}, "FALLBACKS is shorter"),
        ({"SECRET_KEY": STRONG, "SECRET_KEY_FALLBACKS": example_key()}, "placeholder"),
    ],
)
def test_a_weak_or_placeholder_key_is_refused(tmp_path, settings, message):
    with pytest.raises(InsecureSecretKey, match=message):
        create_app({"INSTANCE_PATH": str(tmp_path), **settings})


def test_the_server_refuses_to_start_with_the_examples_key(tmp_path):
    env = {**os.environ, "FLASK_SECRET_KEY": example_key(), "FLASK_INSTANCE_PATH": str(tmp_path)}
    gunicorn = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1", "app:app"]
    for command in (gunicorn, [*gunicorn[:3], "--preload", *gunicorn[3:]]):
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert "FLASK_SECRET_KEY is the example's placeholder" in result.stderr
    flask = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "routes"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert flask.returncode != 0 and "FLASK_SECRET_KEY is the example's placeholder" in flask.stderr


def test_fallbacks_come_as_a_json_list_or_separated_by_spaces(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_SECRET_KEY", STRONG)
    monkeypatch.setenv("FLASK_SECRET_KEY_FALLBACKS", '["' + "a" * 32 + '", "' + "b" * 32 + '"]')
    assert create_app().config["SECRET_KEY_FALLBACKS"] == ["a" * 32, "b" * 32]
    monkeypatch.setenv("FLASK_SECRET_KEY_FALLBACKS", "a" * 32 + " " + "b" * 32)
    assert create_app().config["SECRET_KEY_FALLBACKS"] == ["a" * 32, "b" * 32]
