"""The request journal: the newest requests per session and what they were answered, bounded,
with secrets masked.

Entries are recorded raw (see wsgi.raw_entry: the request's and the response's bytes, status and
header lists) and parsed, masked and formatted only when read, so keeping a journal costs the
request path almost nothing. The interface is small on purpose (record, entries, count, clear),
so that another store can hold it: Redis (journal_redis.py), or the sibling workers of a
`--workers N` sandbox (journal_workers.py), which send raw entries in their wire form
(encode_raw / decode_raw).
"""
from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import OrderedDict, deque
from urllib.parse import parse_qsl

import orjson

MASK = "****"
# Header names compared lower-case with dashes: the common ones; each family adds those its own
# credentials travel in (Family.secret_headers). A header whose name reads as a secret field's
# (X-Auth-Token, X-Api-Key) is masked too.
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
# The sandbox's own response headers, kept though a name reads as a secret's ("answer").
KEPT_HEADERS = frozenset({"x-sandbox-answered-by"})
# A field (body, query, form, header) is a secret when its name contains one of these, in
# English or Spanish, at any depth...
SECRET_FIELDS = ("password", "passwd", "passphrase", "secret", "token", "answer", "credential",
                 "apikey", "api_key", "api-key", "clave", "contrasena", "contraseña")
# ...or has one of these short ones as a word of its own (camelCase, snake_case or dashes):
# "pin" and "otp" as words, so that "shipping" and "footprint" are kept.
SECRET_WORDS = frozenset({"pin", "nip", "pwd", "otp", "cvv", "cvv2", "cvc", "pass"})
VERDICTS_KEPT = 10_000
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_WORD = re.compile(r"[a-z0-9ñ]+")
# `name=value` or `"name": value` in a body that is not JSON (form-encoded, text, broken JSON).
# A name starts where a run of name characters starts (the lookbehind), and nothing gives back
# what it took (possessive): a long run with no `=` in it is read once, not once per character
# (quadratic: a 64 KiB text body took a minute to mask, and the journal read with it).
_RAW_PAIR = re.compile(r'(?<![\w.\-\[\]ñÑ])(?P<name>[\w.\-\[\]ñÑ]++)(?P<sep>"?\s*+[=:]\s*+"?)'
                       r'(?P<value>[^&\s,;"}]*+)')


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
        # Verdicts by name: a journal read asks about the same few hundred field names for every
        # entry (a /cliente answer has ~200), and each verdict is a scan and two regexes.
        self._verdicts: dict[str, bool] = {}

    def mask_headers(self, headers) -> dict:
        return {name: (MASK if self.is_secret_header(name) else value) for name, value in headers}

    def is_secret_header(self, name: str) -> bool:
        lowered = name.lower().replace("_", "-")
        if lowered in KEPT_HEADERS:
            return False
        return lowered in self.headers or self.is_secret_field(name)

    def is_secret_field(self, name: str) -> bool:
        verdict = self._verdicts.get(name)
        if verdict is None:
            if len(self._verdicts) >= VERDICTS_KEPT:  # names a client made up: start over
                self._verdicts.clear()
            verdict = self._verdicts[name] = self._reads_as_secret(name)
        return verdict

    def _reads_as_secret(self, name: str) -> bool:
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


# Bodies are kept up to this many bytes each, the request's and the response's.
BODY_LIMIT = 64 * 1024
# What HTTP never sends a body with, whatever the app built (werkzeug sends none either).
_NO_BODY = frozenset({204, 304})


def format_entry(raw: dict, masks: Masks) -> dict:
    return {
        "id": raw["id"],
        "request_id": raw["request_id"],
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(raw["time"]))
                + f".{int(raw['time'] * 1000) % 1000:03d}Z",
        "method": raw["method"],
        "path": raw["path"],
        "query": masks.mask_query(raw["query"]),
        "headers": masks.mask_headers((header_name(k), v) for k, v in raw["headers"]),
        "body": masks.readable_body(raw["body"]),
        **_truncated(raw["body"], raw.get("body_size")),
        "operation": raw.get("operation"),
        "status": raw["status"],
        "answered_by": raw["answered_by"],
        "duration_ms": raw["duration_ms"],
        "response": format_response(raw, masks),
        **({"unanswered": raw["unanswered"]} if "unanswered" in raw else {}),
    }


def format_response(raw: dict, masks: Masks) -> dict | None:
    """What the client was sent: status, headers, body (JSON where it parses, else text)."""
    sent = raw.get("response")
    if sent is None:
        return None
    headers, body, size = sent
    if raw["method"] == "HEAD" or raw["status"] in _NO_BODY or raw["status"] < 200:
        body, size = None, 0
    return {"status": raw["status"], "headers": masks.mask_headers(headers),
            "body": masks.readable_body(body) if body is not None else None,
            **_truncated(body, size)}


