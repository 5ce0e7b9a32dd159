"""Turning a chosen scenario into an HTTP answer: delay, catalog error, envelope message, rendered
body, or one of the wire faults (empty body, malformed JSON, truncated body)."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone

from flask import Response, g
from jinja2 import TemplateError

from ..errors import SandboxError
from ..fakes import ALL_PROVIDERS, BCS_LOCALE, COOPERATIVE_LOCALE, CORE_LOCALES
from .loader import render_tree
from .templates import CaseInsensitiveDict, FakeData, TemplateFailure

# The country whose fake data a family's templates get.
FAMILY_LOCALES = {"core": CORE_LOCALES[0], "core_product": CORE_LOCALES[0],
                  "cooperative": COOPERATIVE_LOCALE, "bcs": BCS_LOCALE}
DEFAULT_LOCALE = "en_US"
# Where the generic customer lookup looks: kinds whose name says they hold people...
CUSTOMER_KIND_WORDS = ("customer", "cliente", "member", "socio", "person")
# ...under the identification values the request carries in these fields (any depth).
CUSTOMER_FIELDS = ("customer_number", "numero_documento", "document_number", "identSerialNum",
                   "identserialnum", "num_socio", "acctId", "acctid", "mNemonic", "mnemonic")


def bcs_error(sandbox, operation, spec: str, answered_by: str) -> SandboxError:
    """The catalog row `spec` ("50628" or "50628:2") as this route's error."""
    catalog = sandbox.catalog
    if catalog is None:
        return SandboxError(400, "No BCS error catalog is loaded, so no catalog code can be "
                                 "forced here")
    try:
        row = catalog.find(spec, operation)
    except KeyError as exc:
        return SandboxError(400, str(exc.args[0]) if exc.args else str(exc))
    err = catalog.error(row, operation)
    err.answered_by = answered_by
    return err


def answer(sandbox, scenario, operation, request):
    """The scenario's answer (a Response), or None when it only delays (the route answers)."""
    g.answered_by = f"scenario:{scenario.name}"
    spec = scenario.response
    if spec.delay_ms:
        time.sleep(spec.delay_ms / 1000)
    if spec.passthrough:
        return None
    if spec.error is not None:
        raise bcs_error(sandbox, operation, spec.error, g.answered_by)
    context = _context(sandbox, scenario, operation, request) if scenario.names else {}
    try:
        if spec.message is not None:
            message = spec.message if isinstance(spec.message, str) else spec.message.render(context)
            raise SandboxError(spec.status, str(message), answered_by=g.answered_by)
        headers = {name: (value if isinstance(value, str) else str(value.render(context)))
                   for name, value in spec.headers}
        data = _body_text(scenario, context, _is_json(headers))
    except TemplateError as exc:  # an undefined value inside a list or dict an expression built
        raise SandboxError(500, f"Scenario {scenario.name!r} could not render its response "
                                f"({scenario.where}): {exc}", answered_by=g.answered_by) from None
    except TemplateFailure as exc:
        line = exc.yaml_line or scenario.line
        raise SandboxError(500, f"Scenario {scenario.name!r} could not render its response "
                                f"({scenario.file}:{line}, template line {exc.template_line}): "
                                f"{exc.message}", answered_by=g.answered_by) from None
    return _respond(spec.fault, spec.status, headers, data)


def _is_json(headers: dict) -> bool:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    return content_type is None or "json" in content_type.lower()


def _body_text(scenario, context, json_body: bool = True) -> str:
    spec = scenario.response
    if spec.body_template is not None:
        text = str(spec.body_template.render(context))
        if json_body and spec.fault != "malformed_json":
            try:
                json.loads(text)
            except ValueError as exc:
                raise TemplateFailure(f"body_template did not render JSON ({exc})", 1,
                                      spec.body_template.line) from None
        return text
    if spec.body is None and spec.body_static:
        return ""
    body = render_tree(spec.body_static, spec.body, context)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)


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
    from .engine import request_body
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
        context["customer"] = find_customer(sandbox, operation, request, body)
    if "fake" in names:
        context["fake"] = _fakes(sandbox).get(FAMILY_LOCALES.get(operation.family, DEFAULT_LOCALE))
    if "now" in names:
        context["now"] = datetime.now(timezone.utc)
    return context


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


def find_customer(sandbox, operation, request, body):
    """The stored record the request names, or None.

    Asked of the API module first: `Operation.meta["customer"]` = fn(request, state) -> record
    (BCS: by identification number, mnemonic or account; core: by customer_number or main
    document; cooperative: by CURP or member number). Otherwise, generically: the identification values the request carries (CUSTOMER_FIELDS anywhere in the
    body, query or path) looked up as keys in every store kind whose name says it holds people.
    """
    state = sandbox.state()
    lookup = (operation.meta or {}).get("customer")
    if callable(lookup):
        try:
            found = lookup(request, state)
        except (KeyError, TypeError, ValueError, AttributeError, StopIteration, SandboxError):
            found = None  # a body the route will refuse: no customer
        if found is not None:
            return found
    values = [str(v) for v in _field_values(body)]
    values.extend(str(v) for k, v in request.args.items() if k in CUSTOMER_FIELDS)
    values.extend(str(v) for v in (request.view_args or {}).values())
    kinds = [kind for kind in sandbox.fixtures
             if not kind.startswith("_") and any(w in kind.lower() for w in CUSTOMER_KIND_WORDS)]
    for value in values:
        for kind in kinds:
            record = state.get(kind, value)
            if record is not None:
                return record
    return None


def _field_values(value, depth: int = 0):
    if depth > 6:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if key in CUSTOMER_FIELDS and isinstance(item, (str, int)) and not isinstance(item, bool):
                yield item
            elif isinstance(item, (dict, list)):
                yield from _field_values(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _field_values(item, depth + 1)
