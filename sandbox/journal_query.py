"""The journal's filters (GET /__sandbox/requests?..., /requests/count?...): parsed once per
admin request into a predicate over raw entries, so only the entries returned are formatted.

Every filter is optional and they combine with AND. An unknown filter, a repeated one or a
malformed value is refused with a message naming the valid ones: a typo must never read as "the
app sent nothing".
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import SandboxError

# name -> what it takes, for the messages.
FILTERS = {
    "operation": "an operation name",
    "method": "an HTTP method",
    "path": "a path, matched exactly",
    "status": "an HTTP status, 100-599",
    "answered_by": "what answered, matched exactly (route, scenario:<name>, error:<code>, "
                   "unmatched...)",
    "since": "a journal entry id: only newer entries",
    "limit": "a whole number: at most that many, newest first",
}
VALID = ", ".join(FILTERS)


@dataclass(frozen=True)
class Query:
    """equal: (raw entry key, value) pairs an entry must all have; since: entry ids above it;
    limit: how many of the newest matching entries to return."""
    equal: tuple[tuple[str, object], ...] = ()
    since: int | None = None
    limit: int | None = None

    def matches(self, raw: dict) -> bool:
        if self.since is not None and raw["id"] <= self.since:
            return False
        return all(raw.get(key) == value for key, value in self.equal)

    __call__ = matches

    @property
    def match(self):
        """The predicate for Journal.entries/count (the Query itself: a journal held in several
        processes sends it to them), or None when nothing is filtered."""
        return self if self.equal or self.since is not None else None


def parse_query(args, operations) -> Query:
    """`args`: the request's query (a werkzeug MultiDict); `operations`: the operation names."""
    unknown = sorted(set(args) - set(FILTERS))
    if unknown:
        raise SandboxError(400, f"Unknown filter {', '.join(unknown)}. Valid filters: {VALID}")
    values = {}
    for name in args:
        given = args.getlist(name)
        if len(given) > 1:
            raise SandboxError(400, f"{name}: give it once (got {len(given)} values). "
                                    f"Valid filters: {VALID}")
        values[name] = given[0]
    equal = []
    if "operation" in values:
        if values["operation"] not in operations:
            raise SandboxError(400, f"operation: unknown operation {values['operation']!r}; "
                                    f"valid: {', '.join(sorted(operations))}")
        equal.append(("operation", values["operation"]))
    if "method" in values:
        method = values["method"].upper()
        if not method.isalpha():
            raise _malformed("method", values["method"])
        equal.append(("method", method))
    if "path" in values:
        equal.append(("path", values["path"]))
    if "status" in values:
        status = _whole(values, "status")
        if not 100 <= status <= 599:
            raise _malformed("status", values["status"])
        equal.append(("status", status))
    if "answered_by" in values:
        equal.append(("answered_by", values["answered_by"]))
    return Query(tuple(equal), _whole(values, "since"), _whole(values, "limit"))


def _whole(values: dict, name: str) -> int | None:
    value = values.get(name)
    if value is None:
        return None
    if not value.isascii() or not value.isdigit():
        raise _malformed(name, value)
    return int(value)


def _malformed(name: str, value: str) -> SandboxError:
    return SandboxError(400, f"{name}: must be {FILTERS[name]} (got {value!r}). "
                             f"Valid filters: {VALID}")
