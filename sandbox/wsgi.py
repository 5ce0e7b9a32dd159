"""The outermost layer: request id, CORS, timing, journal and the log line.

It works on the raw WSGI environ and header list instead of Flask hooks, because werkzeug's
Headers and context proxies cost more per request than everything else the sandbox adds; the
journal keeps entries raw and formats (and masks) them only when someone reads it.
"""
from __future__ import annotations

import os
import sys
import threading
import time

from .jsonio import dumps
from .store import DEFAULT_SESSION

ADMIN_PREFIX = "/__sandbox"
EXPOSED_HEADERS = "X-Request-Id, X-Sandbox-Answered-By"
# Every request header the seeds document (plus ours), allowed in CORS preflights.
DOCUMENTED_HEADERS = ", ".join([
    "Authorization", "Content-Type", "Accept",
    "X-Security-ClientID", "X-Security-ClientSecret", "X-Security-Token", "X-Security-CustLoginIdSi",
    "client_id", "client_secret",
    "X-Invoker-BranchId", "X-Invoker-TerminalId", "X-Invoker-Component", "X-Invoker-UserIPAddress",
    "X-Invoker-ServerIPAddress", "X-Invoker-UserMACAddress", "X-Invoker-ServerMACAddress",
    "X-Invoker-ProcessDate", "X-Invoker-TxId", "X-Invoker-SessionKey", "X-Invoker-Source",
    "X-Invoker-Country", "X-Invoker-ProcessBpmId", "X-Invoker-ProcessId", "X-Invoker-Network",
    "X-Invoker-subChannel", "X-Invoker-User", "X-Invoker-Action", "X-Invoker-Destination",
    "X-Invoker-ModifierUser", "X-Invoker-ReferencedNumber", "X-Invoker-RequestNumber",
    "X-Invoker-CustId", "X-Invoker-RequestId", "X-Invoker-Request-Id",
    "X-Sandbox-Error", "X-Sandbox-Scenario", "X-Sandbox-Delay", "X-Sandbox-Session",
])

# The header that picks a request's session, and its WSGI environ key.
SESSION_HEADER = "X-Sandbox-Session"
SESSION_KEY = "HTTP_X_SANDBOX_SESSION"

# environ keys the Flask side fills in for this layer
REQUEST_ID = "sandbox.request_id"
ANSWERED_BY = "sandbox.answered_by"
SESSION = "sandbox.session"
BODY = "sandbox.body"


_stdout_lock = threading.Lock()
_pending: list[str] = []  # request log lines not yet written
PENDING_LINES = 256


def timestamp() -> str:
    """The time of a log line: UTC, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def log_line(record: dict) -> None:
    """One JSON object per line on stdout.

    Request lines wait in a list of our own: a write per request is a syscall that also hands the
    GIL to another thread, which under load costs more than building the line. Our own list,
    rather than stdout's buffer, because PYTHONUNBUFFERED (common in containers and CI) turns that
    buffer off. The server writes the list out a few times a second and when it stops
    (server.flush_stdout_every), and whenever it holds PENDING_LINES; anything but an "info" line
    (errors, reload events) goes out at once, after the lines before it."""
    line = dumps(record).decode("utf-8") + "\n"
    with _stdout_lock:
        _pending.append(line)
        if len(_pending) >= PENDING_LINES or record.get("level", "info") != "info":
            _write_pending()


def flush_stdout() -> None:
    with _stdout_lock:
        _write_pending()


def _write_pending() -> None:
    if _pending:
        sys.stdout.write("".join(_pending))
        _pending.clear()
    sys.stdout.flush()


class SandboxMiddleware:
    def __init__(self, wsgi_app, sandbox):
        config = sandbox.config
        self.wsgi_app = wsgi_app
        self.journal = sandbox.journal
        self.log_requests = config.log_requests
        self.cors = [("Access-Control-Allow-Origin", config.cors_origin),
                     ("Access-Control-Expose-Headers", EXPOSED_HEADERS)]
        self.preflight = [("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"),
                          ("Access-Control-Allow-Headers", DOCUMENTED_HEADERS),
                          ("Access-Control-Max-Age", "600")]

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        request_id = environ[REQUEST_ID] = os.urandom(8).hex()
        preflight = environ["REQUEST_METHOD"] == "OPTIONS"
        statuses = []

        def start(status, headers, exc_info=None):
            headers.extend(self.cors)
            if preflight:
                headers.extend(self.preflight)
            headers.append(("X-Request-Id", request_id))
            headers.append(("X-Sandbox-Answered-By", environ.get(ANSWERED_BY, "route")))
            statuses.append(status)
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, start)
        status = int(statuses[-1][:3]) if statuses else 500
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        path = environ.get("PATH_INFO", "")
        if not preflight and not path.startswith(ADMIN_PREFIX):
            self.journal.record(environ.get(SESSION, DEFAULT_SESSION),
                                raw_entry(environ, request_id, status, duration_ms))
        if self.log_requests:
            log_line({"ts": timestamp(), "level": "info",
                      "request_id": request_id, "method": environ["REQUEST_METHOD"],
                      "path": path, "status": status, "duration_ms": duration_ms,
                      "session": environ.get(SESSION, DEFAULT_SESSION),
                      "answered_by": environ.get(ANSWERED_BY, "route")})
        return result


def raw_entry(environ, request_id: str, status: int, duration_ms: float) -> dict:
    """What the journal keeps: cheap to take now; journal.format_entry makes it readable."""
    headers = [(key, value) for key, value in environ.items() if key[:5] == "HTTP_"]
    if environ.get("CONTENT_TYPE"):
        headers.append(("CONTENT_TYPE", environ["CONTENT_TYPE"]))
    return {"id": request_id, "time": time.time(), "method": environ["REQUEST_METHOD"],
            "path": environ.get("PATH_INFO", ""), "query": environ.get("QUERY_STRING", ""),
            "headers": headers, "body": environ.get(BODY), "status": status,
            "answered_by": environ.get(ANSWERED_BY, "route"), "duration_ms": duration_ms}
