"""Turning a chosen scenario into an HTTP answer: delay, catalog error, envelope message, rendered
body, or one of the wire faults (empty body, malformed JSON, truncated body)."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone

from flask import Response, g
from jinja2 import TemplateError
from werkzeug.exceptions import HTTPException

from ..errors import SandboxError
from ..http import json_or_none
from ..fakes import ALL_PROVIDERS
from ..waits import wait
from .limits import MAX_OUTPUT, rendering
from .loader import render_tree
from .templates import CaseInsensitiveDict, Compiled, FakeData, TemplateFailure


def catalog_error(sandbox, operation, spec: str, answered_by: str) -> SandboxError:
    """The row `spec` ("50628" or "50628:2") of the route's family catalog as this route's
    error."""
    catalog = sandbox.catalogs.get(operation.family)
    if catalog is None:
        return SandboxError(400, f"{operation.name} has no error catalog, so no catalog code can "
                                 f"be forced here")
    try:
        row = catalog.find(spec, operation)
    except KeyError as exc:
        return SandboxError(400, str(exc.args[0]) if exc.args else str(exc))
    err = catalog.error(row, operation)
    err.answered_by = answered_by
    return err


def answer(sandbox, scenario, operation, request, spec=None):
    """The scenario's answer (a Response), or None when it only delays (the route answers).
    spec: the response to give (a sequence's step), its `response` by default."""
    g.answered_by = f"scenario:{scenario.name}"
    spec = spec or scenario.response
    if spec.delay_ms:
        # Added to the header's delay; the scenario is chosen again, and rendered, once it is
        # over (waits.py).
        wait(request.environ, spec.delay_ms)
    if spec.passthrough:
        return None
    if spec.error is not None:
        raise catalog_error(sandbox, operation, spec.error, g.answered_by)
    context = _context(sandbox, scenario, operation, request) if scenario.names else {}
    try:
        # One Budget for all the answer's templates: its deadline, what they may build and send.
        with rendering():
            if spec.message is not None:
                message = spec.message if isinstance(spec.message, str) else \
                    str(spec.message.render(context))
                _check_output(len(message), spec.message)
                raise SandboxError(spec.status, message, answered_by=g.answered_by)
            headers = {name: (value if isinstance(value, str) else str(value.render(context)))
                       for name, value in spec.headers}
            data = _body_text(scenario, spec, context, _is_json(headers))
            _check_output(len(data) + sum(len(k) + len(v) for k, v in headers.items()),
                          spec.body_template or spec.body)
    except TemplateError as exc:  # an undefined value inside a list or dict an expression built
        raise SandboxError(500, f"Scenario {scenario.name!r} could not render its response "
                                f"({scenario.where}): {exc}", answered_by=g.answered_by) from None
    except TemplateFailure as exc:
        line = exc.yaml_line or scenario.line
        raise SandboxError(500, f"Scenario {scenario.name!r} could not render its response "
                                f"({scenario.file}:{line}, template line {exc.template_line}): "
                                f"{exc.message}", answered_by=g.answered_by) from None
    return _respond(spec.fault, spec.status, headers, data)


def _check_output(length: int, where) -> None:
    """What the answer sends, as sent (a value's text may be longer than its size guessed)."""
    if length > MAX_OUTPUT:
        line = where.line if isinstance(where, Compiled) else None
        raise TemplateFailure(f"over a limit: the response is {length} characters; a scenario's "
                              f"response has at most {MAX_OUTPUT}", 1, line)


def _is_json(headers: dict) -> bool:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    return content_type is None or "json" in content_type.lower()


def _body_text(scenario, spec, context, json_body: bool = True) -> str:
    if spec.body_template is not None:
        text = str(spec.body_template.render(context))
        if json_body and spec.fault != "malformed_json":
            try:
                json.loads(text)
            except (ValueError, RecursionError) as exc:  # too deeply nested is not JSON here
                raise TemplateFailure(f"body_template did not render JSON ({exc})", 1,
                                      spec.body_template.line) from None
        return text
    if spec.body is None and spec.body_static:
        return ""
    body = render_tree(spec.body_static, spec.body, context)
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
    except RecursionError:  # a value a template nested a thousand deep
        raise TemplateFailure("the body is nested too deeply to send as JSON", 1,
                              scenario.line) from None


def _respond(fault, status: int, headers: dict, data: str) -> Response:
    payload = data.encode("utf-8")
    if fault == "empty_body":
        payload = b""
    elif fault == "malformed_json":
        # Half a JSON document: an object or array cut in two never parses.
        text = payload if payload[:1] in (b"{", b"[") else b'{"responseType": {"value": "OK"}}'
        payload = text[: max(1, len(text) // 2)]
    # A scenario may answer another content type (an HTML error page from a proxy...).
    own_type = any(name.lower() == "content-type" for name in headers)
    response = Response(payload, status=status, headers=headers,
                        mimetype=None if own_type else "application/json")
    if fault == "truncated_body":
        # Announce the whole body, send half: waitress sees too few bytes for the Content-Length
        # and closes the connection, so the client gets an incomplete read.
        full = payload or b'{"responseType": {"value": "OK"}}'
        response.set_data(full[: len(full) // 2])
        response.headers["Content-Length"] = str(len(full))
    return response


# -- template context ---------------------------------------------------------------------------
def _context(sandbox, scenario, operation, request) -> dict:
    names = scenario.names
    context = {}
    body = request_body(request) if ("request" in names or "customer" in names) else None
    if "request" in names:
        context["request"] = {
            "method": request.method,
            "path": request.path,
            "operation": operation.name,
            "query": request.args.to_dict(flat=True),
            "headers": CaseInsensitiveDict(request.headers.items()),
            "body": body,
            "path_params": dict(request.view_args or {}),
        }
    if "customer" in names:
        context["customer"] = find_customer(sandbox, operation, request)
    if "fake" in names:
        family = sandbox.families.get(operation.family)
        context["fake"] = _fakes(sandbox).get(family.locale if family else DEFAULT_LOCALE)
    if "now" in names:
        context["now"] = datetime.now(timezone.utc)
    return context


DEFAULT_LOCALE = "en_US"


class FakesByLocale:
    """One FakeData per locale, built on first use and kept (Faker is slow to build)."""

    def __init__(self, fakes):
        self.fakes = fakes
        self.by_locale: dict[str, FakeData] = {}
        self.lock = threading.Lock()

    def get(self, locale: str) -> FakeData:
        fake = self.by_locale.get(locale)
        if fake is None:
            with self.lock:
                fake = self.by_locale.get(locale)
                if fake is None:
                    fake = self.by_locale[locale] = FakeData(self.fakes.faker(
                        locale, "templates", providers=ALL_PROVIDERS))
        return fake


def _fakes(sandbox) -> FakesByLocale:
    return sandbox.scenarios.fakes


def find_customer(sandbox, operation, request):
    """The stored record the request names, or None: asked of the route's own family (its
    `Parts.customer`), so a family's templates see only that family's records."""
    lookup = sandbox.customer_lookups.get(operation.family)
    if lookup is None:
        return None
    try:
        return lookup(operation, request, sandbox.state())
    except (KeyError, TypeError, ValueError, AttributeError, StopIteration, SandboxError):
        return None  # a body the route will refuse: no customer


def request_body(request):
    """The JSON body if there is a readable one, else None (the route reports bad bodies)."""
    try:
        return json_or_none(request)
    except HTTPException:  # the body itself was refused (too large): the route says so
        return None
