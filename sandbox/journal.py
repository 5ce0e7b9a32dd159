"""The request journal: the newest requests per session, bounded, with secrets masked.

Entries are recorded raw (see wsgi.raw_entry) and formatted only when read, so keeping a journal
costs the request path almost nothing.
"""
from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict, deque
from urllib.parse import parse_qsl

MASK = "****"
# Header names compared lower-case with dashes; every secret the seeds' credentials travel in.
SECRET_HEADERS = frozenset({
    "authorization", "x-security-clientsecret", "x-security-token", "client-secret",
    "cookie", "proxy-authorization",
})
# Body fields whose values are secrets wherever they appear (any depth).
SECRET_FIELDS = ("password", "passwd", "secret", "token", "pin", "answer")


def header_name(environ_key: str) -> str:
    """HTTP_X_SECURITY_TOKEN -> X-Security-Token (the environ has lost the original case)."""
    name = environ_key[5:] if environ_key.startswith("HTTP_") else environ_key
    return "-".join(part.capitalize() for part in name.split("_"))


def mask_headers(headers) -> dict:
    return {name: (MASK if name.lower().replace("_", "-") in SECRET_HEADERS else value)
            for name, value in headers}


def _is_secret_field(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_FIELDS)


def mask_body(value):
    """A copy of a parsed JSON body with every secret-named field's value masked."""
    if isinstance(value, dict):
        return {k: (MASK if _is_secret_field(k) and v not in (None, "") else mask_body(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask_body(v) for v in value]
    return value


def mask_query(query: str) -> dict:
    """The query string as a dict, secret-named parameters (client_secret, token...) masked."""
    return {k: (MASK if _is_secret_field(k) and v else v)
            for k, v in parse_qsl(query, keep_blank_values=True)}


def _readable_body(body):
    if isinstance(body, (bytes, bytearray)):
        if not body:
            return None
        try:
            return mask_body(json.loads(body))
        except ValueError:
            return body.decode("utf-8", "replace")
    return mask_body(body)


def format_entry(raw: dict) -> dict:
    return {
        "id": raw["id"],
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(raw["time"]))
                + f".{int(raw['time'] * 1000) % 1000:03d}Z",
        "method": raw["method"],
        "path": raw["path"],
        "query": mask_query(raw["query"]),
        "headers": mask_headers((header_name(k), v) for k, v in raw["headers"]),
        "body": _readable_body(raw["body"]),
        "status": raw["status"],
        "answered_by": raw["answered_by"],
        "duration_ms": raw["duration_ms"],
    }


class Journal:
    """`size` newest requests per session, for at most `sessions` sessions: a test run that uses
    a fresh session id every time must not grow the server's memory without end, so the session
    written to least recently is dropped first."""

    def __init__(self, size: int = 1000, sessions: int = 256):
        self.size = max(1, int(size))
        self.max_sessions = max(1, int(sessions))
        self._entries: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def record(self, session: str, raw: dict) -> None:
        with self._lock:
            entries = self._entries.get(session)
            if entries is None:
                entries = self._entries[session] = deque(maxlen=self.size)
                if len(self._entries) > self.max_sessions:
                    self._entries.popitem(last=False)
            else:
                self._entries.move_to_end(session)
            entries.append(raw)

    def entries(self, session: str) -> list[dict]:
        """Newest first, formatted and masked."""
        with self._lock:
            raws = list(self._entries.get(session, ()))
        return [format_entry(raw) for raw in reversed(raws)]

    def clear(self, session: str) -> None:
        with self._lock:
            self._entries.pop(session, None)
