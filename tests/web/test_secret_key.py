"""The secret key: from the environment when given, else generated once and kept."""

from webapp import create_app
from webapp.web.secret_key import load_or_create


def test_generated_once_and_reused(tmp_path):
    first = load_or_create(str(tmp_path))
    assert len(first) >= 40
    assert load_or_create(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


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
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
