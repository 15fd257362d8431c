"""The webhook against a real local HTTP receiver: signed JSON for each confirmation and unsubscribe,
through the outbox, with the receiver down and then up (delivered once, never lost)."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from backends import clear_tables, make_app
from liveserver import free_port

from webapp.db.schema import utcnow
from webapp.newsletter import outbox, sender, webhook
from webapp.newsletter import store as signups
from webapp.newsletter.consent import CURRENT

SECRET = "a webhook signing secret shared with the receiver"


class Receiver:
    """An HTTP server on a fixed port that keeps every POST (and can answer 500 for a while)."""

    def __init__(self, port: int):
        self.port, self.received, self.failures, self.server = port, [], 0, None

    def start(self) -> None:
        """Listen and serve in a thread."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                data = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.failures:
                    receiver.failures -= 1
                    self.send_response(500)
                else:
                    receiver.received.append((dict(self.headers), data))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop listening."""
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture(scope="module")
def hook_port() -> int:
    """The receiver's port."""
    return free_port()


@pytest.fixture
def receiver(hook_port):
    """The marketers' tool, stopped; the test starts it."""
    running = Receiver(hook_port)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def hook_app(module_migrated_url, hook_port, tmp_path_factory, static_build_dir):
    """An app posting its webhook to the receiver (mail goes to .eml files)."""
    return make_app(
        tmp_path_factory.mktemp("instance"),
        static_build_dir,
        DATABASE_URL=module_migrated_url,
        SIGNUP_WEBHOOK_URL=f"http://127.0.0.1:{hook_port}/hooks/newsletter",
        SIGNUP_WEBHOOK_SECRET=SECRET,
    )


@pytest.fixture
def hooked(hook_app):
    """The webhook app in an application context, on an empty database."""
    clear_tables(hook_app.config["DATABASE_URL"])
    with hook_app.app_context():
        yield hook_app


def test_confirmations_and_unsubscribes_reach_the_receiver_signed_even_when_it_was_down(hooked, receiver):
    signups.add_signup("hooked@example.com", CURRENT, article_slug="sleep")
    row = signups.find("hooked@example.com")
    now = utcnow()
    signups.confirm(row.confirm_nonce, None, webhook=True, now=now)
    result = sender.send_all(now)  # the welcome email is written; the receiver is down
    assert result == {"sent": 1, "deferred": 1, "refused": 0, "obsolete": 1}  # (confirmed before its email)
    receiver.start()
    receiver.failures = 1  # then it answers 500 once
    assert sender.send_all(now + timedelta(seconds=61))["deferred"] == 1
    assert sender.send_all(now + timedelta(minutes=3))["sent"] == 1
    signups.unsubscribe(row.unsubscribe_key, None, webhook=True)
    sender.send_all()
    assert sender.send_all(now + timedelta(days=1))["sent"] == 0
    [(first_headers, first), (second_headers, second)] = receiver.received
    for headers, data in receiver.received:
        assert headers["Content-Type"] == "application/json"
        assert webhook.verify(SECRET, headers["Healthytips-Signature"], data)
        assert not webhook.verify("another secret", headers["Healthytips-Signature"], data)
        assert not webhook.verify(SECRET, headers["Healthytips-Signature"], data + b" ")
    confirmed, unsubscribed = json.loads(first), json.loads(second)
    assert confirmed["event"] == "confirmed" and confirmed["email"] == "hooked@example.com"
    assert confirmed["consent_version"] == CURRENT.version and confirmed["article"] == "sleep"
    assert confirmed["id"] == first_headers["Healthytips-Delivery"]
    assert unsubscribed["event"] == "unsubscribed" and unsubscribed["id"] != confirmed["id"]
    assert outbox.counts()["pending"] == 0


def test_a_stale_signature_is_refused_by_the_documented_check():
    data = b'{"event": "confirmed"}'
    header = webhook.signature(SECRET, 1_000_000, data)
    assert webhook.verify(SECRET, header, data, now=1_000_100)
    assert not webhook.verify(SECRET, header, data, now=1_000_000 + 301)  # a replay, later
    assert not webhook.verify(SECRET, "t=x,v1=y", data) and not webhook.verify(SECRET, "", data)


def test_a_webhook_url_without_its_secret_refuses_to_start(tmp_path, static_build_dir):
    with pytest.raises(ValueError, match="FLASK_SIGNUP_WEBHOOK_SECRET"):
        make_app(tmp_path, static_build_dir, SIGNUP_WEBHOOK_URL="https://hooks.example/x")
