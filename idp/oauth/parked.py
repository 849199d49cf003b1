"""An authorization request read back from where it waited (idp.interactions), in the shape
Authlib validates: the same checks run on it as on the request when it first arrived."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request
from werkzeug.datastructures import ImmutableMultiDict


class ParkedPayload(OAuth2Payload):
    """The stored (name, value) pairs: `data` has each name's first value, `datalist` all."""

    def __init__(self, parameters: Sequence[tuple[str, str]]) -> None:
        self._values = ImmutableMultiDict(list(parameters))

    @property
    def data(self) -> ImmutableMultiDict[str, str]:
        return self._values

    @property
    def datalist(self) -> defaultdict[str, list[Any]]:
        values: defaultdict[str, list[Any]] = defaultdict(list)
        for name, value in self._values.items(multi=True):
            values[name].append(value)
        return values


class ParkedRequest(OAuth2Request):
    """A waiting authorization request, resumed at `uri` (the authorization endpoint)."""

    def __init__(self, uri: str, parameters: Sequence[tuple[str, str]]) -> None:
        super().__init__("GET", uri)
        self.payload = ParkedPayload(parameters)

    @property
    def args(self) -> ImmutableMultiDict[str, str]:
        return self.payload.data

    @property
    def form(self) -> ImmutableMultiDict[str, str]:
        return ImmutableMultiDict()
