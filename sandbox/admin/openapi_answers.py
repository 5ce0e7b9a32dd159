"""Every status a route can answer, with its examples: what the OpenAPI document lists under an
operation's `responses`.

- its success (the family's `success_status`, 200 by default) with the family's examples;
- what the pipeline answers on any route: 400 (a malformed sandbox header), 405 (another method),
  500 (a scenario that cannot render, a crash), 401 where the family checks credentials, and on a
  body route 400 / 413 / 415;
- the family's error catalog, where it has one: every row can be forced on every route
  (X-Sandbox-Error), and the rows the route's own table lists are shown as examples;
- the loaded scenarios for the route: each answers its own status (a core 503, a 500...).
Each error is rendered by the family's own envelope, so the examples are what the server sends.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import SandboxError
from .openapi_schemas import schema_of_example, schema_of_tree

BODY_METHODS = ("POST", "PUT", "PATCH")
# Per error status, the generic situation the sandbox answers with it.
GENERIC_ERRORS = {
    400: "Malformed request (the message names each failing field) or sandbox header",
    401: "Missing or wrong credentials", 405: "Method not allowed",
    413: "Body larger than the limit", 415: "Content-Type is not application/json",
    500: "A scenario that cannot render its answer, or an internal error (request id in the "
         "message)"}


@dataclass
class Answer:
    """One status of a route: what a person reads, named examples, the shapes bodies take."""
    description: str
    examples: dict = field(default_factory=dict)
    schemas: list = field(default_factory=list)   # JSON schemas of bodies other than the envelope
    envelope: bool = False                        # the family's error envelope is one shape


def answers(op, sandbox, security) -> dict[int, Answer]:
    result: dict[int, Answer] = {}
    meta = op.meta
    success = result[int(meta.get("success_status", 200))] = Answer("Success")
    named = meta.get("response_examples") or {}
    if meta.get("response_example") is not None and not named:
        named = {"example": meta["response_example"]}
    success.examples.update({name: {"value": value} for name, value in named.items()})
    success.schemas += [schema_of_example(value) for value in named.values()]
    for status, name, err in _errors(op, sandbox, security):
        answer = result.setdefault(status, Answer(err.message))
        answer.envelope = True
        if name is not None:
            body = err.body if err.body is not None else envelope(sandbox, op, err)
            answer.examples[name] = {"summary": err.message, "value": body}
    for status, scenario, body_schema in _scenario_answers(op, sandbox):
        answer = result.setdefault(status, Answer("Answered by a scenario"))
        if body_schema is None:
            answer.envelope = True
        elif body_schema:
            answer.schemas.append(body_schema)
        else:  # a whole-body template: its shape is known only once rendered
            scenario += " (its body is a template, not described here)"
        answer.description += f"; scenario {scenario}"
    return dict(sorted(result.items()))


def _errors(op, sandbox, security):
    """(status, example name or None, SandboxError) for each error the route can answer."""
    statuses = {400, 405, 500}
    if op.method in BODY_METHODS:
        statuses |= {413, 415}
    if security is not None and security.requirements:
        statuses.add(401)
    catalog = sandbox.catalogs.get(op.family)
    if catalog is not None:
        own = catalog.answered_on(op.name)
        for row in own:
            yield row["status"], f"{row['code']} ({row['id']})", catalog.error(row, op)
        forced = {row["status"] for row in catalog.rows} - {row["status"] for row in own}
        for status in sorted(forced):
            yield status, None, SandboxError(status, f"A catalog row forced with X-Sandbox-Error "
                                                     f"(GET /__sandbox/errors lists them)")
        statuses -= {row["status"] for row in catalog.rows}
    for status in sorted(statuses):
        yield status, str(status), SandboxError(status, GENERIC_ERRORS[status])


def _scenario_answers(op, sandbox):
    """(status, scenario name, body schema or None for the envelope) of each loaded scenario of
    the route, and of each step of a sequence."""
    engine = sandbox.scenarios
    if engine is None:
        return
    for scenario in engine.all():
        if op.name not in scenario.routes:
            continue
        responses = getattr(scenario, "sequence", None) or [scenario.response]
        for response in responses:
            if not hasattr(response, "status") or getattr(response, "passthrough", False):
                continue  # "route" steps and plain delays answer as the route does
            status = _status(response, sandbox.catalogs.get(op.family))
            yield status, scenario.name, _body_schema(response)


def _status(response, catalog) -> int:
    if response.error is not None and not response.has_status and catalog is not None:
        row = response.error_row or catalog.find(response.error)
        return int(row["status"])
    return int(response.status)


def _body_schema(response):
    """None when the answer is the envelope (error:, message:), else its body's shape ({} for a
    whole-body template, whose shape is known only once rendered)."""
    if response.body is None and response.body_template is None:
        return None
    if response.body is None:
        return {}
    return schema_of_tree(response.body_static, response.body)


def envelope(sandbox, op, err: SandboxError):
    try:
        return sandbox.envelope_for(op.family)(err, op)
    except Exception:  # an envelope that needs more than a bare error: the generic shape
        return {"message": err.message}
