"""Pages for faults the pupil cannot fix: said kindly, logged for the operator."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def _counters_unreachable(error: RedisError) -> tuple[str, int]:
    # Without the shared counters no sign-in can be throttled, and weak passwords are safe
    # only behind throttling: refuse (fail closed) rather than let guesses through.
    log.error("throttling counters unreachable, sign-ins refused: %s", error)
    return render_template("unavailable.html"), 503


def init_app(app: Flask) -> None:
    """Register the error pages."""
    app.register_error_handler(RedisError, _counters_unreachable)
