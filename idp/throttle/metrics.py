"""The throttle's numbers for the operator, as JSON, served to this machine only.

A monitoring agent on the server polls `GET /throttle/metrics` on the app's own address
(gunicorn binds 127.0.0.1 behind the reverse proxy). Nobody else may read it: the count of
failures this minute tells an attacker how much room the alarm leaves. So the request must
come straight from a loopback address, with no proxy in between (a request the reverse
proxy forwards carries X-Forwarded-For or Forwarded); anything else gets a plain 404.
"""

from __future__ import annotations

import ipaddress

from flask import Blueprint, Request, abort, jsonify, request
from werkzeug.wrappers import Response

from .extension import get_throttle

blueprint = Blueprint("throttle_metrics", __name__)

_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


@blueprint.get("/throttle/metrics")
def metrics() -> Response:
    """{"failed_sign_ins_this_minute": n, "alarm_failures_per_minute": n}; 404 unless asked
    from this machine."""
    if not from_this_machine(request):
        abort(404)
    throttle = get_throttle()
    response = jsonify(
        failed_sign_ins_this_minute=throttle.failures_this_minute(),
        alarm_failures_per_minute=throttle.policy.alarm_failures_per_minute,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def from_this_machine(asked: Request) -> bool:
    """Whether the request came over loopback, directly, without a proxy in between."""
    if any(name in asked.headers for name in _PROXY_HEADERS):
        return False
    # Behind trusted proxies ProxyFix keeps the socket's own address here.
    original = asked.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
    return _loopback(original or asked.remote_addr) and _loopback(asked.remote_addr)


def _loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False
