"""A real SMTP server for the tests (aiosmtpd) on a given port, that can refuse or defer addresses."""

from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Inbox:
    """aiosmtpd's handler: keeps every message; refuses (5xx) or defers (4xx) the addresses it is told to."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}  # address -> "550 ..." answer
        self.defer: dict[str, int] = {}  # address -> how many more times to answer 451

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        """Accept, refuse or defer one recipient."""
        if address in self.refuse:
            return self.refuse[address]
        if self.defer.get(address):
            self.defer[address] -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        """Keep the message as it arrived."""
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages that reached one address."""
        return [message for message in self.messages if message["To"] == address]


class SmtpServer:
    """An SMTP server on a fixed port, started and stopped at will (a mail server that goes down);
    with `login=(user, password)` it requires AUTH (over plain TCP: a test server on loopback)."""

    def __init__(self, port: int, login: tuple[str, str] | None = None):
        self.port, self.inbox, self.controller, self.login = port, Inbox(), None, login

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        """Accept only the configured user and password."""
        given = (auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=given == self.login)

    def start(self) -> None:
        """Listen on the port."""
        options = {}
        if self.login:
            options = {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self) -> None:
        """Stop listening (connections are refused from now on)."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
