"""Reading requests: the JSON body, parsed once per request however many pieces ask for it (the
magic-number check, scenario matching and templates, the route itself, the journal)."""
from __future__ import annotations

import hmac
import json
import re

import orjson
from flask import Request, g
from werkzeug.exceptions import ClientDisconnected

from .errors import SandboxError, field_path

# A JSON escape of a UTF-16 surrogate (\ud800-\udfff): JSON allows it, but alone it is no
# character, and nothing can store or answer it.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# orjson reads an integer past 64 bits as a float, where json.loads keeps it whole: a run of 19
# digits is looked for as a run of 19 zeros once every digit is one (3 us on a BCS create, where
# a regular expression took 57).
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19
# json.loads refuses a deep body (RecursionError: 400) where orjson reads 1,024 levels; a body with
# fewer brackets than this is shallower than either limit.
FAST_MOST_BRACKETS = 256
NOT_FAST = object()  # fast_json's "json.loads decides"
# The environ key of what the round's hook (server.LoopDispatcher) made of the body with
# fast_json, so that the app does not parse it twice.
ROUND_BODY = "sandbox.round_body"


def fast_json(raw: bytes):
    """orjson's reading of `raw` where it is the one json.loads gives (a BCS create's body: 24 us
    with the checks, not 45), else NOT_FAST: where orjson would read it differently or refuse
    it (NaN, a BOM, a lone surrogate, a long integer), json.loads decides and words the error."""
    if (raw.count(b"[") + raw.count(b"{") > FAST_MOST_BRACKETS
            or _LONG_DIGITS in raw.translate(_DIGITS_AS_ZERO)):
        return NOT_FAST
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return NOT_FAST


class SandboxRequest(Request):
    """Flask's request, whose body is read straight from the server's buffer where its length
    is known and within the limit: werkzeug's stream wrapper cost 19 us a BCS create's 2.3 KB
    (this, 4). Anything else (no length, a body over the limit: 413) is werkzeug's own path."""

    def get_data(self, cache: bool = True, as_text: bool = False,
                 parse_form_data: bool = False):
        if "_cached_data" not in self.__dict__ and "stream" not in self.__dict__ and (
                cache and not parse_form_data):
            length, limit = self.environ.get("CONTENT_LENGTH", ""), self.max_content_length
            size = int(length) if length.isdigit() else None
            if size is not None and (limit is None or size <= limit):
                data = self.environ["wsgi.input"].read(size)
                if len(data) != size:
                    raise ClientDisconnected()  # as werkzeug's stream says a short body
                self._cached_data = data
        return super().get_data(cache, as_text, parse_form_data)


def parse_json(request: Request):
    """The request's JSON value, or a SandboxError naming what is wrong with it.

    Kept on `g.json_body` after the first parse: later callers, and the journal, reuse it.
    """
    if "json_body" in g:
        return g.json_body
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        shown = request.content_type or "none"
        raise SandboxError(415, f"Content-Type must be application/json (got {shown})")
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise SandboxError(400, "The request body is empty: a JSON object is required")
    body = request.environ.get(ROUND_BODY, NOT_FAST)
    if body is NOT_FAST:
        body = fast_json(raw)
    if body is NOT_FAST:
        body = _slow_json(raw)
    if _SURROGATE_ESCAPE.search(raw):
        where = lone_surrogate(body)
        if where is not None:
            raise SandboxError(400, f"{field_path(where)}: a lone UTF-16 surrogate (\\ud800-"
                                    f"\\udfff) is not a character")
    g.json_body = body
    return body


def _slow_json(raw: bytes):
    """json.loads's reading of `raw`, or the SandboxError that says what is wrong with it."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SandboxError(400, f"Malformed JSON: {exc.msg} at line {exc.lineno} "
                                f"column {exc.colno}") from None
    except ValueError:  # bytes that are not UTF-8
        raise SandboxError(400, "Malformed JSON: the body is not valid UTF-8") from None
    except RecursionError:
        raise SandboxError(400, "Malformed JSON: nested too deeply") from None


def lone_surrogate(value, keys: tuple = ()) -> tuple | None:
    """The path of the first key or string that holds a lone surrogate, or None."""
    if isinstance(value, str):
        return keys if _has_surrogate(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _has_surrogate(key):
                return keys + (key.encode("utf-8", "backslashreplace").decode(),)
            found = lone_surrogate(item, keys + (key,))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = lone_surrogate(item, keys + (index,))
            if found is not None:
                return found
    return None


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_json(request: Request) -> dict:
    """The request's JSON object, or a SandboxError naming what is wrong with it (415 on another
    content type, 400 on an empty, malformed or non-object body)."""
    body = parse_json(request)
    if not isinstance(body, dict):
        raise SandboxError(400, "The request body must be a JSON object")
    return body


def json_or_none(request: Request):
    """The request's JSON value, or None when it has no readable one: for code that only looks
    (identification numbers, scenario matches, templates) and leaves refusing it to the route.
    A body over the size limit still raises its 413."""
    try:
        return parse_json(request)
    except SandboxError:
        return None


def credentials_match(*pairs: tuple[str, str]) -> bool:
    """Whether every (given, expected) pair is equal, each compared in constant time and all of
    them every time, so how long a refusal takes says nothing about which one was wrong."""
    results = [hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
               for given, expected in pairs]
    return all(results)
