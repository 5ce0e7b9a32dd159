"""The served routes closest to a request that matched none, for its 404's "did you mean".

A case typo (`/v1/basicData` for `/v1/BasicData`) matches a route outright when case is ignored,
so that route is named first; otherwise the routes whose path differs from the request's by a few
characters (difflib's alignment, case ignored; an eighth of the path at most), fewest first, each
route's path parameters filled with the request's own segments so that values do not count as
differences; the request's own method wins a tie. Only 404s pay for it, never a served request.
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache

_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
SHOWN = 3  # at most this many suggestions
LONGEST = 512  # a longer path is no typo of a route: not compared, so a 404 stays cheap


def shown(rule: str) -> str:
    """/a/<identserialnum>/b -> /a/{identserialnum}/b, as the docs and OpenAPI write it."""
    return _PARAM.sub(r"{\1}", rule)


def closest_routes(operations, method: str, path: str) -> list[str]:
    """`operations`: objects with .method and .rule (the registry's Operation); answers up to
    SHOWN "METHOD /path" strings, closest first."""
    routes = [(op.method, op.rule) for op in operations]
    same_path = [(m, rule) for m, rule in routes if _pattern(rule).fullmatch(path)]
    if same_path:
        same_path.sort(key=lambda route: route[0] != method.upper())
        return [f"{m} {shown(rule)}" for m, rule in same_path[:SHOWN]]
    if len(path) > LONGEST:
        return []
    wanted, allowed = path.lower(), max(2, len(path) // 8)
    scored = []
    for m, rule in routes:
        edits = _edits(wanted, _filled(rule, path).lower())
        if edits <= allowed:
            scored.append((edits, m != method.upper(), f"{m} {shown(rule)}"))
    return [name for *_, name in sorted(scored)[:SHOWN]]


def _edits(a: str, b: str) -> int:
    """How many characters differ between two texts, by difflib's alignment: a typo costs one
    or two, whatever the length of the path around it."""
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2
               in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
               if tag != "equal")


@lru_cache(maxsize=1024)
def _pattern(rule: str) -> re.Pattern:
    parts = _PARAM.split(rule)
    # split() alternates literal text and parameter names: literals escaped, names any segment.
    regex = "".join(re.escape(part) if index % 2 == 0 else "[^/]+"
                    for index, part in enumerate(parts))
    return re.compile(regex, re.IGNORECASE)


def _filled(rule: str, path: str) -> str:
    """The rule with each parameter segment replaced by the request's segment at that place,
    where both have as many segments; else the rule as written."""
    rule_parts, path_parts = rule.split("/"), path.split("/")
    if len(rule_parts) != len(path_parts):
        return rule
    return "/".join(given if _PARAM.fullmatch(part) else part
                    for part, given in zip(rule_parts, path_parts))
