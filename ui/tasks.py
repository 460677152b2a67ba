"""Background work: a plain function runs on a single database worker thread; its result or
error is delivered back on the UI thread.

Functions receive a ``Progress`` to report and poll for cancellation; they know nothing of
Qt. Tests may switch to synchronous execution with ``TaskRunner(synchronous=True)``.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class Cancelled(Exception):
    pass


class Progress:
    """Passed to a task: report(done, total, text) and check() for cancellation."""

    def __init__(self, emit: Callable[[int, int, str], None] | None = None) -> None:
        self._emit = emit
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def report(self, done: int, total: int, text: str = "") -> None:
        if self._emit is not None:
            self._emit(done, total, text)


class _Relay(QObject):
    sig_finished = Signal(object)
    sig_failed = Signal(object)
    sig_progress = Signal(int, int, str)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], relay: _Relay, progress: Progress) -> None:
        super().__init__()
        self.fn, self.relay, self.progress = fn, relay, progress

    def run(self) -> None:
        try:
            result = self.fn(self.progress)
        except BaseException as exc:  # workers report their own exceptions
            exc.__dict__.setdefault("formatted", traceback.format_exc())
            self.relay.sig_failed.emit(exc)
        else:
            self.relay.sig_finished.emit(result)


class TaskRunner(QObject):
    """One worker thread: SQLite has a single writer, so database jobs queue behind each other."""

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._relays: set[_Relay] = set()

    def submit(self, fn: Callable[[Progress], Any], on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None],
               on_progress: Callable[[int, int, str], None] | None = None) -> Progress:
        relay = _Relay()
        progress = Progress(relay.sig_progress.emit)
        self._relays.add(relay)

        def finish(result: Any) -> None:
            self._relays.discard(relay)
            on_done(result)

        def fail(exc: BaseException) -> None:
            self._relays.discard(relay)
            on_error(exc)

        relay.sig_finished.connect(finish)
        relay.sig_failed.connect(fail)
        if on_progress is not None:
            relay.sig_progress.connect(on_progress)
        job = _Job(fn, relay, progress)
        if self.synchronous:
            job.run()
        else:
            self.pool.start(job)
        return progress

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)
