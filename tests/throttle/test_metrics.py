"""The global alarm's count for the operator: JSON at /throttle/metrics, to this machine only."""

from __future__ import annotations

from dataclasses import replace

import pytest

from idp import create_app
from idp.db import get_database
from idp.throttle import Source, get_throttle


def test_the_operator_reads_the_failures_of_this_minute(app, client):
    throttle = get_throttle()  # another instance on the same counters
    for number in range(3):
        throttle.failed(f"pupil{number}", Source("203.0.113.7", "x", False), known=number > 0)
    response = client.get("/throttle/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "failed_sign_ins_this_minute": 3,
        "alarm_failures_per_minute": 600,
    }
    app.extensions["leerid.throttle"].policy = replace(throttle.policy, alarm_failures_per_minute=2)
    assert client.get("/throttle/metrics").get_json()["alarm_failures_per_minute"] == 2


@pytest.mark.parametrize(
    "request_options",
    [
        {"environ_base": {"REMOTE_ADDR": "203.0.113.7"}},
        {"environ_base": {"REMOTE_ADDR": "10.0.0.5"}},
        # Through a reverse proxy on this machine: the proxy says whom it forwards for.
        {"headers": {"X-Forwarded-For": "203.0.113.7"}},
        {"headers": {"X-Forwarded-For": "127.0.0.1"}},
        {"headers": {"Forwarded": "for=198.51.100.20"}},
        {"headers": {"X-Real-IP": "198.51.100.20"}},
    ],
)
def test_nobody_else_reads_them(client, request_options):
    assert client.get("/throttle/metrics", **request_options).status_code == 404


def test_behind_a_trusted_proxy_the_socket_address_must_be_loopback_too(settings):
    proxied = create_app({**settings, "server": {**settings["server"], "trusted_proxies": 1}})
    client = proxied.test_client()
    outside = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/throttle/metrics", environ_base=outside).status_code == 404
    assert client.get("/throttle/metrics").status_code == 200
    get_database(proxied).engine.dispose()
