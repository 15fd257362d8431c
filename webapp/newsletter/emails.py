"""Email addresses as readers type them: validated, normalized and masked for logs (no Flask, no DNS)."""

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254


class InvalidEmail(ValueError):
    """An address we cannot accept, with a message fit to show the reader."""


def normalize_email(raw: str) -> str:
    """The normalized form of a typed address (domain lower-cased), or InvalidEmail saying why."""
    text = raw.strip()
    if not text:
        raise InvalidEmail("Enter your email address.")
    if len(text) > MAX_LENGTH:
        raise InvalidEmail(f"That address is too long: an email address has at most {MAX_LENGTH} characters.")
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise InvalidEmail("Enter your email address on one line, like name@example.com.")
    try:
        result = validate_email(text, check_deliverability=False, strict=True)
    except EmailNotValidError:
        raise InvalidEmail("Enter a valid email address, like name@example.com.") from None
    if len(result.normalized) > MAX_LENGTH:
        raise InvalidEmail(f"That address is too long: an email address has at most {MAX_LENGTH} characters.")
    return result.normalized


def email_key(normalized: str) -> str:
    """The form two signups of one person share: mailbox providers ignore letter case in practice."""
    return normalized.lower()


def mask_email(email: str) -> str:
    """An address fit for a log line: the first character of the mailbox and the domain only."""
    local, at, domain = email.rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"
