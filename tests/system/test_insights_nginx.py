"""The shipped nginx config and the insights beacons: every beacon reaches the app (never a cached
answer, even when the app's answer looked cacheable) and a big body is refused before it does."""

from test_deploy_config import StubApp, deployed, nginx_bin, request  # noqa: F401 - fixtures


def test_beacons_always_reach_the_app(deployed):  # noqa: F811 - the fixture imported above
    StubApp.hits.clear()
    for _ in range(2):
        request(deployed, "POST", "/insights/events", {"Content-Type": "application/json"})
        request(deployed, "GET", "/insights/events")
    assert StubApp.hits == [("POST", "/insights/events"), ("GET", "/insights/events")] * 2


def test_a_beacon_body_over_4_kb_stops_at_nginx(deployed):  # noqa: F811
    StubApp.hits.clear()
    response = request(deployed, "POST", "/insights/events", {"Content-Length": "5000"})
    assert response.status == 413 and StubApp.hits == []
