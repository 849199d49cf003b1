"""Serve the app with gunicorn, started from the `leerid` command."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    """Gunicorn with options from code instead of a config file or argv."""

    def __init__(
        self,
        options: Mapping[str, Any],
        config: Mapping[str, Any] | None,
        flask_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.options = dict(options)
        self.app_config = config
        self.flask_config = dict(flask_config or {})
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        # Imported here so each worker builds its own app (and its own database pool).
        from . import create_app

        app = create_app(self.app_config)
        app.config.update(self.flask_config)
        settle_heap()
        return app


def settle_heap() -> None:
    """Move every object made so far (modules, the app, its settings and locale data) out
    of the garbage collector's sight, for the life of the process (gc.freeze).

    A request that reads a thousand rows can trigger a full collection, which walks every
    tracked object: without this, some 36 ms over the app's 125,000 objects at start,
    paid by whichever request was unlucky (the Schoolloket's search p95, issue 10).
    Call it once, when the app is built, never per request."""
    gc.collect()
    gc.freeze()


def workers_problem(settings: Mapping[str, Mapping[str, Any]], workers: int) -> str | None:
    """Why `workers` gunicorn workers cannot serve with these settings, or None."""
    if workers > 1 and not settings["throttle"]["redis_url"]:
        # Each worker would keep throttling counters of its own: every limit would be
        # multiplied by the number of workers, and a pupil's delay would depend on which
        # worker answered.
        return (
            f"{workers} workers need shared throttling counters, but throttle.redis_url is "
            "empty. Set it (or LEERID_THROTTLE_REDIS_URL) to a Redis URL, or serve with "
            "--workers 1."
        )
    return None


def serve(
    host: str,
    port: int,
    workers: int,
    config: Mapping[str, Any] | None = None,
    flask_config: Mapping[str, Any] | None = None,
) -> None:
    """Run gunicorn in the foreground until interrupted; `flask_config` is set on each app."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": 4,
        "accesslog": "-",
        "timeout": 60,
        # An app's authorization request in the URL can be long (a state of 4,096
        # characters is carried, idp.oauth.checks): gunicorn's largest request line.
        "limit_request_line": 8190,
        # No runtime control socket: it lives in $HOME and would be shared by instances.
        "control_socket_disable": True,
    }
    _Gunicorn(options, config, flask_config).run()
