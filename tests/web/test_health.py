"""The liveness route load balancers poll."""


def test_healthz_answers_ok_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.data == b"ok\n"
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_is_get_only(client):
    assert client.post("/healthz").status_code == 405