def sent_body(response) -> tuple[bytes | None, int]:
    """The bytes a werkzeug response holds (cut at BODY_LIMIT) and their full length, taken
    without copying when they fit; (None, 0) for a streamed body, which is never read here."""
    chunks = getattr(response, "response", None)
    if not isinstance(chunks, (list, tuple)):
        return None, 0
    if len(chunks) == 1 and isinstance(chunks[0], bytes):
        body = chunks[0]
    else:
        body = b"".join(c.encode("utf-8") if isinstance(c, str) else c for c in chunks)
    return body[:BODY_LIMIT], len(body)


def _truncated(body, size) -> dict:
    """A body that was cut says so, and how large it was."""
    if isinstance(body, (bytes, bytearray)) and str(size).isdigit() and int(size) > len(body):
        return {"body_truncated": True, "body_size": int(size)}
    return {}


# What an entry costs besides its bodies (both header lists, path, the dicts), for the budget.
ENTRY_OVERHEAD = 1536


def _cost(raw: dict) -> int:
    body = raw.get("body")
    sent = raw.get("response")
    return (ENTRY_OVERHEAD + (len(body) if isinstance(body, (bytes, bytearray)) else 0)
            + (len(sent[1]) if sent is not None and sent[1] is not None else 0))


# What the entry of a request the loop closed without an answer says (RoundEntries).
UNANSWERED = ("the state refused the writes of the round this request was served in (a full "
              "disk, Redis gone or its lock lost): its connection was closed without an answer")


def mark_unanswered(raw: dict) -> dict:
    """A raw entry as the request it records was left: nothing sent (no status, no response)."""
    raw["status"], raw["response"], raw["unanswered"] = None, None, UNANSWERED
    return raw


class RoundEntries:
    """The requests of the event loop's round, in order (their journal entries, and what tells
    their log lines and metrics), and which of them came from the first that wrote on. Where
    the state refuses the round's writes, the loop closes those requests' connections without
    an answer (server.LoopDispatcher), so their entries must say so, not show the answers they
    never got; their lines and metrics wait for the round's end to say the same. `batches()`:
    the store's count of write batches (store.lock.batches); a request wrote where it moved
    since the request before, the loop's own rule for the requests it leaves unanswered."""

    def __init__(self, batches):
        self._batches = batches
        self._thread = None  # the loop's, during its round
        self._held: list[tuple] = []  # (session, raw entry or None, told(answered))
        self._first_write = None
        self._last = 0

    def begin(self) -> None:
        self._thread = threading.get_ident()
        self._held, self._first_write, self._last = [], None, self._batches()

    def note(self, session: str, raw: dict | None, told) -> bool:
        """Holds the request's `told` for the round's end; False where the request is not the
        loop round's (a worker thread's, answered on its own): it tells now."""
        if self._thread != threading.get_ident():
            return False
        now = self._batches()
        if now != self._last and self._first_write is None:
            self._first_write = len(self._held)
        self._last = now
        self._held.append((session, raw, told))
        return True

    def end(self, refused: bool) -> list[tuple[str, dict]]:
        """The round is over: each request tells its line and metrics, answered or not; returns
        the (session, raw entry) of the journaled requests it left unanswered."""
        held, first = self._held, self._first_write
        self._thread, self._held = None, []
        cut = first if refused and first is not None else len(held)
        for at, (_, _, told) in enumerate(held):
            told(at < cut)
        return [(session, raw) for session, raw, _ in held[cut:] if raw is not None]


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
        self._ids = itertools.count(1)  # entry ids: increasing in this process, across sessions

    def record(self, session: str, raw: dict) -> None:
        with self._lock:
            raw["id"] = next(self._ids)
            entries = self._entries.get(session)
            if entries is None:
                entries = self._entries[session] = deque()
                if len(self._entries) > self.max_sessions:
                    self._drop_session(next(iter(self._entries)))
            else:
                self._entries.move_to_end(session)
            if len(entries) >= self.size:
                self.bytes -= entries.popleft()["cost"]
            raw["cost"] = cost = _cost(raw)  # weighed once, not again on its way out
            entries.append(raw)
            self.bytes += cost
            while self.bytes > self.max_bytes:
                self._drop_oldest()

    def unanswered(self, entries: list[tuple[str, dict]]) -> None:
        """The entries (RoundEntries.end) of requests whose connections were closed without an
        answer say so. An entry is weighed as it was recorded (its cost stays what the budget
        counted, whether it is still kept or not)."""
        with self._lock:
            for _, raw in entries:
                mark_unanswered(raw)

    def _drop_oldest(self) -> None:
        session, entries = next(iter(self._entries.items()))
        self.bytes -= entries.popleft()["cost"]
        if not entries:
            del self._entries[session]

    def _drop_session(self, session: str) -> None:
        self.bytes -= sum(raw["cost"] for raw in self._entries.pop(session, ()))

    def entries(self, session: str, match=None, limit: int | None = None,
                skipped: list | None = None) -> list[dict]:
        """Newest first, formatted and masked; only those `match(raw)` accepts, at most
        `limit`. Only the entries returned are formatted. A journal held in several places
        adds to `skipped` a note for each place it could not read."""
        chosen = self._matching(session, match, skipped)
        return [format_entry(raw, self.masks) for raw in chosen[:limit]]

    def count(self, session: str, match=None, skipped: list | None = None) -> int:
        return len(self._matching(session, match, skipped))

    def _matching(self, session: str, match, skipped) -> list[dict]:
        raws = self._raws(session, skipped)
        raws.reverse()
        return raws if match is None else [raw for raw in raws if match(raw)]

    def _raws(self, session: str, skipped: list | None = None) -> list[dict]:
        """The session's raw entries, oldest first (a shared journal reads them elsewhere)."""
        return self.own_raws(session)

    def own_raws(self, session: str) -> list[dict]:
        """The entries this process recorded, oldest first."""
        with self._lock:
            return list(self._entries.get(session, ()))

    def clear(self, session: str, skipped: list | None = None) -> None:
        """Empties the session's journal (a reset), wherever it is held."""
        self.clear_own(session)

    def clear_own(self, session: str) -> None:
        with self._lock:
            self._drop_session(session)

    def forget(self, session: str) -> None:
        """An idle session expired here (sessions.py): as a reset, unless the journal is held in
        processes that each decide their own sessions' expiry (journal_workers.py)."""
        self.clear(session)

    def close(self) -> None:
        """What a journal held elsewhere releases when the process stops (nothing, here)."""

    def stats(self) -> tuple[int, int]:
        """(entries kept, what they cost in bytes), every session's together (metrics.py)."""
        with self._lock:
            return sum(map(len, self._entries.values())), self.bytes


