"""Apps served on 127.0.0.1 by real HTTP servers, for tests that need a real client: Node's
openid-client, an HTTP client following redirects, or Chromium.

The fixtures that use these (`serve_live`, `live_leerid`, `app_server`) are in
tests/conftest.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


@dataclass
class Live:
    """An app served on 127.0.0.1 by a real HTTP server."""

    url: str
    app: Flask


class _Dispatch:
    """A WSGI app whose target is set once the port is known (addresses need it)."""

    app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


def serve(build: Callable[[str], Flask]) -> tuple[Live, BaseWSGIServer]:
    """Serve the app built by `build(url)` on a free port; the caller shuts the server down."""
    dispatch = _Dispatch()
    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    dispatch.app = build(url)
    # A short poll interval keeps shutdown (at teardown) quick.
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return Live(url, dispatch.app), server


@dataclass
class AppServer:
    """What an app runs besides its pages: its key set and its back-channel logout endpoint."""

    base: str
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    logouts: list[str] = field(default_factory=list)

    @property
    def backchannel_uri(self) -> str:
        """Where LeerID posts logout tokens."""
        return f"{self.base}/backchannel"

    @property
    def jwks_uri(self) -> str:
        """Where LeerID fetches the app's public keys (private_key_jwt)."""
        return f"{self.base}/jwks"


def serve_app_server() -> tuple[AppServer, HTTPServer]:
    """Start an AppServer on a free port; the caller shuts the server down."""
    state = AppServer(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            body = json.dumps(state.jwks).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers["Content-Length"])
            form = parse_qs(self.rfile.read(length).decode())
            state.logouts.extend(form.get("logout_token", []))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
