"""The request journal: the newest requests per session, bounded, with secrets masked.

Entries are recorded raw (see wsgi.raw_entry) and formatted only when read, so keeping a journal
costs the request path almost nothing.
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict, deque
from urllib.parse import parse_qsl

MASK = "****"
# Header names compared lower-case with dashes: the common ones; each family adds those its own
# credentials travel in (Family.secret_headers). A header whose name reads as a secret field's
# (X-Auth-Token, X-Api-Key) is masked too.
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
# A field (body, query, form, header) is a secret when its name contains one of these, in
# English or Spanish, at any depth...
SECRET_FIELDS = ("password", "passwd", "passphrase", "secret", "token", "answer", "credential",
                 "apikey", "api_key", "api-key", "clave", "contrasena", "contraseña")
# ...or has one of these short ones as a word of its own (camelCase, snake_case or dashes):
# "pin" and "otp" as words, so that "shipping" and "footprint" are kept.
SECRET_WORDS = frozenset({"pin", "nip", "pwd", "otp", "cvv", "cvv2", "cvc", "pass"})
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_WORD = re.compile(r"[a-z0-9ñ]+")
# `name=value` or `"name": value` in a body that is not JSON (form-encoded, text, broken JSON).
_RAW_PAIR = re.compile(r'(?P<name>[\w.\-\[\]ñÑ]+)(?P<sep>"?\s*[=:]\s*"?)(?P<value>[^&\s,;"}]*)')


def header_name(environ_key: str) -> str:
    """HTTP_X_SECURITY_TOKEN -> X-Security-Token (the environ has lost the original case)."""
    name = environ_key[5:] if environ_key.startswith("HTTP_") else environ_key
    return "-".join(part.capitalize() for part in name.split("_"))


class Masks:
    """What the journal hides: secret headers by name, secret body and query fields by a word
    their name contains."""

    def __init__(self, headers=(), fields=()):
        self.headers = SECRET_HEADERS | {name.lower().replace("_", "-") for name in headers}
        self.fields = tuple(dict.fromkeys((*SECRET_FIELDS, *(f.lower() for f in fields))))

    def mask_headers(self, headers) -> dict:
        return {name: (MASK if name.lower().replace("_", "-") in self.headers
                       or self.is_secret_field(name) else value)
                for name, value in headers}

    def is_secret_field(self, name: str) -> bool:
        lowered = name.lower()
        if any(word in lowered for word in self.fields):
            return True
        return not SECRET_WORDS.isdisjoint(_WORD.findall(_CAMEL.sub(r"\1 \2", name).lower()))

    def mask_text(self, text: str) -> str:
        """A body that is not JSON, with the value of every secret-named `name=value` masked."""
        def hide(match):
            if not self.is_secret_field(match["name"]) or not match["value"]:
                return match[0]
            return match["name"] + match["sep"] + MASK
        return _RAW_PAIR.sub(hide, text)

    def mask_body(self, value):
        """A copy of a parsed JSON body with every secret-named field's value masked."""
        if isinstance(value, dict):
            return {k: (MASK if self.is_secret_field(k) and v not in (None, "")
                        else self.mask_body(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mask_body(v) for v in value]
        return value

    def mask_query(self, query: str) -> dict:
        """The query string as a dict, secret-named parameters (client_secret...) masked."""
        return {k: (MASK if self.is_secret_field(k) and v else v)
                for k, v in parse_qsl(query, keep_blank_values=True)}

    def readable_body(self, body):
        if isinstance(body, (bytes, bytearray)):
            if not body:
                return None
            try:
                return self.mask_body(json.loads(body))
            except (ValueError, RecursionError):  # not JSON, or nested past the parser
                return self.mask_text(body.decode("utf-8", "replace"))
        return self.mask_body(body)


def format_entry(raw: dict, masks: Masks) -> dict:
    return {
        "id": raw["id"],
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(raw["time"]))
                + f".{int(raw['time'] * 1000) % 1000:03d}Z",
        "method": raw["method"],
        "path": raw["path"],
        "query": masks.mask_query(raw["query"]),
        "headers": masks.mask_headers((header_name(k), v) for k, v in raw["headers"]),
        "body": masks.readable_body(raw["body"]),
        **_truncated(raw),
        "status": raw["status"],
        "answered_by": raw["answered_by"],
        "duration_ms": raw["duration_ms"],
    }


def _truncated(raw: dict) -> dict:
    """An entry whose body was cut says so, and how large it was."""
    body, size = raw.get("body"), raw.get("body_size")
    if isinstance(body, (bytes, bytearray)) and str(size).isdigit() and int(size) > len(body):
        return {"body_truncated": True, "body_size": int(size)}
    return {}


# What an entry costs besides its body (headers, path, the dict itself), for the memory budget.
ENTRY_OVERHEAD = 1024


def _cost(raw: dict) -> int:
    body = raw.get("body")
    return ENTRY_OVERHEAD + (len(body) if isinstance(body, (bytes, bytearray)) else 0)


class Journal:
    """`size` newest requests per session, for at most `sessions` sessions, in at most
    `max_bytes` of memory in all: a test run that uses a fresh session id every time, or sends
    large bodies, must not grow the server's memory without end, so the entries of the session
    written to least recently go first."""

    def __init__(self, size: int = 1000, sessions: int = 256, secret_headers=(), secret_fields=(),
                 max_bytes: int = 64 * 1024 * 1024):
        self.masks = Masks(secret_headers, secret_fields)
        self.size = max(1, int(size))
        self.max_sessions = max(1, int(sessions))
        self.max_bytes = max(ENTRY_OVERHEAD, int(max_bytes))
        self.bytes = 0  # what the kept entries cost, by _cost
        self._entries: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def record(self, session: str, raw: dict) -> None:
        with self._lock:
            entries = self._entries.get(session)
            if entries is None:
                entries = self._entries[session] = deque()
                if len(self._entries) > self.max_sessions:
                    self._drop_session(next(iter(self._entries)))
            else:
                self._entries.move_to_end(session)
            if len(entries) >= self.size:
                self.bytes -= _cost(entries.popleft())
            entries.append(raw)
            self.bytes += _cost(raw)
            while self.bytes > self.max_bytes:
                self._drop_oldest()

    def _drop_oldest(self) -> None:
        session, entries = next(iter(self._entries.items()))
        self.bytes -= _cost(entries.popleft())
        if not entries:
            del self._entries[session]

    def _drop_session(self, session: str) -> None:
        self.bytes -= sum(map(_cost, self._entries.pop(session, ())))

    def entries(self, session: str) -> list[dict]:
        """Newest first, formatted and masked."""
        with self._lock:
            raws = list(self._entries.get(session, ()))
        return [format_entry(raw, self.masks) for raw in reversed(raws)]

    def clear(self, session: str) -> None:
        with self._lock:
            self._drop_session(session)

    def stats(self) -> tuple[int, int]:
        """(entries kept, what they cost in bytes), every session's together (metrics.py)."""
        with self._lock:
            return sum(map(len, self._entries.values())), self.bytes
