"""Entry point for `flask run` and `gunicorn app:app`."""

from webapp import create_app

app = create_app()
