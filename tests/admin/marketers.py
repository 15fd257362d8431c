"""Helpers of the marketers' tests: the password, CSRF tokens and signing in (fixtures: conftest.py)."""

import re

PASSWORD = "a long enough passphrase"
EMAIL = "marketer@example.com"


def csrf(client, path: str = "/admin/login") -> str:
    """The CSRF token of the form on a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def log_in(client, password: str = PASSWORD, **extra):
    """Sign in through the form (the address typed in another case: addresses are not case-sensitive)."""
    data = {"email": "Marketer@Example.com", "password": password, "csrf_token": csrf(client), **extra}
    return client.post("/admin/login", data=data)
