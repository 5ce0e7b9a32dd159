"""Each session's position in each scenario that has a `sequence:` (docs/scenarios.md).

A position is a record of the session's store layer (kind SEQUENCE_KIND, keyed by the scenario's
name): a reset drops it, with --state PATH it survives a restart, and it lives wherever the
store keeps records. It counts the requests the scenario answered, bounded (past the last step
it stays there, or wraps for `then: cycle`), and is advanced under the store's lock, so two
requests of one session never take the same step.
"""
from __future__ import annotations

from ..waits import once

SEQUENCE_KIND = "_sequence"


def served(store, session: str, scenario) -> int:
    record = store.get(session, SEQUENCE_KIND, scenario.name)
    return record["served"] if record else 0


def step(store, session: str, scenario) -> int | None:
    """The index of the step the session's next request gets (None: not a sequence)."""
    if scenario is None or scenario.sequence is None:
        return None
    return scenario.step_at(served(store, session, scenario))


def restart(store, session: str, scenario) -> None:
    if scenario is not None and scenario.sequence is not None:
        store.put(session, SEQUENCE_KIND, scenario.name, {"served": 0})


def take_step(store, session: str, scenario, environ):
    """The step this request gets (a Response, or None for the route), advancing the session's
    position once per request (a parked request's later runs take the same step)."""
    index = once(environ, ("sequence", scenario.name),
                 lambda: scenario.step_at(_advance(store, session, scenario)))
    return scenario.sequence[index] if index < len(scenario.sequence) else None


def _advance(store, session: str, scenario) -> int:
    """The count before this request; the count after it is stored, kept within the steps."""
    count = len(scenario.sequence)
    with store.lock:
        before = served(store, session, scenario)
        after = (before + 1) % count if scenario.then == "cycle" else min(before + 1, count)
        if after != before:
            store.put(session, SEQUENCE_KIND, scenario.name, {"served": after})
    return before
