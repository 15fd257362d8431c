"""The public address and sender the newsletter tests' mail app uses (imported by tests and conftest)."""

SITE = "https://healthy.example"
MAIL_FROM = "Healthy Tips <news@healthy.example>"
