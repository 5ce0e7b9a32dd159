"""Waits that hold no thread: a delay parks its request with the server instead of sleeping.

A request that must wait (`X-Sandbox-Delay`, a scenario's `delay_ms`) calls `wait(environ, ms)`
where it would have slept. Under the sandbox's own server (server.py puts a `Waits` in the
environ), that raises `Park`: the app unwinds without an answer, the server keeps the request
and, once the time is up, runs it again from the start. On that run every wait the request had
asked for is already served and returns at once, so the request goes on to its next wait or to
its answer: the credentials, the order of choice and the answer are all decided as they would
have been after a sleep, and the answer is computed when it is due. Elsewhere (Flask's test
client) `wait` sleeps.
"""
from __future__ import annotations

import time
from typing import Callable

WAITS = "sandbox.waits"  # environ key: the request's Waits, where the server can park it
_DUE = "sandbox.waits.due"  # environ key: the waits asked for so far on this run, in ms


class Park(BaseException):
    """Raised out of the app to have the server hold the request `seconds`, then run it again.

    A BaseException, like KeyboardInterrupt, so that neither Flask's error handlers nor
    waitress's turn it into an answer: it reaches the server's channel untouched, and the
    request context is popped on the way out."""

    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


class Waits:
    """What one request has waited, kept by the server across the runs of a parked request.

    waited_ms: the waits already served. started: when the request's first run began (the
    journal's and the log line's duration count from there)."""

    __slots__ = ("waited_ms", "started", "kept")

    def __init__(self):
        self.waited_ms = 0
        self.started = time.perf_counter()
        self.kept = None  # once()'s values, by key


def wait(environ, millis: int) -> None:
    """Holds the request `millis` milliseconds, after the waits it already asked for."""
    waits = environ.get(WAITS)
    if waits is None:
        time.sleep(millis / 1000)
        return
    due = environ.get(_DUE, 0) + millis
    environ[_DUE] = due
    if due > waits.waited_ms:
        owed, waits.waited_ms = due - waits.waited_ms, due
        raise Park(owed / 1000)


def once(environ, key, compute: Callable[[], object]):
    """compute()'s value for this request, computed on its first run only: a parked request's
    later runs get the same value (a sequence's step taken, a chaos pick), so a delay never
    takes a second step or pick. Without a server keeping the request, computed each call."""
    waits = environ.get(WAITS)
    if waits is None:
        return compute()
    kept = waits.kept
    if kept is None:
        kept = waits.kept = {}
    if key not in kept:
        kept[key] = compute()
    return kept[key]


def started(environ) -> float | None:
    """When the request's first run began, or None where no server keeps it."""
    waits = environ.get(WAITS)
    return waits.started if waits is not None else None
