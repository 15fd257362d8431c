"""Liveness for load balancers and monitors: a constant answer that touches no database."""

from flask import Blueprint, Flask, Response

bp = Blueprint("health", __name__)

OK = b"ok\n"


@bp.get("/healthz")
def healthz() -> Response:
    """Answer `ok` while the process serves requests; never cached by proxies."""
    response = Response(OK, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the liveness route."""
    app.register_blueprint(bp)
