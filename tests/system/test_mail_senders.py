"""The mail sender as operators run it: two app servers draining one PostgreSQL outbox into a real SMTP
server (each message sent once), and the healthytips-mail unit's `flask mail send-loop` (verified by
systemd-analyze, run until SIGTERM)."""

import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from backends import drop_schema, make_app, postgresql_schema_url
from liveserver import free_port, start_server, stop_server, wait_for

from webapp.db.migrate import upgrade
from webapp.newsletter import store as signups
from webapp.newsletter.consent import CURRENT

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "healthytips-mail.service"
sys.path.insert(0, str(ROOT / "tests" / "newsletter"))
from smtp_server import SmtpServer  # noqa: E402

SECRET = "a secret key of thirty-two bytes or more, for tests"


@pytest.fixture
def postgresql_url(postgresql_server):
    """A fresh, migrated PostgreSQL schema."""
    schema, url = postgresql_schema_url(postgresql_server)
    upgrade(url)
    yield url
    drop_schema(postgresql_server, schema)


def sign_up(url: str, email: str) -> int:
    """Post the signup form to a server as a browser without JavaScript would; the status."""
    form = urllib.parse.urlencode({"email": email, "article": "", "consent_version": CURRENT.version})
    request = urllib.request.Request(f"{url}/newsletter/signup", form.encode(), {"Origin": url})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_app_servers_drain_one_postgresql_outbox_and_send_each_message_once(
    postgresql_url, tmp_path, static_build_dir
):
    smtp = SmtpServer(free_port())
    smtp.start()
    env = {
        "FLASK_DATABASE_URL": postgresql_url,
        "FLASK_MAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "FLASK_SECRET_KEY": SECRET,
        "FLASK_RATELIMIT_ENABLED": "false",
        "FLASK_STATIC_BUILD_DIR": str(static_build_dir),
    }
    servers = [start_server(tmp_path / name, env, ready_path="/healthz") for name in ("one", "two")]
    try:
        # Signups through both servers (each wakes its own worker's sender at once) ...
        through_http = [f"web{n}@example.com" for n in range(20)]
        for n, email in enumerate(through_http):
            assert sign_up(servers[n % 2][1], email) == 200
        # ... and a burst queued at once behind their backs, which all four senders race for.
        app = make_app(tmp_path / "writer", static_build_dir, DATABASE_URL=postgresql_url)
        queued = [f"burst{n}@example.com" for n in range(120)]
        with app.app_context():
            for email in queued:
                signups.add_signup(email, CURRENT)
        for _, url in servers:  # every worker has served a request, so every worker's sender runs
            for _ in range(6):
                urllib.request.urlopen(f"{url}/healthz", timeout=5).read()
        everyone = set(through_http) | set(queued)
        wait_for(lambda: {message["To"] for message in smtp.inbox.messages} >= everyone, 60)
        time.sleep(6)  # a poll or two more: a second copy would arrive now
        counts = Counter(message["To"] for message in smtp.inbox.messages)
        assert set(counts) == everyone and set(counts.values()) == {1}
        assert len({message["Message-ID"] for message in smtp.inbox.messages}) == len(everyone)
    finally:
        for process, _ in servers:
            stop_server(process)
        smtp.stop()


def test_the_mail_units_command_passes_systemd_analyze(tmp_path):
    analyze = "/usr/bin/systemd-analyze"
    if not Path(analyze).exists():
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    unit = UNIT.read_text().replace("/srv/healthytips/.venv/bin/flask", str(ROOT / ".venv" / "bin" / "flask"))
    (tmp_path / "healthytips-mail.service").write_text(unit)
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / "healthytips-mail.service")], capture_output=True
    )
    problems = [line for line in result.stderr.decode().splitlines() if "healthytips-mail.service" in line]
    assert result.returncode == 0 and not problems, problems


def test_send_loop_sends_what_is_queued_and_stops_on_sigterm(tmp_path, static_build_dir):
    database = f"sqlite:///{tmp_path / 'signups.sqlite3'}"
    upgrade(database)
    app = make_app(tmp_path, static_build_dir, DATABASE_URL=database)
    with app.app_context():
        signups.add_signup("looped@example.com", CURRENT)
    command = [line for line in UNIT.read_text().splitlines() if line.startswith("ExecStart=")][0]
    argv = command.removeprefix("ExecStart=").split()
    assert argv[0] == "/srv/healthytips/.venv/bin/flask"
    env = {**os.environ, "FLASK_DATABASE_URL": database, "FLASK_INSTANCE_PATH": str(tmp_path)}
    env |= {"FLASK_SECRET_KEY": SECRET, "FLASK_STATIC_BUILD_DIR": str(static_build_dir)}
    loop = subprocess.Popen(
        [sys.executable, "-m", "flask", *argv[1:]], cwd=ROOT, env=env, stdout=subprocess.PIPE
    )
    try:
        wait_for(lambda: list((tmp_path / "mail").glob("*.eml")), 30)
        loop.send_signal(signal.SIGTERM)
        assert loop.wait(timeout=30) == 0
    finally:
        if loop.poll() is None:
            loop.kill()
    [message] = (tmp_path / "mail").glob("*.eml")
    assert b"To: looped@example.com" in message.read_bytes()
    assert b"Mail sender stopped." in loop.stdout.read()
