"""The sender against a real SMTP server (aiosmtpd): headers, a server down then up, 4xx, 5xx, give-up,
and a crash between sending and recording (sent twice, same Message-ID, never lost)."""

import re
import socket
import threading
from datetime import timedelta

from mail_settings import MAIL_FROM, SITE
from sqlalchemy import select

from webapp.db.engine import reading
from webapp.db.schema import outbox, utcnow
from webapp.newsletter import events, sender
from webapp.newsletter import outbox as queue
from webapp.newsletter import store as signups
from webapp.newsletter.consent import CURRENT


def sign_up(email: str, **kwargs):
    """Sign an address up (pending, confirmation queued) and return its row."""
    signups.add_signup(email, CURRENT, **kwargs)
    return signups.find(email)


def rows() -> list:
    """Every outbox row, oldest first."""
    with reading() as connection:
        return connection.execute(select(outbox).order_by(outbox.c.id)).all()


def kinds(email: str) -> list[str]:
    """The kinds of an address's events."""
    return [event["event"] for event in events.history(signups.find(email).id)]


def test_the_confirmation_arrives_once_with_both_parts_and_every_header(mail, smtp):
    row = sign_up("reader@example.com")
    assert sender.send_all()["sent"] == 1
    [message] = smtp.inbox.messages
    assert message["From"] == MAIL_FROM and message["To"] == "reader@example.com"
    assert message["Subject"] == "Confirm your subscription to Healthy Tips"
    assert message["Date"] and re.fullmatch(r"<[0-9a-f]{32}@healthy\.example>", message["Message-ID"])
    assert message["List-Unsubscribe"].startswith(f"<{SITE}/newsletter/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].split("/")[-1].split(".")[0] == row.unsubscribe_key  # random, no id
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    [link] = re.findall(rf"{SITE}/newsletter/confirm/\S+", text)
    assert f'href="{link}"' in html
    assert kinds("reader@example.com") == ["signed_up", "confirmation_sent"]
    assert sender.send_all()["sent"] == 0 and len(smtp.inbox.messages) == 1  # sent once


def test_a_mail_server_down_at_signup_time_gets_the_email_once_it_is_up(mail, smtp):
    smtp.stop()
    sign_up("patient@example.com")
    now = utcnow()
    assert sender.send_all(now) == {"sent": 0, "deferred": 1, "refused": 0, "obsolete": 0}
    [row] = rows()
    assert row.status == "pending" and row.attempts == 1 and "unreachable" in row.last_error
    assert (
        now + timedelta(seconds=30) <= row.next_attempt_at <= now + timedelta(seconds=60)
    )  # within a minute
    smtp.start()
    assert sender.send_all(now + timedelta(seconds=5))["sent"] == 0  # not due yet
    assert sender.send_all(now + timedelta(seconds=61))["sent"] == 1
    assert sender.send_all(now + timedelta(days=1))["sent"] == 0
    assert len(smtp.inbox.to("patient@example.com")) == 1


def test_a_4xx_answer_is_retried_later_and_then_delivered(mail, smtp):
    smtp.inbox.defer["busy@example.com"] = 1
    sign_up("busy@example.com")
    now = utcnow()
    assert sender.send_all(now)["deferred"] == 1
    assert rows()[0].last_error.startswith("451 4.3.0")
    assert smtp.inbox.messages == []
    assert sender.send_all(now + timedelta(minutes=2))["sent"] == 1
    assert (
        len(smtp.inbox.to("busy@example.com")) == 1 and signups.find("busy@example.com").status == "pending"
    )


def test_a_550_marks_the_address_undeliverable_and_stops_mailing_it(mail, smtp):
    smtp.inbox.refuse["nobody@example.com"] = "550 5.1.1 No such user here"
    sign_up("nobody@example.com")
    sign_up("somebody@example.com")
    assert sender.send_all() == {"sent": 1, "deferred": 0, "refused": 1, "obsolete": 0}
    row = signups.find("nobody@example.com")
    assert row.status == "undeliverable"
    [bounced] = [event for event in events.history(row.id) if event["event"] == "bounced"]
    assert bounced["detail"] == "550 5.1.1 No such user here"
    assert [r.status for r in rows()] == ["failed", "sent"]
    assert signups.stats().undeliverable == 1
    assert (
        sender.send_all(utcnow() + timedelta(days=1))["sent"] == 0
        and smtp.inbox.to("nobody@example.com") == []
    )


def test_retries_back_off_with_jitter_and_give_up_after_three_days(mail, smtp):
    now = utcnow()
    first = [sender.retry_at(1, now) - now for _ in range(50)]
    assert all(timedelta(seconds=30) <= wait <= timedelta(seconds=60) for wait in first)
    assert len(set(first)) > 40  # jitter: senders that failed together do not come back together
    assert timedelta(minutes=4) <= sender.retry_at(4, now) - now <= timedelta(minutes=8)
    assert sender.retry_at(30, now) - now <= timedelta(hours=6)
    smtp.stop()
    sign_up("far@example.com")
    sender.send_all(now)
    assert rows()[0].status == "pending"
    sender.send_all(now + timedelta(days=3, minutes=1))
    [row] = rows()
    assert row.status == "failed" and row.last_error.startswith("gave up after 3 days")
    assert signups.find("far@example.com").status == "pending"  # our server was down, not their address


def test_a_crash_between_sending_and_recording_sends_again_with_the_same_message_id(mail, smtp):
    sign_up("twice@example.com")
    now = utcnow()
    jobs = queue.claim("a sender that dies", now)
    sender._deliver_emails(jobs)  # sent, then the process dies before recording it
    assert sender.send_all(now + timedelta(seconds=60))["sent"] == 0  # still leased to the dead sender
    assert sender.send_all(now + timedelta(minutes=3))["sent"] == 1  # the lease ran out: sent again
    first, second = smtp.inbox.to("twice@example.com")
    assert first["Message-ID"] == second["Message-ID"]
    assert first.get_body(("plain",)).get_content() == second.get_body(("plain",)).get_content()


def test_mail_for_a_signup_that_left_meanwhile_is_not_sent(mail, smtp):
    row = sign_up("changed.mind@example.com")
    signups.unsubscribe(row.unsubscribe_key, None, webhook=False)
    assert sender.send_all()["sent"] == 0 and smtp.inbox.messages == [] and rows() == []


def test_a_server_that_hangs_up_is_tried_once_per_batch_not_once_per_message(mail):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    accepted, done = [], threading.Event()

    def hang_up():
        while not done.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(connection)
            connection.close()

    worker = threading.Thread(target=hang_up)
    worker.start()
    saved = mail.config["MAIL_URL"]
    mail.config["MAIL_URL"] = f"smtp://127.0.0.1:{listener.getsockname()[1]}"
    try:
        for n in range(3):
            sign_up(f"reader{n}@example.com")
        assert sender.send_all() == {"sent": 0, "deferred": 3, "refused": 0, "obsolete": 0}
    finally:
        mail.config["MAIL_URL"] = saved
        done.set()
        worker.join()
        listener.close()
    assert len(accepted) == 1 and all("unreachable" in row.last_error for row in rows())
