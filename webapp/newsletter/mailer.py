"""Emails: built from templates with both parts and every header, and handed to the configured transport.

`FLASK_MAIL_URL` picks the transport: `smtp://host:port`, `smtp+starttls://user:pass@host:587` or
`smtps://user:pass@host:465`; unset, each message is written as an `.eml` file in `instance/mail/`.
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from webapp.files import write_atomic

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What an email says, before it is an EmailMessage."""

    to: str
    subject: str
    text: str
    html: str
    message_id: str  # without the angle brackets and domain: our outbox row's id for it
    date: object  # datetime: when it was queued, the same on every retry
    unsubscribe_url: str


def sender_domain(site_url: str) -> str:
    """The domain of our From and Message-ID: the site's host, or `localhost` for a bare IP address."""
    host = urlsplit(site_url).hostname or "localhost"
    return host if "." in host and not host.replace(".", "").isdigit() else "localhost"


def default_from(site_name: str, site_url: str) -> str:
    """`Site Name <newsletter@site-host>`, when FLASK_MAIL_FROM is not set."""
    return formataddr((site_name, f"newsletter@{sender_domain(site_url)}"))


def build(outgoing: Outgoing, mail_from: str, domain: str) -> EmailMessage:
    """A multipart/alternative email with Message-ID, Date, From and one-click List-Unsubscribe."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = outgoing.to
    message["Subject"] = outgoing.subject
    message["Date"] = format_datetime(outgoing.date)
    message["Message-ID"] = f"<{outgoing.message_id}@{domain}>"
    message["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(outgoing.text)
    message.add_alternative(outgoing.html, subtype="html")
    return message


class Refused(Exception):
    """The server refused this message for good (5xx): the address is undeliverable."""


class Deferred(Exception):
    """This message could not be sent now (server down, 4xx, our settings): try again later."""


class Unreachable(Deferred):
    """The server could not be reached at all: the rest of the batch need not try either."""


class FileTransport:
    """Writes each message to `folder/<queued time>-<id>.eml`; a retry rewrites the same file."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send(self, message: EmailMessage, name: str) -> None:
        """Write the message; a full or read-only disk defers it."""
        try:
            write_atomic(self.folder / f"{name}.eml", bytes(message), mode=0o600)
        except OSError as error:
            raise Unreachable(f"cannot write {self.folder}: {error.strerror or error}") from error


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to reach the mail server."""

    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None


def parse_url(url: str) -> SmtpSettings:
    """The settings of a FLASK_MAIL_URL, or ValueError saying what is wrong with it."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError(f"FLASK_MAIL_URL must start with smtp://, smtp+starttls:// or smtps://, not {url!r}")
    if not parts.hostname:
        raise ValueError("FLASK_MAIL_URL has no host")
    return SmtpSettings(
        scheme=parts.scheme,
        host=parts.hostname,
        port=parts.port or SCHEMES[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class SmtpTransport:
    """One SMTP connection for a batch of messages; 5xx answers refuse a message, anything else defers."""

    def __init__(self, settings: SmtpSettings, timeout: float = 20):
        self.settings, self.timeout = settings, timeout
        self.client: smtplib.SMTP | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
        return False

    def _connect(self) -> smtplib.SMTP:
        """Connect, secure and log in (once per batch)."""
        s = self.settings
        if s.scheme == "smtps":
            client = smtplib.SMTP_SSL(
                s.host, s.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            if s.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
        if s.username:
            client.login(s.username, s.password or "")
        return client

    def send(self, message: EmailMessage, name: str) -> None:
        """Send one message: Refused for a permanent refusal of it, Deferred for everything else."""
        try:
            if self.client is None:
                self.client = self._connect()
            self.client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            raise (Refused if code >= 500 else Deferred)(_reply(code, reply)) from error
        except smtplib.SMTPDataError as error:
            raise (Refused if error.smtp_code >= 500 else Deferred)(
                _reply(error.smtp_code, error.smtp_error)
            ) from error
        except smtplib.SMTPResponseException as error:  # MAIL FROM or login refused: our side, not theirs
            self._drop()
            raise Unreachable(_reply(error.smtp_code, error.smtp_error)) from error
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise Unreachable(f"mail server unreachable: {error}") from error

    def _drop(self) -> None:
        """Forget a connection in an unknown state; the next message opens a new one."""
        if self.client is not None:
            try:
                self.client.close()
            finally:
                self.client = None


def _reply(code: int, reply: bytes | str) -> str:
    """An SMTP answer as one line of text."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"


def transport(mail_url: str | None, instance_path: str):
    """The transport FLASK_MAIL_URL names, or the .eml folder when it is unset."""
    if not mail_url:
        return FileTransport(Path(instance_path) / "mail")
    return SmtpTransport(parse_url(mail_url))
