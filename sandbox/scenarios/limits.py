"""Every bound on scenario files and their templates, in one place (docs/scenarios.md, "Limits").

A scenario file over a load bound is a `file:line: message` fault (`sandbox check` and the server
alike); a template over a render bound answers a 500 in the route's envelope naming the scenario.
Rendering is bounded three ways, together: a deadline, a budget for the values it builds, and a
cap on what it sends.
"""
from __future__ import annotations

import threading
import time

# -- loading ----------------------------------------------------------------------------------
MAX_FILE_BYTES = 1024 * 1024          # a YAML file in a scenario folder
MAX_YAML_EXPANDED = 4 * 1024 * 1024   # a scenario file with its aliases spelled out (see weigh)
MAX_TEMPLATES_PER_FILE = 1_000        # the strings with {{ {% {# in a scenario file...
MAX_TEMPLATE_TEXT_PER_FILE = 128 * 1024  # ...and their characters, together
MAX_DELAY_MS = 60_000                 # a scenario's delay_ms

# -- rendering --------------------------------------------------------------------------------
RENDER_SECONDS = 1.0                  # one answer's templates, together, in processor time
RENDER_BUDGET = 4 * 1024 * 1024       # what one answer's templates build, in characters (size)
MAX_OUTPUT = 1024 * 1024              # what one answer sends: body, headers, message, in chars
MAX_INT_BITS = 10_000                 # an integer a template computes (about 3000 digits)
MAX_RANGE = 100_000                   # range(): Jinja's own sandbox bound
MAX_FAKE_SIZE = 1_000                 # a fake generator's sizes (length, nb, num_rows...)
MAX_FAKE_TEXT = 1_000                 # a text a fake generator is given (numerify's pattern...)
MAX_SLOW_FILTER_CHARS = 20_000        # the text wordwrap takes (its cost grows with the square)


class LimitExceeded(Exception):
    """A template went over a bound; the message says which and by how much."""


class Budget:
    """One answer's bounds: its deadline, what its templates may still build, and send.

    The deadline is in the rendering thread's processor time, so a busy machine (other threads,
    other processes) does not make a slow template of a good one; the wall clock, cheaper to
    read, says when to look at it."""

    __slots__ = ("seconds", "started", "deadline", "left", "output")

    def __init__(self, seconds: float | None = None):
        self.seconds = RENDER_SECONDS if seconds is None else seconds
        self.started = time.thread_time()
        self.deadline = time.monotonic() + self.seconds
        self.left = RENDER_BUDGET
        self.output = MAX_OUTPUT

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            used = time.thread_time() - self.started
            if used > self.seconds:
                raise LimitExceeded(f"rendering took more than {self.seconds:g} s of processor "
                                    f"time")
            self.deadline = time.monotonic() + self.seconds - used

    def allow(self, estimate: int, what: str) -> None:
        """Refuse, before building it, a value of `estimate` characters the budget cannot hold."""
        if estimate > self.left:
            raise LimitExceeded(f"{what} would build about {estimate} characters, more than is "
                                f"left ({self.left}) of the {RENDER_BUDGET} a response's "
                                f"templates may build")

    def spend(self, value, what: str = "the template") -> None:
        """Charge a value just built, spelled out."""
        self.charge(len(value) if isinstance(value, str) else size(value, self.left), what)

    def charge(self, cost: int, what: str) -> None:
        self.allow(cost, what)
        self.left -= cost

    def send(self, characters: int) -> None:
        self.output -= characters
        if self.output < 0:
            raise LimitExceeded(f"the response is over {MAX_OUTPUT} characters")


_local = threading.local()


def current() -> Budget:
    """The budget of the answer being rendered on this thread (a fresh one outside any)."""
    budget = getattr(_local, "budget", None)
    return budget if budget is not None else Budget()


class rendering:
    """`with rendering():` the templates rendered inside share one Budget (nested: the outer)."""

    def __init__(self, budget: Budget | None = None):
        self.budget = budget

    def __enter__(self) -> Budget:
        self.outer = getattr(_local, "budget", None)
        if self.outer is not None and self.budget is None:
            return self.outer
        _local.budget = self.budget or Budget()
        return _local.budget

    def __exit__(self, *exc) -> None:
        _local.budget = self.outer


# -- sizes ------------------------------------------------------------------------------------
_SCALAR = (int, float, bool, type(None))


def shallow(value) -> int:
    """What a copy of `value` costs itself: its characters, or 2 a slot (a slice, a .copy())."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, dict | list | tuple | set | frozenset):
        return 2 + 2 * len(value)
    return 8


def size(value, limit: int) -> int:
    """About how many characters `value` is as text, containers spelled out (a list holding one
    string 1000 times counts it 1000 times). Stops counting once over `limit`, so it costs at most
    about `limit` steps, whatever the value."""
    kind = type(value)
    if kind is str or kind is bytes:
        return len(value)
    if kind is int:
        return value.bit_length() * 3 // 10 + 1
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, _SCALAR):
        return 8
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item) + 2
        elif isinstance(item, dict | list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            if total > limit:
                return total
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)
        elif type(item) is int:
            total += item.bit_length() * 3 // 10 + 1
        else:
            total += 8
        if total > limit:
            return total
    return total
