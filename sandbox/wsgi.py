"""The outermost layer: request id, CORS, timing, journal and the log line.

It works on the raw WSGI environ and header list instead of Flask hooks, because werkzeug's
Headers and context proxies cost more per request than everything else the sandbox adds; the
journal keeps entries raw and formats (and masks) them only when someone reads it.
"""
from __future__ import annotations

import os
import time

from .logs import log_line, timestamp
from .origins import PUBLIC_PATHS, AdminOrigins
from .journal import sent_body
from .names import (ADMIN_PREFIX, ANSWERED_BY, BODY, OPERATION, REQUEST_ID, RESPONSE, SESSION,
                    SESSION_HEADER)
from .store import DEFAULT_SESSION
from .waits import WAITS

EXPOSED_HEADERS = "X-Request-Id, X-Sandbox-Answered-By"
# Request headers every route takes, whatever its family documents.
COMMON_HEADERS = ("Authorization", "Content-Type", "Accept", SESSION_HEADER)
REQUEST_HEADERS = "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"


class SandboxMiddleware:
    def __init__(self, wsgi_app, sandbox):
        config = sandbox.config
        self.wsgi_app = wsgi_app
        self.journal = sandbox.journal
        rounds = sandbox.round_entries
        self.in_round = rounds.note if rounds is not None else None
        self.metrics = sandbox.metrics  # None in an app built without metrics.register
        self.log_requests = config.log_requests
        self.cors = [("Access-Control-Allow-Origin", config.cors_origin),
                     ("Access-Control-Expose-Headers", EXPOSED_HEADERS)]
        self.admin_origins = AdminOrigins(config.admin_origins)
        self.public = tuple(ADMIN_PREFIX + path for path in PUBLIC_PATHS)
        # A preflight allows every header the browser asks for (an app's own X-Correlation-Id
        # too), as Prism and WireMock do; asked for none, every header a family or a responder
        # documents.
        self.documented = ", ".join(dict.fromkeys([*COMMON_HEADERS,
                                                   *sandbox.documented_headers()]))
        self.preflight = [("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"),
                          ("Access-Control-Max-Age", "600"),
                          ("Vary", "Origin, Access-Control-Request-Headers")]

    def cors_for(self, path: str, environ) -> list:
        """The upstream routes and the public admin routes: every origin. The rest of the admin
        API: its own origin and the configured ones only (origins.py), none for another page."""
        if path[:len(ADMIN_PREFIX)] != ADMIN_PREFIX or path in self.public:
            return self.cors
        origin = environ.get("HTTP_ORIGIN")
        if not origin or not self.admin_origins.allows(environ):
            return []
        return [("Access-Control-Allow-Origin", origin),
                ("Access-Control-Expose-Headers", EXPOSED_HEADERS), ("Vary", "Origin")]

    def __call__(self, environ, start_response):
        # A request parked for a delay runs again when it is due (waits.py): its duration counts
        # from its first run, and a run that parks (Park raised through here) is neither journaled
        # nor logged.
        waits = environ.get(WAITS)
        started = waits.started if waits is not None else time.perf_counter()
        request_id = environ[REQUEST_ID] = os.urandom(8).hex()
        preflight = environ["REQUEST_METHOD"] == "OPTIONS"
        path = environ.get("PATH_INFO", "")
        cors = self.cors_for(path, environ)
        sent = []  # (status line, header list) as given to the server, the last one counts

        def start(status, headers, exc_info=None):
            headers.extend(cors)
            if preflight and cors:
                headers.extend(self.preflight)
                headers.append(("Access-Control-Allow-Headers",
                                environ.get(REQUEST_HEADERS) or self.documented))
            headers.append(("X-Request-Id", request_id))
            headers.append(("X-Sandbox-Answered-By", environ.get(ANSWERED_BY, "route")))
            sent.append((status, headers))
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, start)
        status = int(sent[-1][0][:3]) if sent else 500
        seconds = time.perf_counter() - started
        duration_ms = round(seconds * 1000, 3)
        admin = path.startswith(ADMIN_PREFIX)
        session = environ.get(SESSION, DEFAULT_SESSION)
        raw = None
        if not preflight and not admin:
            raw = raw_entry(environ, request_id, status, duration_ms, sent[-1][1] if sent else [])
            self.journal.record(session, raw)

        def told(answered: bool = True) -> None:
            self.tell(environ, path, session, status if answered else None, seconds)
        # In the loop's round, its line and metrics wait for its end: the loop may yet close
        # its connection without an answer (RoundEntries).
        if self.in_round is None or not self.in_round(session, raw, told):
            told()
        return result

    def tell(self, environ, path: str, session: str, status: int | None, seconds: float) -> None:
        """The request's metrics and log line; `status` None: closed without an answer."""
        answered_by = environ.get(ANSWERED_BY, "route")
        if self.metrics is not None:
            operation = environ.get(OPERATION) or (
                "admin" if path.startswith(ADMIN_PREFIX) else "unmatched")
            self.metrics.observe(operation, "unanswered" if status is None else status,
                                 answered_by, seconds)
        if self.log_requests:
            line = {"ts": timestamp(), "level": "info", "request_id": environ[REQUEST_ID],
                    "method": environ["REQUEST_METHOD"], "path": path, "status": status,
                    "duration_ms": round(seconds * 1000, 3), "session": session,
                    "answered_by": answered_by}
            if status is None:
                line["unanswered"] = True
            log_line(line)


def raw_entry(environ, request_id: str, status: int, duration_ms: float,
              response_headers: list) -> dict:
    """What the journal keeps: cheap to take now (references, a slice); journal.format_entry
    makes it readable. The response is what was sent: the header list the server got and the
    body bytes after every fault and delay."""
    headers = [(key, value) for key, value in environ.items() if key[:5] == "HTTP_"]
    if environ.get("CONTENT_TYPE"):
        headers.append(("CONTENT_TYPE", environ["CONTENT_TYPE"]))
    body, size = sent_body(environ.get(RESPONSE))
    return {"request_id": request_id, "time": time.time(), "method": environ["REQUEST_METHOD"],
            "path": environ.get("PATH_INFO", ""), "query": environ.get("QUERY_STRING", ""),
            "headers": headers, "body": environ.get(BODY),
            "body_size": environ.get("CONTENT_LENGTH") or "", "status": status,
            "operation": environ.get(OPERATION),
            "answered_by": environ.get(ANSWERED_BY, "route"), "duration_ms": duration_ms,
            "response": (response_headers, body, size)}
