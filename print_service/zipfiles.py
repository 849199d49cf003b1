"""Zip archives with fixed member dates, so that equal input gives equal bytes."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path


class FixedDateZip(zipfile.ZipFile):
    """A ZipFile whose members written by name or from a file all carry `date` instead of
    the clock or the file's time (openpyxl writes each worksheet from a temporary file)."""

    def __init__(self, file: object, date: dt.date) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)  # type: ignore[call-overload]
        self._date_time = (max(date.year, 1980), date.month, date.day, 0, 0, 0)

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: str | bytes,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        """Write `data`; a member given by name gets the fixed date and deflate."""
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(  # type: ignore[override]
        self,
        filename: str | Path,
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        """Write the file's bytes as member `arcname` (default: its name), dated `date`."""
        # from_file names the member as ZipFile.write would (no leading "/" or drive).
        name = zipfile.ZipInfo.from_file(filename, arcname).filename
        self.writestr(name, Path(filename).read_bytes(), compress_type, compresslevel)
