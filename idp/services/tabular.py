"""Read CSV and XLSX files row by row, streaming, so a file of a million rows stays cheap.

CSV: UTF-8 (with or without BOM) or Windows-1252 as Excel writes it, `;`, `,` or tab
separated (chosen from the header line). XLSX: the first worksheet, read-only.
Row numbers are the ones a spreadsheet shows: the header is row 1, blank rows count.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import os
import unicodedata
import warnings
import zipfile
from collections.abc import Generator, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

Source = str | os.PathLike[str] | IO[bytes]
"""A path, or a binary file object (ideally with a `name` or `filename`)."""

TEXT_EXTENSIONS = (".csv", ".txt")
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_DELIMITERS = (";", ",", "\t")


class TableError(Exception):
    """The file cannot be read as a table; `code` (and `params`) say why, for the report."""

    def __init__(self, code: str, line: int | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.line = line
        self.params = params


@dataclass(frozen=True, slots=True)
class Row:
    """One non-blank row: its number as a spreadsheet shows it, and its cell values."""

    line: int
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    """An open table: the header row (None for an empty file) and an iterator of data rows."""

    name: str
    header: Row | None
    rows: Iterator[Row]


def source_name(source: Source) -> str:
    """The file name (without directories) to show in reports."""
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    name = getattr(source, "filename", None) or getattr(source, "name", None)
    return Path(name).name if isinstance(name, str) else ""


@contextmanager
def open_table(source: Source) -> Iterator[Table]:
    """Open a CSV or XLSX source; raises TableError for unreadable or unsupported files."""
    name = source_name(source)
    extension = Path(name).suffix.lower()
    if extension and extension not in TEXT_EXTENSIONS + WORKBOOK_EXTENSIONS:
        raise TableError("unsupported_extension", extension=extension)
    with ExitStack() as stack:
        if isinstance(source, str | os.PathLike):
            try:
                stream: IO[bytes] = stack.enter_context(open(source, "rb"))
            except FileNotFoundError:
                raise TableError("missing_file", file=os.fspath(source)) from None
            except OSError:
                raise TableError("unreadable_file") from None
        else:
            stream = source
        # The content decides over the name: a workbook renamed to .csv is still a workbook.
        is_workbook = extension in WORKBOOK_EXTENSIONS or _peek(stream) == _ZIP_MAGIC
        records = _xlsx_records(stream) if is_workbook else _csv_records(stream)
        stack.callback(records.close)
        rows = _non_blank(records)
        yield Table(name=name, header=next(rows, None), rows=rows)


def _peek(stream: IO[bytes]) -> bytes:
    if not stream.seekable():
        return b""
    position = stream.tell()
    head = stream.read(len(_ZIP_MAGIC))
    stream.seek(position)
    return head


def _non_blank(records: Iterable[tuple[int, tuple[Any, ...]]]) -> Iterator[Row]:
    for line, values in records:
        # Nearly every row starts with a filled text cell; only the others need a closer look.
        first = values[0] if values else None
        if (first.__class__ is str and first and not first.isspace()) or any(
            cell_text(value) for value in values
        ):
            yield Row(line, values)


def _csv_records(stream: IO[bytes]) -> Generator[tuple[int, tuple[Any, ...]], None, None]:
    lines = _decoded_lines(stream)
    first = next(lines, None)
    if first is None:
        return
    delimiter = max(_DELIMITERS, key=first.count)
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    try:
        for line, record in enumerate(reader, start=1):
            yield line, tuple(record)
    except csv.Error:
        raise TableError("unreadable_file", line=reader.line_num) from None


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _decoded_lines(stream: IO[bytes]) -> Iterator[str]:
    """Decode line by line: UTF-8 until a byte proves the file is Windows-1252.

    Both agree on ASCII, so switching at the first invalid UTF-8 line is safe as long as
    nothing non-ASCII was decoded before; after that the file would mix two encodings.
    """
    encoding, settled = "utf-8", False
    for number, raw in enumerate(stream, start=1):
        if number == 1:
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise TableError("utf16_file")
            if raw.startswith(codecs.BOM_UTF8):
                raw, settled = raw[len(codecs.BOM_UTF8) :], True
        if encoding == "utf-8":
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                if settled:
                    raise TableError("bad_encoding", line=number) from None
                encoding = "cp1252"
            else:
                settled = settled or not raw.isascii()
                yield text
                continue
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError:
            raise TableError("bad_encoding", line=number) from None


def _xlsx_records(stream: IO[bytes]) -> Generator[tuple[int, tuple[Any, ...]], None, None]:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; data is unaffected.
            warnings.simplefilter("ignore", UserWarning)
            book = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise TableError("unreadable_file") from None
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        # Dimensions written by other tools are sometimes wrong and would cut off columns.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        line = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except (zipfile.BadZipFile, KeyError, OSError, ValueError):
                raise TableError("unreadable_file", line=line + 1) from None
            line += 1
            yield line, tuple(values)
    finally:
        book.close()


def cell_text(value: Any) -> str:
    """A cell as trimmed text: whole numbers without `.0`, dates as yyyy-mm-dd, NFC."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        return text if text.isascii() else unicodedata.normalize("NFC", text)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def header_key(value: Any) -> str:
    """A header as compared: case, surrounding spaces, BOM and `_` versus space ignored."""
    text = cell_text(value).replace("\ufeff", "").replace("_", " ")
    return " ".join(text.split()).casefold()
