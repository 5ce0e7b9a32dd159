"""One identification rule for every BCS route (seed 004): which document types exist, how a type
may be written, how long a number may be, what each type's number may hold, and the catalog row
each fault answers on each route (scenarios/data/bcs_identification.yaml).

Every route that takes an identification asks `check` (a type and a number from the path, query
or body), `check_mnemonic` (type letters + number in one string) or `normalised_body` (the
identifications a body carries). So the same identifier gets the same answer everywhere, and
POST customer stores only what the reads accept, in the seed's words ("C.C." is stored as CC).
"""
from __future__ import annotations

import functools
import re
from typing import NamedTuple

from ...resources import shipped_data

DATA_FILE = "data/bcs_identification.yaml"
DIGITS = re.compile(r"[0-9]+")
LETTERS_AND_DIGITS = re.compile(r"[0-9A-Za-z]+")
# What clients write around a type's letters: "C.C.", " cc ".
TYPE_MARKS = re.compile(r"[.\s]")
# A mnemonic: the type's letters (marks allowed), then the number.
MNEMONIC = re.compile(r"([A-Za-z.\s]*)(.*)", re.DOTALL)
# DIAN's weights for a NIT's check digit, from the rightmost digit of the 9-digit base.
NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
IDENT_KEYS = ("govIssueIdentType", "identSerialNum")


class Ident(NamedTuple):
    type: str | None  # the seed's code (CC, NI...), None where the request names no type
    number: str


class Fault(NamedTuple):
    kind: str    # a key of the data file's `faults`
    detail: str  # what exactly is wrong, naming the field


@functools.lru_cache(maxsize=1)
def rules() -> dict:
    return shipped_data(DATA_FILE)


def types() -> dict:
    return rules()["types"]


def normal_type(value) -> str:
    """"c.c." -> "CC", "TI" -> "IT": the seed's code; an unknown type upper-cased, marks dropped."""
    text = TYPE_MARKS.sub("", str(value or "")).upper()
    return rules()["aliases"].get(text, text)


def route_rule(operation) -> dict:
    name = getattr(operation, "name", operation)
    return rules()["routes"].get(name, {"type": "required"})


# -- the rule --------------------------------------------------------------------------------------
def fault_of(route: dict, ident_type, number, fields: tuple[str, str]) -> Fault | None:
    """What is wrong with a type and number on a route, or None. fields: how the request names
    them, for the message."""
    type_field, number_field = fields
    code = normal_type(ident_type)
    if not code:
        if route["type"] == "required":
            return Fault("missing", type_field)
        kind = route.get("untyped", "digits")
    elif code not in types():
        return Fault("unknown_type", f"{type_field} {str(ident_type).strip()!r} is not one of "
                                     f"{', '.join(types())}")
    else:
        kind = types()[code]
    return number_fault(kind, str(number if number is not None else "").strip(), number_field)


def number_fault(kind: str, number: str, field: str) -> Fault | None:
    limit = rules()["max_length"]
    if not number:
        return Fault("missing", field)
    if len(number) > limit:
        return Fault("too_long", f"{field} {number!r}: {len(number)} characters, at most {limit}")
    if kind == "alphanumeric":
        if LETTERS_AND_DIGITS.fullmatch(number):
            return None
        return Fault("bad_characters", f"{field} {number!r}: letters and digits only")
    if not DIGITS.fullmatch(number):
        return Fault("not_numeric", f"{field} {number!r} is not numeric")
    return nit_fault(number, field) if kind == "nit" else None


def nit_fault(number: str, field: str) -> Fault | None:
    if len(number) not in (9, 10):
        return Fault("nit_size", f"{field} {number!r}: {len(number)} digits, a NIT has 9 "
                                 f"(10 with its check digit)")
    expected = nit_check_digit(number[:9])
    if len(number) == 10 and expected != int(number[9]):
        return Fault("nit_check", f"{field} {number!r}: expected {number[:9]}{expected}")
    return None


def nit_check_digit(base: str) -> int:
    total = sum(int(d) * w for d, w in zip(reversed(base), NIT_WEIGHTS))
    rest = total % 11
    return rest if rest < 2 else 11 - rest


# -- what the routes call --------------------------------------------------------------------------
def fail(catalog, operation, fault: Fault):
    """The route's catalog row for the fault (its own table's, else the family's)."""
    spec = route_rule(operation).get("faults", {}).get(fault.kind) or rules()["faults"][fault.kind]
    return catalog.fail(spec, operation, fault.detail)


def check(catalog, operation, ident_type, number,
          fields: tuple[str, str] = IDENT_KEYS) -> Ident:
    """The identification in the seed's words, or the route's catalog error for its fault."""
    found = fault_of(route_rule(operation), ident_type, number, fields)
    if found is not None:
        raise fail(catalog, operation, found)
    return Ident(normal_type(ident_type) or None, str(number).strip())


def parse_mnemonic(text) -> tuple[str, str] | None:
    """"CC1234567890" -> ("CC", "1234567890"); "c.c. 123" -> ("CC", "123"); "PAAB12" -> ("PA",
    "AB12") (a known type is the prefix, so a passport number may start with letters); "XX12" ->
    ("XX", "12"). None without type letters or without a number."""
    letters, rest = MNEMONIC.match(str(text or "").strip()).groups()
    letters = TYPE_MARKS.sub("", letters).upper()
    known = sorted([*types(), *rules()["aliases"]], key=len, reverse=True)
    code = next((c for c in known if letters.startswith(c)), letters)
    number = (letters[len(code):] + rest).strip()
    if not code or not number:
        return None
    return normal_type(code), number


def check_mnemonic(catalog, operation, mnemonic, field: str = "mnemonic") -> Ident:
    text = str(mnemonic if mnemonic is not None else "").strip()
    if not text:
        raise fail(catalog, operation, Fault("missing", field))
    parsed = parse_mnemonic(text)
    if parsed is None:
        raise fail(catalog, operation, Fault("malformed", f"{field} {text!r}: expected the "
                                                          f"identification type and number, "
                                                          f"e.g. CC1234567890"))
    return check(catalog, operation, *parsed, (f"{field} type", f"{field} number"))


def normalised_body(catalog, operation, body: dict) -> dict:
    """The body with each identification the route's `bodies` names checked and written in the
    seed's words (a new dict; the request's is not changed). An optional one is checked when the
    request gives it a type or a number."""
    for path, need in route_rule(operation).get("bodies", {}).items():
        ident = _at(body, path)
        if not isinstance(ident, dict):
            continue
        if need == "optional" and not any(str(ident.get(k) or "").strip() for k in IDENT_KEYS):
            continue
        found = check(catalog, operation, ident.get(IDENT_KEYS[0]), ident.get(IDENT_KEYS[1]),
                      (f"{path}.{IDENT_KEYS[0]}", f"{path}.{IDENT_KEYS[1]}"))
        body = _with(body, path.split("."), {**ident, IDENT_KEYS[0]: found.type,
                                             IDENT_KEYS[1]: found.number})
    return body


def _at(node, path: str):
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _with(node: dict, keys: list[str], value) -> dict:
    head, *rest = keys
    return {**node, head: _with(node[head], rest, value) if rest else value}
