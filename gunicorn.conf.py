"""gunicorn settings for `make run`, the tests' servers and the systemd unit (command-line flags win).

gthread workers were chosen by measurement (docs/performance.md, `make bench`): with the page cache's
fast path, a cached page answers faster than a minimal Flask app on the same server. granian answers
several times as many requests, but does not yet keep what this site relies on (systemd readiness,
request-count recycling with jitter, the raw request URI that canonical redirects read, worker hooks);
docs/performance.md lists what switching needs. `--preload` in `make run` forks workers from a master
that loaded the content once; a worker that loads it itself while an editor's half-written article
sits in content/ starts with the last good library anyway (the parse cache's).
"""

import gc
import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Recycle workers after a number of requests (a slow leak never grows for long); the jitter keeps
# workers from restarting at the same moment, so one is always serving.
max_requests = 20000
max_requests_jitter = 2000

# A request that takes longer than this is stuck: the worker is replaced. On SIGTERM or HUP, requests
# in flight get `graceful_timeout` seconds to finish.
timeout = 30
graceful_timeout = 25
keepalive = 5  # seconds an idle keep-alive connection (from nginx's upstream pool) stays open
# A keep-alive connection is closed (`Connection: close`) after this many requests, as nginx's own
# `keepalive_requests` does. A client's connections stay with the worker that accepted them, so without
# this, after a worker is recycled the reconnecting clients (or nginx's upstream pool) pile onto the
# worker still running and the new one idles: one worker's core for the whole load. Measured by `make
# bench` (docs/performance.md): the same page answered 40 % fewer requests a second without it.
keepalive_requests = 100
# gunicorn's control socket (`gunicornc -s PATH`): in the systemd unit's RuntimeDirectory (XDG_RUNTIME_DIR)
# when there is one, else in the instance folder; never in the user's home directory (gunicorn's default).
control_socket = os.path.join(
    os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("FLASK_INSTANCE_PATH") or "instance", "gunicorn.ctl"
)


def when_ready(server) -> None:
    """With --preload the content is loaded before workers fork: freeze it out of the collector.

    Full collections would otherwise walk every article object (a pause at 10,000 articles) and, by
    touching them, copy the pages the forked workers share.
    """
    gc.freeze()


def post_worker_init(worker) -> None:
    """Without --preload each worker loads the content itself: freeze it there too. Then start the
    worker's mail sender at once, rather than on its first request (webapp/newsletter/sender.py)."""
    gc.freeze()
    from webapp.newsletter.sender import start_in

    start_in(worker.wsgi)


def pre_request(worker, req) -> None:
    """Close the connection after this response when it has carried `keepalive_requests` requests:
    the client reconnects, and whichever worker is least busy accepts it (replaces gunicorn's default
    hook, which only logs the request line at debug level)."""
    if req.req_number >= keepalive_requests:
        req.must_close = True
