"""The request journal: the newest requests per session, bounded, with secrets masked."""
from __future__ import annotations

import threading
from collections import deque

MASK = "****"
# Header names compared lower-case; every secret the seeds' credentials travel in.
SECRET_HEADERS = frozenset({
    "authorization", "x-security-clientsecret", "x-security-token", "client_secret",
    "client-secret", "cookie", "proxy-authorization",
})
# Body fields whose values are secrets wherever they appear (any depth).
SECRET_FIELDS = ("password", "passwd", "secret", "token", "pin", "answer")


def mask_headers(headers) -> dict:
    return {name: (MASK if name.lower() in SECRET_HEADERS else value) for name, value in headers}


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


class Journal:
    def __init__(self, size: int = 1000):
        self.size = max(1, int(size))
        self._entries: dict[str, deque] = {}
        self._lock = threading.Lock()

    def record(self, session: str, entry: dict) -> None:
        with self._lock:
            entries = self._entries.get(session)
            if entries is None:
                entries = self._entries[session] = deque(maxlen=self.size)
            entries.append(entry)

    def entries(self, session: str) -> list[dict]:
        """Newest first."""
        with self._lock:
            return list(reversed(self._entries.get(session, ())))

    def clear(self, session: str) -> None:
        with self._lock:
            self._entries.pop(session, None)
