"""A fake camera for Chromium: a Y4M video that shows a QR code, as a pupil holds up a card."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import qrcode
from playwright.sync_api import Page, Playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEFAULT_CONTEXT, TIMEOUT_MS

WIDTH, HEIGHT, MODULE = 640, 480, 8


def card_video(path: Path, text: str, frames: int = 10) -> Path:
    """Write a short greyscale Y4M video of the QR code for `text` (Chromium loops it)."""
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix) * MODULE
    if size > min(WIDTH, HEIGHT):
        raise ValueError("the QR code does not fit the frame")
    left, top = (WIDTH - size) // 2, (HEIGHT - size) // 2
    luma = bytearray(b"\xff" * (WIDTH * HEIGHT))
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if not dark:
                continue
            for y in range(top + row * MODULE, top + (row + 1) * MODULE):
                start = y * WIDTH + left + column * MODULE
                luma[start : start + MODULE] = b"\x00" * MODULE
    # 4:2:0 chroma planes at 128: no colour.
    chroma = b"\x80" * (WIDTH * HEIGHT // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n")
            video.write(bytes(luma))
            video.write(chroma)
    return path


@contextmanager
def camera_page(
    playwright: Playwright, video: Path, origin: str, problems: list[str]
) -> Iterator[Page]:
    """A page in a Chromium of its own whose camera shows `video`, allowed at `origin`;
    page errors and Content-Security-Policy reports go to `problems`."""
    camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + camera)
    try:
        context = chromium.new_context(**DEFAULT_CONTEXT)
        context.set_default_timeout(TIMEOUT_MS)
        context.grant_permissions(["camera"], origin=origin)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and problems.append(message.text)
            ),
        )
        yield page
    finally:
        chromium.close()
