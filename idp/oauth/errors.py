"""Error descriptions an OAuth error may carry.

RFC 6749 §5.2 allows only %x20-21 / %x23-5B / %x5D-7E in `error_description`, and Authlib
raises ValueError (a 500) for anything else: text from a request or from another library
goes through `describable` first.
"""

from __future__ import annotations


def describable(text: str) -> str:
    """`text` without the characters an error description may not hold."""
    return "".join(c for c in text if 0x20 <= ord(c) <= 0x7E and c not in '"\\')
