"""gunicorn.conf.py on a real gunicorn: a keep-alive connection is closed after `keepalive_requests`
requests, with `Connection: close` on its last response, so a client's connections spread over the
workers again (after a worker is recycled they would otherwise all sit on the one still running)."""

import http.client
import importlib.util
import subprocess
from pathlib import Path

import pytest
from liveserver import start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]


def conf():
    """gunicorn.conf.py as a module (its settings and hooks)."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    env = {"FLASK_SECRET_KEY": "gunicorn-conf-test-" + "0123456789abcdef" * 2}
    process, url = start_server(instance, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield url
    stop_server(process)


def test_a_connection_is_closed_after_keepalive_requests_requests(server):
    limit = conf().keepalive_requests
    assert 10 <= limit <= 1000  # a handshake per `limit` requests: rare enough to cost nothing measurable
    connection = http.client.HTTPConnection(server.removeprefix("http://"), timeout=10)
    try:
        sockets = set()
        for number in range(1, limit + 1):
            connection.request("GET", "/static/css/site.css")
            response = connection.getresponse()
            response.read()
            if number < limit:
                sockets.add(id(connection.sock))
            assert response.status == 200
            expected = "close" if number == limit else "keep-alive"
            assert response.getheader("Connection") == expected, number
        assert len(sockets) == 1  # every request before the last reused the one connection
        assert connection.sock is None  # http.client closed it, as the server asked
        connection.request("GET", "/static/css/site.css")  # the next request opens a new connection
        response = connection.getresponse()
        response.read()
        assert response.status == 200 and response.getheader("Connection") == "keep-alive"
    finally:
        connection.close()


def test_the_hook_leaves_a_shorter_connection_open():
    module = conf()

    class Request:
        must_close = False

        def __init__(self, number):
            self.req_number = number

    early, last = Request(1), Request(module.keepalive_requests)
    module.pre_request(None, early)
    module.pre_request(None, last)
    assert not early.must_close and last.must_close
