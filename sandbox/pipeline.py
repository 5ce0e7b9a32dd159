"""One straight path for every request: identify it, authenticate it, let the responders
(forced errors, scenarios) answer or pass, run the route, then add CORS, journal and log.
Every failure on the way is rendered by errors.error_response in the route's own envelope."""
from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from .errors import SandboxError, error_response
from .journal import mask_body, mask_headers
from .registry import Sandbox
from .store import DEFAULT_SESSION

SESSION_HEADER = "X-Sandbox-Session"
ADMIN_PREFIX = "/__sandbox"

# Every request header the seeds document, for CORS preflights.
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
    "X-Sandbox-Error", "X-Sandbox-Scenario", "X-Sandbox-Delay", SESSION_HEADER,
])
EXPOSED_HEADERS = "X-Request-Id, X-Sandbox-Answered-By"
JOURNAL_BODY_LIMIT = 64 * 1024

_log_lock = threading.Lock()


def log_line(record: dict) -> None:
    """One JSON object per line on stdout."""
    line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
    with _log_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def install(app: Flask, sandbox: Sandbox) -> None:
    config = sandbox.config

    @app.before_request
    def begin():
        g.started = time.perf_counter()
        g.request_id = os.urandom(8).hex()
        g.session = request.headers.get(SESSION_HEADER) or DEFAULT_SESSION
        g.answered_by = "route"
        rule = request.url_rule
        g.operation = sandbox.operations.get(rule.endpoint) if rule is not None else None
        operation = g.operation
        if operation is None or request.method == "OPTIONS":
            return None
        authenticate = sandbox.authenticators.get(operation.family)
        if authenticate is not None:
            authenticate(request)
        for responder in sandbox.responders:
            answer = responder(operation, request)
            if answer is not None:
                return answer
        return None

    @app.after_request
    def finish(response: Response) -> Response:
        headers = response.headers
        headers["Access-Control-Allow-Origin"] = config.cors_origin
        headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if request.method == "OPTIONS":
            headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE, OPTIONS"
            headers["Access-Control-Allow-Headers"] = DOCUMENTED_HEADERS
            headers["Access-Control-Max-Age"] = "600"
        request_id = getattr(g, "request_id", "")
        headers["X-Request-Id"] = request_id
        answered_by = getattr(g, "answered_by", "route")
        headers["X-Sandbox-Answered-By"] = answered_by
        duration_ms = round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 3)
        if not request.path.startswith(ADMIN_PREFIX) and request.method != "OPTIONS":
            sandbox.journal.record(g.get("session", DEFAULT_SESSION),
                                   _journal_entry(request_id, response, answered_by, duration_ms))
        if config.log_requests:
            log_line({"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "level": "info",
                      "request_id": request_id, "method": request.method, "path": request.path,
                      "status": response.status_code, "duration_ms": duration_ms,
                      "session": g.get("session"), "answered_by": answered_by})
        return response

    @app.errorhandler(SandboxError)
    def sandbox_error(err: SandboxError):
        if err.answered_by:
            g.answered_by = err.answered_by
        return _render(sandbox, err)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _render(sandbox, SandboxError(exc.code or 500, _describe(exc, sandbox)))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        request_id = g.get("request_id", "")
        log_line({"level": "error", "request_id": request_id, "path": request.path,
                  "error": repr(exc), "traceback": traceback.format_exc()})
        return _render(sandbox, SandboxError(
            500, f"Internal error in the sandbox (request id {request_id}); see the server log"))


def _render(sandbox: Sandbox, err: SandboxError) -> Response:
    operation = g.get("operation")
    family = operation.family if operation else sandbox.family_for(request.path)
    return error_response(err, family, operation)


def _describe(exc: HTTPException, sandbox: Sandbox) -> str:
    if exc.code == 404:
        return (f"No route {request.method} {request.path}. "
                f"GET {ADMIN_PREFIX}/ lists every route the sandbox serves")
    if exc.code == 405:
        allowed = ", ".join(sorted(set(getattr(exc, "valid_methods", None) or []) - {"OPTIONS", "HEAD"}))
        return f"Method {request.method} is not allowed on {request.path}; allowed: {allowed}"
    if exc.code == 413:
        limit = sandbox.config.max_body_bytes
        return f"The request body is larger than the limit of {limit} bytes ({limit // 1024} KiB)"
    return exc.description or exc.name


def _journal_entry(request_id: str, response: Response, answered_by: str, duration_ms: float) -> dict:
    return {
        "id": request_id,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": request.method,
        "path": request.path,
        "query": request.args.to_dict(flat=True),
        "headers": mask_headers(request.headers.items()),
        "body": _journal_body(),
        "status": response.status_code,
        "answered_by": answered_by,
        "duration_ms": duration_ms,
    }


def _journal_body():
    body = g.get("json_body")
    if body is not None:
        return mask_body(body)
    try:
        raw = request.get_data(cache=True)[:JOURNAL_BODY_LIMIT]
    except HTTPException:  # the body itself was refused (413): nothing to keep
        return None
    if not raw:
        return None
    try:
        return mask_body(json.loads(raw))
    except ValueError:
        return raw.decode("utf-8", "replace")
