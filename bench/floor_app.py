"""The floor of issue 18: a minimal Flask app answering one route with a file's bytes, no extensions.

`make bench` serves it with the production server's settings (gunicorn.conf.py, the same workers and
threads as `make run`) and measures our cached pages against it. FLOOR_BODY names the file (the
article as our server sends it, brotli-compressed), so both answer the same bytes.
"""

import os
from pathlib import Path

from flask import Flask, Response

app = Flask(__name__)
BODY = Path(os.environ["FLOOR_BODY"]).read_bytes()


@app.get("/")
def page() -> Response:
    """The article's compressed bytes, as the article route sends them."""
    return Response(BODY, mimetype="text/html", headers={"Content-Encoding": "br"})
