"""The app's settings: from arguments (tests, `leerid demo`) or from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

RESPONSE_MODES = ("form_post", "query")


@dataclass(frozen=True)
class Settings:
    """Where LeerID is, who this app is there, and where this app itself is served."""

    issuer: str
    client_id: str
    client_secret: str
    app_url: str = "http://127.0.0.1:5001"
    response_mode: str = "form_post"

    def __post_init__(self) -> None:
        if self.response_mode not in RESPONSE_MODES:
            raise ValueError(f"response_mode must be one of {', '.join(RESPONSE_MODES)}")
        # Exact strings: the issuer is compared with `iss`, the URLs with the registration.
        object.__setattr__(self, "issuer", self.issuer.rstrip("/"))
        object.__setattr__(self, "app_url", self.app_url.rstrip("/"))


def settings_from_env(environ: Mapping[str, str] = os.environ) -> Settings:
    """Read the REKENRALLY_* variables (ISSUER, CLIENT_ID, CLIENT_SECRET, APP_URL, ...)."""
    required = ("REKENRALLY_ISSUER", "REKENRALLY_CLIENT_ID", "REKENRALLY_CLIENT_SECRET")
    missing = [name for name in required if not environ.get(name)]
    if missing:
        raise SystemExit(f"set the environment variable(s) {', '.join(missing)}")
    return Settings(
        issuer=environ["REKENRALLY_ISSUER"],
        client_id=environ["REKENRALLY_CLIENT_ID"],
        client_secret=environ["REKENRALLY_CLIENT_SECRET"],
        app_url=environ.get("REKENRALLY_APP_URL", Settings.app_url),
        response_mode=environ.get("REKENRALLY_RESPONSE_MODE", Settings.response_mode),
    )
