"""Demo data for `leerid demo`: schools, pupils, accounts and administrators to try."""

from .seed import DemoInfo, DemoLogin, seed_demo

__all__ = ["DemoInfo", "DemoLogin", "seed_demo"]
