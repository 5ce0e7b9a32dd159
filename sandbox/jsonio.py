"""JSON out. orjson encodes the bodies routes answer (a 4 KB cooperative member, say) about ten
times faster than the standard library; the standard library takes over for what orjson refuses
(integers beyond 64 bits, non-string keys), so every value the routes produce still encodes.

Requests are parsed with the standard library (http.read_json): orjson reads very large integers
as floats, which would change what validation sees."""
from __future__ import annotations

import json

import orjson


def dumps(value) -> bytes:
    """Compact UTF-8 JSON; anything not JSON-native (dates, say) as its str()."""
    try:
        return orjson.dumps(value, default=str)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (a journaled body): escaped, still JSON
        return json.dumps(value, separators=(",", ":"), default=str).encode("ascii")