class ClockIds:
    """Entry ids of a journal several processes share (--workers): microseconds since the
    epoch, increasing in this process, rounded up to `index` modulo `count` (so the `count`
    workers of one run never give the same id). `shared`: each worker's last id, in memory the
    workers share (journal_workers.Peers); an id is above all of them, so a clock stepped back
    (NTP) cannot give an entry recorded after another worker's a lower id, which a client
    polling with `since` would never see. Called under the recording journal's lock."""

    def __init__(self, index: int = 0, count: int = 1, shared=None):
        self.index, self.count, self.last, self.shared = index, count, 0, shared

    def __next__(self) -> int:
        now = max(time.time_ns() // 1000, self.last + 1)
        shared = self.shared
        if shared is not None:
            now = max(now, max(shared) + 1)
        self.last = now + (self.index - now) % self.count
        if shared is not None:
            shared[self.index] = self.last
        return self.last


def encode_raw(raw: dict) -> bytes:
    """A raw entry as JSON, for a journal held in another process."""
    return orjson.dumps(wire_form(raw))


def wire_form(raw: dict) -> dict:
    """A raw entry as orjson can write it. orjson has no bytes: bytes values (bodies) travel as
    latin-1 text, their keys listed; the response's body (raw["response"]: headers, body,
    size) too."""
    response = raw.get("response")
    if response is not None and isinstance(response[1], (bytes, bytearray)):
        raw = {**raw, "response": [response[0], response[1].decode("latin-1"), response[2]],
               "_response_bytes": True}
    binary = [k for k, v in raw.items() if isinstance(v, (bytes, bytearray))]
    if not binary:
        return raw
    return {**raw, **{k: raw[k].decode("latin-1") for k in binary}, "_bytes": binary}


def decode_raw(data) -> dict:
    """encode_raw's JSON (bytes, or already parsed) as the raw entry it was."""
    raw = orjson.loads(data) if isinstance(data, (bytes, bytearray, str)) else data
    for key in raw.pop("_bytes", ()):
        raw[key] = raw[key].encode("latin-1")
    if raw.pop("_response_bytes", False):
        headers, body, size = raw["response"]
        raw["response"] = (headers, body.encode("latin-1"), size)
    return raw
