"""A scenario's `match:` conditions, compiled at load.

Match regexes run on RE2 (google-re2), whose matching time grows linearly with the text:
a pattern such as `(a+)+$`, which Python's `re` takes exponential time on against 'a'*40+'b',
cannot freeze a thread of the server whatever a request sends. RE2 has no lookaround and no
backreferences; a pattern using them is refused at load (check and serve alike), saying so."""
from __future__ import annotations

import re

import re2

from .model import Condition
from .yamlfile import LineDict

MATCH_KEYS = ("headers", "query", "body", "path")

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the refusal is ours to word; RE2 would also print it on stderr


def compile_regex(pattern: str):
    """(compiled, None), or (None, why it is refused)."""
    try:
        re.compile(pattern)  # Python's messages name the position of a plain syntax error
    except re.error as exc:
        return None, str(exc)
    try:
        return re2.compile(pattern, options=_OPTIONS), None
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(
            exc.args[0], bytes) else str(exc)
        return None, (f"{reason}: match regexes run on RE2, which matches in linear time and "
                      f"has no lookaround or backreferences (docs/scenarios.md)")


def conditions_of(match, line: int, check) -> list[Condition]:
    """The `match:` mapping's conditions; faults go to `check.fail(line, message)`."""
    if match is None:
        return []
    if not isinstance(match, LineDict):
        check.fail(line, "`match` must be a mapping of headers / query / body")
        return []
    conditions = []
    for where, wanted in match.items():
        where_line = match.line_of(where)
        if where not in MATCH_KEYS:
            check.fail(where_line, f"unknown match key {where!r} (use {', '.join(MATCH_KEYS)})")
            continue
        if not isinstance(wanted, LineDict):
            check.fail(where_line, f"`match.{where}` must be a mapping of name: value")
            continue
        for key, expected in wanted.items():
            key = str(key)
            key_line = wanted.line_of(key)
            path = tuple(key.split(".")) if where == "body" else (key.lower() if where == "headers"
                                                                    else key,)
            if isinstance(expected, dict):
                if set(expected) != {"regex"} or not isinstance(expected["regex"], str):
                    check.fail(key_line, f"`match.{where}.{key}` must be a value or {{regex: ...}}")
                    continue
                regex, problem = compile_regex(expected["regex"])
                if problem:
                    check.fail(key_line, f"bad regex for `match.{where}.{key}`: {problem}")
                    continue
                conditions.append(Condition(where, key, path, regex=regex))
            elif isinstance(expected, list):
                check.fail(key_line, f"`match.{where}.{key}` must be a value or {{regex: ...}}")
            else:
                conditions.append(Condition(where, key, path, expected=expected))
    return conditions
