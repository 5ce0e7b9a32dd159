"""The log: one JSON object per line on stdout."""
from __future__ import annotations

import sys
import threading
import time

from .jsonio import dumps

_stdout_lock = threading.Lock()
_pending: list[str] = []  # request log lines not yet written
PENDING_LINES = 256


def timestamp() -> str:
    """The time of a log line: UTC, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def log_line(record: dict) -> None:
    """One JSON object per line on stdout.

    Request lines wait in a list of our own: a write per request is a syscall that also hands the
    GIL to another thread, which under load costs more than building the line. Our own list,
    rather than stdout's buffer, because PYTHONUNBUFFERED (common in containers and CI) turns that
    buffer off. The server writes the list out a few times a second and when it stops
    (server.flush_stdout_every), and whenever it holds PENDING_LINES; anything but an "info" line
    (errors, reload events) goes out at once, after the lines before it."""
    line = dumps(record).decode("utf-8") + "\n"
    with _stdout_lock:
        _pending.append(line)
        if len(_pending) >= PENDING_LINES or record.get("level", "info") != "info":
            _write_pending()


def flush_stdout() -> None:
    with _stdout_lock:
        _write_pending()


def _write_pending() -> None:
    if _pending:
        sys.stdout.write("".join(_pending))
        _pending.clear()
    sys.stdout.flush()
