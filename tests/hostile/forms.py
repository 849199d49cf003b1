"""The forms a page renders, read from its HTML as a browser would submit them."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass(frozen=True)
class Field:
    """One named control: an input, a button, a select or a text area."""

    name: str
    value: str
    kind: str  # the input type, "button", "select" or "textarea"

    @property
    def is_button(self) -> bool:
        return self.kind in ("button", "submit", "image")


@dataclass
class Form:
    """A form: where it goes, how, and its named controls in document order."""

    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def names(self) -> list[str]:
        """Each control name once, in document order."""
        return list(dict.fromkeys(f.name for f in self.fields))

    def submission(self, values: dict[str, str]) -> list[tuple[str, str]]:
        """What a browser sends when the first named button is pressed, with `values`
        (by name) instead of what the page filled in; a button named in `values` is
        pressed instead."""
        pressed = next((f.name for f in self.fields if f.is_button and f.name in values), None)
        if pressed is None:
            pressed = next((f.name for f in self.fields if f.is_button), None)
        pairs: list[tuple[str, str]] = []
        for name in self.names():
            controls = [f for f in self.fields if f.name == name]
            if controls[0].is_button and name != pressed:
                continue
            pairs.append((name, values.get(name, controls[0].value)))
        return pairs


class _Parser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            split = urlsplit(action)
            path = split.path + ("?" + split.query if split.query else "")
            self._form = Form(path, (a.get("method") or "get").upper())
            self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            if tag == "option" and self._form is not None and self._select is not None:
                self._option(a)
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind != "file":
                self._form.fields.append(Field(name, a.get("value", ""), kind))
        elif tag == "button":
            kind = (a.get("type") or "submit").lower()
            if kind == "submit":
                self._form.fields.append(Field(name, a.get("value", ""), "button"))
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self._text = []

    def _option(self, a: dict[str, str]) -> None:
        assert self._form is not None and self._select is not None
        chosen = [f for f in self._form.fields if f.name == self._select]
        if not chosen or "selected" in a:
            self._form.fields = [f for f in self._form.fields if f.name != self._select]
            self._form.fields.append(Field(self._select, a.get("value", ""), "select"))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._form is not None and self._textarea is not None:
            self._form.fields.append(Field(self._textarea, "".join(self._text), "textarea"))
            self._textarea = None


def forms_of(html: str, page_url: str) -> list[Form]:
    """The forms of a page at `page_url` (a path with its query), actions made absolute
    paths; forms without named controls are left out."""
    parser = _Parser(page_url)
    parser.feed(html)
    return [form for form in parser.forms if form.fields]
