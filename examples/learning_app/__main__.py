"""`python -m examples.learning_app`: serve Rekenrally with the settings from the environment."""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.serving import make_server

from . import create_app, settings_from_env


def main() -> None:
    """Serve until interrupted, on the host and port of REKENRALLY_APP_URL."""
    settings = settings_from_env()
    app = create_app(
        settings.issuer,
        settings.client_id,
        settings.client_secret,
        settings.app_url,
        response_mode=settings.response_mode,
    )
    address = urlsplit(settings.app_url)
    print(f"Rekenrally: {settings.app_url}  (Ctrl+C stopt)", flush=True)
    server = make_server(address.hostname or "127.0.0.1", address.port or 80, app, threaded=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
