"""Demo data for `leerid demo`: schools, pupils, accounts, administrators and a demo app."""

from .app import DemoApp, ensure_demo_app
from .seed import DemoInfo, DemoLogin, seed_demo

__all__ = ["DemoApp", "DemoInfo", "DemoLogin", "ensure_demo_app", "seed_demo"]
