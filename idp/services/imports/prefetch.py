"""Read and check the next batches in a helper thread while the database writes this one.

Parsing is pure Python and the database is another process: overlapping them is most of
what a 2-core machine can gain. At most `depth` batches wait, so memory stays bounded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from queue import Empty, Full, Queue
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = object()
_POLL_SECONDS = 0.05


@contextmanager
def prefetched(items: Iterable[T], depth: int = 2) -> Iterator[Iterator[T]]:
    """Iterate `items` ahead in a thread; leaving the block stops and joins the thread."""
    queue: Queue[tuple[Any, BaseException | None]] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[Any, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=_POLL_SECONDS)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_DONE, None))
        except BaseException as error:  # handed to the consumer, which re-raises it
            put((_DONE, error))

    def consume() -> Iterator[T]:
        while True:
            item, error = queue.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item

    thread = threading.Thread(target=produce, name="leerid-import-reader", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        while thread.is_alive():
            try:
                queue.get(timeout=_POLL_SECONDS)
            except Empty:
                pass
        thread.join()
