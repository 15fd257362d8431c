"""FLASK_MAIL_URL: parsed and checked at start, and a login to a real SMTP server that requires one."""

from datetime import UTC, datetime

import pytest
from backends import make_app
from liveserver import free_port
from smtp_server import SmtpServer

from webapp.newsletter import mailer
from webapp.newsletter.mailer import Outgoing, SmtpSettings, parse_url


def test_mail_urls_name_the_transport_port_and_percent_encoded_login():
    assert parse_url("smtp://mail.internal") == SmtpSettings("smtp", "mail.internal", 25, None, None)
    assert parse_url("smtp+starttls://news%40site:p%40ss%3Aword@smtp.example:2587") == SmtpSettings(
        "smtp+starttls", "smtp.example", 2587, "news@site", "p@ss:word"
    )
    assert parse_url("smtps://u:p@smtp.example").port == 465
    assert parse_url("smtp+starttls://smtp.example").port == 587
    for bad in ("http://smtp.example", "smtp://", "mail.example:25"):
        with pytest.raises(ValueError, match="FLASK_MAIL_URL"):
            parse_url(bad)


def test_a_bad_mail_url_refuses_to_start_with_a_clear_message(tmp_path, static_build_dir):
    with pytest.raises(ValueError, match="smtp://, smtp\\+starttls:// or smtps://"):
        make_app(tmp_path, static_build_dir, MAIL_URL="smtpx://mail.example")


def test_the_sender_domain_and_default_from_follow_the_site():
    assert mailer.sender_domain("https://healthytips.example/") == "healthytips.example"
    assert mailer.sender_domain("http://127.0.0.1:8000") == "localhost"
    assert mailer.default_from("Healthy Tips", "https://healthytips.example") == (
        "Healthy Tips <newsletter@healthytips.example>"
    )


def message(to: str):
    """A small email to send."""
    outgoing = Outgoing(
        to=to, subject="Hi", text="Hello", html="<p>Hello</p>", message_id="abc",
        date=datetime(2026, 12, 2, tzinfo=UTC),
        unsubscribe_url="https://healthy.example/newsletter/unsubscribe/x",
    )  # fmt: skip
    return mailer.build(outgoing, "Healthy Tips <news@healthy.example>", "healthy.example")


def test_a_server_that_requires_a_login_gets_ours():
    server = SmtpServer(free_port(), login=("newsletter", "s3cret pass"))
    server.start()
    try:
        with mailer.transport(f"smtp://newsletter:s3cret%20pass@127.0.0.1:{server.port}", "/nowhere") as smtp:
            smtp.send(message("reader@example.com"), "one")
        assert [m["Message-ID"] for m in server.inbox.messages] == ["<abc@healthy.example>"]
    finally:
        server.stop()
