"""URL converters shared by LeerID's blueprints."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# Row ids are INTEGER columns: 32 bits on PostgreSQL. A larger number in an address is
# no row at all, so the route does not match (404) instead of overflowing the database.
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<id:name>`: a row id, 1 to MAX_ROW_ID; anything else is not found."""

    def __init__(self, map: object, **kwargs: object) -> None:  # noqa: A002 - Werkzeug's name
        super().__init__(map, min=1, max=MAX_ROW_ID)  # type: ignore[arg-type]


def init_app(app: Flask) -> None:
    """Register the converters (before any blueprint uses them)."""
    app.url_map.converters["id"] = RowIdConverter
