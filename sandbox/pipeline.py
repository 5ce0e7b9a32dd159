"""One straight path for every request: identify its operation and session, authenticate it,
let the responders (forced errors, scenarios) answer or pass, run the route. Every failure on the
way is rendered by errors.error_response in the route's own envelope. CORS, ids, the journal and
the log line are added around it all by wsgi.SandboxMiddleware."""
from __future__ import annotations

import traceback

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from . import names, wsgi
from .errors import SandboxError, error_response
from .logs import log_line, timestamp
from .names import ADMIN_PREFIX
from .registry import Sandbox
from .store import DEFAULT_SESSION

JOURNAL_BODY_LIMIT = 64 * 1024


def install(app: Flask, sandbox: Sandbox) -> None:
    operations = sandbox.operations
    seen = sandbox.sessions.seen
    authenticators = sandbox.authenticators
    responders = sandbox.responders

    @app.before_request
    def begin():
        # Proxies resolved once: each access through `request`/`g` costs a context lookup.
        req, ctx = request._get_current_object(), g._get_current_object()
        environ = req.environ
        session = ctx.session = environ[names.SESSION] = environ.get(names.SESSION_KEY) \
            or DEFAULT_SESSION
        if session != DEFAULT_SESSION:
            seen(session)
        ctx.answered_by = "route"
        rule = req.url_rule
        operation = ctx.operation = operations.get(rule.endpoint) if rule is not None else None
        if operation is None or req.method == "OPTIONS":
            return None
        authenticate = authenticators.get(operation.family)
        if authenticate is not None:
            authenticate(req)
        for responder in responders:
            answer = responder(operation, req)
            if answer is not None:
                return answer
        return None

    @app.after_request
    def hand_over(response: Response) -> Response:
        """Leaves for the middleware what only the Flask side knows."""
        req, ctx = request._get_current_object(), g._get_current_object()
        environ = req.environ
        environ[names.ANSWERED_BY] = getattr(ctx, "answered_by", "route")
        operation = getattr(ctx, "operation", None)
        if operation is not None:
            environ[names.OPERATION] = operation.name
        # The bytes as sent, cut at JOURNAL_BODY_LIMIT: an entry never holds a parsed body,
        # whose objects can take many times its size.
        if environ.get("CONTENT_LENGTH") not in (None, "", "0"):
            environ[names.BODY] = _raw_body(req)
        return response

    @app.errorhandler(SandboxError)
    def sandbox_error(err: SandboxError):
        if err.answered_by:
            g.answered_by = err.answered_by
        return _render(sandbox, err)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        headers = {"Allow": ", ".join(_allowed(exc))} if exc.code == 405 else None
        return _render(sandbox, SandboxError(exc.code or 500, _describe(exc, sandbox),
                                             headers=headers))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        request_id = request.environ.get(names.REQUEST_ID, "")
        log_line({"ts": timestamp(), "level": "error", "request_id": request_id,
                  "path": request.path, "error": repr(exc), "traceback": traceback.format_exc()})
        return _render(sandbox, SandboxError(
            500, f"Internal error in the sandbox (request id {request_id}); see the server log"))

    app.wsgi_app = wsgi.SandboxMiddleware(app.wsgi_app, sandbox)


def _raw_body(req) -> bytes | None:
    try:
        return req.get_data(cache=True)[:JOURNAL_BODY_LIMIT]
    except HTTPException:  # the body itself was refused (413): nothing to keep
        return None


def _render(sandbox: Sandbox, err: SandboxError) -> Response:
    operation = g.get("operation")
    if operation is None:  # no route matched: the family (and route) the path falls under
        family, operation = sandbox.route_for(request.path)
    else:
        family = operation.family
    return error_response(err, sandbox.envelope_for(family), operation)


def _allowed(exc: HTTPException) -> list[str]:
    return sorted(getattr(exc, "valid_methods", None) or [])


def _describe(exc: HTTPException, sandbox: Sandbox) -> str:
    if exc.code == 404:
        return (f"No route {request.method} {request.path}. "
                f"GET {ADMIN_PREFIX}/ lists every route the sandbox serves")
    if exc.code == 405:
        allowed = ", ".join(sorted(set(_allowed(exc)) - {"OPTIONS", "HEAD"}))
        return f"Method {request.method} is not allowed on {request.path}; allowed: {allowed}"
    if exc.code == 413:
        limit = sandbox.config.max_body_bytes
        return f"The request body is larger than the limit of {limit} bytes ({limit // 1024} KiB)"
    return exc.description or exc.name
