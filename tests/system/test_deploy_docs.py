"""What deploy/ tells an operator stays true: every setting named exists, every setting is named, the
environment file loads the same in systemd and in a shell, and the unit's gunicorn command runs."""

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import gunicorn
import pytest
from flask import Flask

from webapp import config, create_app
from webapp.web.secret_key import InsecureSecretKey

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "deploy" / "healthytips.env.example"
UNIT = ROOT / "deploy" / "systemd" / "healthytips.service"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
SETTING = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


def example_settings(active_only: bool = False) -> dict[str, str]:
    """The settings the example names, read as systemd reads them (quotes stripped)."""
    found = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = SETTING.match(line)
        if match and not (active_only and line.startswith("#")):
            name, value = match.groups()
            found[name] = value[1:-1] if value[:1] == value[-1:] == '"' and len(value) > 1 else value
    return found


def app_defaults() -> set[str]:
    """The config keys the app gives a default (webapp/config.py) or sets with config.setdefault."""
    names = set(config.defaults("instance"))
    for path in (ROOT / "webapp").rglob("*.py"):
        names |= set(re.findall(r"config\.setdefault\(\s*\"([A-Z0-9_]+)\"", path.read_text()))
    return names


def code_reads(name: str) -> bool:
    """True when the app's code reads this config key or environment variable by name."""
    source = "\n".join(path.read_text() for path in (ROOT / "webapp").rglob("*.py"))
    return f'"{name}"' in source


def test_every_flask_variable_in_the_example_exists():
    known = app_defaults() | set(Flask.default_config)
    names = [name for name in example_settings() if name.startswith("FLASK_")]
    unknown = [n for n in names if n[6:] not in known and not (code_reads(n[6:]) or code_reads(n))]
    assert not unknown, f"deploy/healthytips.env.example names settings the app never reads: {unknown}"


def test_every_app_setting_is_in_the_example():
    named = {name[6:] for name in example_settings() if name.startswith("FLASK_")}
    missing = sorted(app_defaults() - named)
    assert not missing, f"add these to deploy/healthytips.env.example (as FLASK_...): {missing}"


def test_commented_out_settings_show_the_apps_defaults(tmp_path, static_build_dir):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "STATIC_BUILD_DIR": str(static_build_dir)})
    commented = {
        line.split("=", 1)[0][1:]: example_settings()[line.split("=", 1)[0][1:]]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line.startswith("#FLASK_")
    }
    wrong = {}
    for name, shown in commented.items():
        default = app.config.get(name[6:])
        if default is None or name in ("FLASK_INSTANCE_PATH", "FLASK_STATIC_BUILD_DIR"):
            continue  # computed elsewhere, or the unit's folders rather than defaults
        shown = shown.replace("/srv/healthytips", str(ROOT))  # the release, as the unit runs it
        try:
            shown = json.loads(shown)  # as Flask's from_prefixed_env reads values
        except ValueError:
            pass
        if shown != default:
            wrong[name] = (shown, default)
    assert not wrong, f"deploy/healthytips.env.example shows other defaults than the app's: {wrong}"


def test_gunicorn_variables_in_the_example_are_used_by_the_unit():
    unit = UNIT.read_text()
    for name in example_settings():
        if name.startswith("HEALTHYTIPS_"):
            assert "${" + name + "}" in unit and f"Environment={name}=" in unit


def test_the_example_loads_the_same_in_a_shell_as_in_systemd(tmp_path):
    script = f"set -a; . {shlex.quote(str(ENV_EXAMPLE))}; set +a; env -0"
    shell = subprocess.run(["bash", "-c", script], capture_output=True, env={}, check=True).stdout
    loaded = dict(item.split("=", 1) for item in shell.decode().split("\0") if "=" in item)
    active = example_settings(active_only=True)
    assert active and {name: loaded.get(name) for name in active} == active


def test_the_example_configures_the_app(tmp_path, monkeypatch, static_build_dir):
    for name, value in example_settings(active_only=True).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FLASK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_STATIC_BUILD_DIR", str(static_build_dir))
    with pytest.raises(InsecureSecretKey, match="placeholder"):
        create_app()  # the shipped placeholder must be replaced before the app starts
    monkeypatch.setenv("FLASK_SECRET_KEY", "an-operator-generated-key-" * 2)
    app = create_app()
    assert app.config["CACHE_TYPE"] == "RedisCache" and app.config["DATABASE_URL"].startswith("postgresql")
    assert app.config["TRUSTED_PROXIES"] == 1 and app.config["BEHIND_TLS"] is True
    assert app.config["SECRET_KEY"] == "an-operator-generated-key-" * 2


def unit_exec_start() -> list[str]:
    """The unit's ExecStart as an argument list, with its line continuations joined."""
    text = UNIT.read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def test_the_units_gunicorn_command_serves_reloads_and_stops_gracefully(tmp_path, static_build_dir):
    """The exact flags of ExecStart on this gunicorn: serve, HUP to new workers, TERM to a clean exit."""
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    values = {"HEALTHYTIPS_BIND": f"127.0.0.1:{port}", "HEALTHYTIPS_WORKERS": "2"}  # as set by the unit
    argv = [re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], arg) for arg in unit_exec_start()]
    assert argv[0] == "/srv/healthytips/.venv/bin/gunicorn" and argv[1] == "app:app"
    env = {**os.environ, "FLASK_INSTANCE_PATH": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path)}
    env["FLASK_STATIC_BUILD_DIR"] = str(static_build_dir)  # built once for the whole run
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", *argv[1:]], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        assert wait_for(lambda: urllib.request.urlopen(url, timeout=1).status == 200)
        assert wait_for(lambda: len(children(server.pid)) == 2)
        workers = children(server.pid)
        if gunicorn.version_info >= (25, 1):  # its control socket goes in the unit's RuntimeDirectory
            assert wait_for(lambda: (tmp_path / "gunicorn.ctl").is_socket())
        server.send_signal(signal.SIGHUP)
        assert wait_for(lambda: len(children(server.pid)) == 2 and not children(server.pid) & workers)
        assert urllib.request.urlopen(url, timeout=5).status == 200
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def wait_for(check, seconds: float = 30) -> bool:
    """Poll a check until it is true (errors count as not yet) or the time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def children(pid: int) -> set[int]:
    """The process ids whose parent is pid (Linux /proc)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"\nPPid:\t{pid}\n" in status.read_text():
                found.add(int(status.parent.name))
        except OSError:
            continue
    return found


def test_the_unit_passes_systemd_analyze(tmp_path):
    analyze = "/usr/bin/systemd-analyze"
    if not Path(analyze).exists():
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    # verify needs the binary to exist; everything else is checked as shipped
    unit = UNIT.read_text().replace("/srv/healthytips/.venv/bin/gunicorn", sys.executable)
    (tmp_path / "healthytips.service").write_text(unit)
    result = subprocess.run([analyze, "verify", str(tmp_path / "healthytips.service")], capture_output=True)
    problems = [line for line in result.stderr.decode().splitlines() if "healthytips.service" in line]
    assert result.returncode == 0 and not problems, problems


def test_the_deploy_guide_names_the_files_it_walks_through():
    guide = DEPLOY_DOC.read_text()
    for path in ["deploy/systemd/healthytips.service", "deploy/healthytips.env.example", "deploy/nginx/"]:
        assert path in guide
    for name in [
        "FLASK_DATABASE_URL",
        "FLASK_CACHE_REDIS_URL",
        "FLASK_RATELIMIT_STORAGE_URI",
        "FLASK_SECRET_KEY",
    ]:
        assert name in guide
