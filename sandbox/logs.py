"""The log: one JSON object per line on stdout.

Request lines wait in a list of our own: a write per request is a syscall that also hands the GIL
to another thread, which under load costs more than building the line. Our own list, rather than
stdout's buffer, because PYTHONUNBUFFERED (common in containers and CI) turns that buffer off.

While a server runs, one writer thread (start_writer) writes the list out a few times a second,
at once when it holds PENDING_LINES or an urgent line (anything but "info": errors, reload
events), and at stop. A request thread, or the event loop, only appends: a stdout that takes
nothing (a pipe nobody reads, a stopped terminal) stalls the writer, never a request. While it
stalls, at most MAX_PENDING lines wait; the info lines past that are dropped, counted, and said
in a `log_lines_dropped` warning once stdout takes lines again. Without a writer (the command
line, a server's start-up) a due list is written by whoever made it due.
"""
from __future__ import annotations

import sys
import threading
import time

from .jsonio import dumps

PENDING_LINES = 256
MAX_PENDING = 20_000  # ~4 MB of request lines

_pending: list[str] = []  # lines not yet written
_dropped = 0  # info lines dropped since the last write, with MAX_PENDING waiting
_pending_lock = threading.Lock()  # held only to append or take: never during a write
_write_lock = threading.Lock()  # one write at a time, so lines go out in order
_due = threading.Event()  # the writer's wake-up: a full list or an urgent line
_writer: "Writer | None" = None


def timestamp() -> str:
    """The time of a log line: UTC, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def log_line(record: dict) -> None:
    """One JSON object per line on stdout (see the module's docstring for when)."""
    global _dropped
    line = dumps(record).decode("utf-8") + "\n"
    urgent = record.get("level", "info") != "info"
    with _pending_lock:
        if len(_pending) >= MAX_PENDING and not urgent:
            _dropped += 1
            return
        _pending.append(line)
        due = urgent or len(_pending) >= PENDING_LINES
    if due:
        if _writer is None:
            flush_stdout()
        else:
            _due.set()


def flush_stdout() -> None:
    """Writes every waiting line now, in this thread."""
    global _dropped
    with _write_lock:
        with _pending_lock:
            lines, dropped = _pending[:], _dropped
            _pending.clear()
            _dropped = 0
        if dropped:
            lines.insert(0, dumps({
                "ts": timestamp(), "level": "warning", "event": "log_lines_dropped",
                "count": dropped, "message": f"stdout took no lines for a while (a pipe nobody "
                                             f"reads?): {dropped} request lines were dropped"})
                .decode("utf-8") + "\n")
        if lines:
            sys.stdout.write("".join(lines))
        sys.stdout.flush()


class Writer:
    """The thread that writes the waiting lines every `seconds`, and at once when they are due."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="stdout-writer", daemon=True)

    def _run(self) -> None:
        while not self.stopped:
            _due.wait(self.seconds)
            _due.clear()
            flush_stdout()
        flush_stdout()

    def stop(self, timeout: float = 2.0) -> None:
        """Writes what waits and ends the thread; a stdout that takes nothing for `timeout`
        seconds is given up on, so a stop never hangs on it."""
        global _writer
        _writer = None  # from here on, whoever makes lines due writes them
        self.stopped = True
        _due.set()
        self.thread.join(timeout)


def start_writer(seconds: float = 0.25) -> Writer:
    global _writer
    writer = Writer(seconds)
    _writer = writer
    writer.thread.start()
    return writer
