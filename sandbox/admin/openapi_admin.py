"""GET /__sandbox/admin-openapi.json: the admin API as OpenAPI 3, so QA can generate a client
for it too. Its shapes are marshmallow schemas here, named components through apispec; the
routes a family adds under the admin prefix (its `admin_paths`) join them.

Every admin route reads X-Sandbox-Session like the API routes do; writes from a page of another
origin are refused (403) unless --admin-origins allows it.
"""
from __future__ import annotations

import copy

from marshmallow import Schema, fields, validate

from ..names import ADMIN_PREFIX
from ..version import __version__
from .openapi_schemas import new_spec

SESSION = {"name": "X-Sandbox-Session", "in": "header", "required": False,
           "schema": {"type": "string"}, "description": "The session whose state this is"}
# The request journal's filters (all optional, combined with AND).
JOURNAL_FILTERS = (
    ("operation", {"type": "string"}, "An operation name, e.g. create_customer"),
    ("method", {"type": "string"}, "GET, POST..."),
    ("path", {"type": "string"}, "The request path, exactly"),
    ("status", {"type": "integer"}, "The answer's HTTP status"),
    ("answered_by", {"type": "string"}, "route, scenario:<name>, error:<code>, chaos:<code>, "
                                        "unmatched..."),
    ("since", {"type": "integer"}, "Only entries newer than this journal entry id"),
    ("limit", {"type": "integer", "minimum": 0}, "At most this many entries"),
)


class Message(Schema):
    message = fields.String(required=True)


class Health(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    version = fields.String(required=True)
    pid = fields.Integer(metadata={"description": "The process that answered (--workers)"})
    problem = fields.String(metadata={"description": "With a 503: what is wrong (Redis down)"})


class Trigger(Schema):
    header = fields.String()
    activate = fields.String()


class ScenarioDescription(Schema):
    name = fields.String(required=True)
    description = fields.String()
    routes = fields.List(fields.String())
    status = fields.Integer(allow_none=True)
    answers = fields.String()
    error = fields.String(allow_none=True)
    fault = fields.String(allow_none=True)
    delay_ms = fields.Integer()
    match = fields.List(fields.Dict())
    file = fields.String()
    active = fields.Boolean()
    trigger = fields.Nested(Trigger)
    # A sequence's steps (each as status..delay_ms above) and what follows its last step.
    sequence = fields.List(fields.Dict())
    then = fields.String()
    any_of = fields.List(fields.String())  # a scenario made of others


class ScenarioList(Schema):
    session = fields.String(required=True)
    active = fields.String(allow_none=True)
    scenarios = fields.List(fields.Nested(ScenarioDescription))


class ActiveScenario(Schema):
    session = fields.String(required=True)
    active = fields.String(allow_none=True)
    step = fields.Integer(allow_none=True, metadata={
        "description": "A sequence's 0-based step the next request gets (null: the active "
                       "scenario has no sequence, or none is active)"})


class Activation(Schema):
    name = fields.String(required=True, metadata={"example": "core-customer-rejected"})


class Activated(Schema):
    session = fields.String(required=True)
    active = fields.String(required=True)
    routes = fields.List(fields.String())


class SkippedWorker(Schema):
    worker = fields.Integer(required=True)
    problem = fields.String(required=True)


def skipped_workers():
    """With --workers N: the workers whose journal an answer could not reach (only then)."""
    return fields.List(fields.Nested(SkippedWorker), metadata={
        "description": "With --workers N, only when some did not answer: the workers whose "
                       "journal this answer lacks (restarting or dead), and why"})


class Reset(Schema):
    reset = fields.Boolean(required=True)
    session = fields.String(required=True)
    skipped_workers = skipped_workers()


class Cleared(Schema):
    cleared = fields.Boolean(required=True)
    session = fields.String(required=True)
    skipped_workers = skipped_workers()


class CapturedResponse(Schema):
    status = fields.Integer()
    headers = fields.Dict(values=fields.String())
    body = fields.Raw(allow_none=True, metadata={"description": "JSON where it parses, else "
                                                                "text, cut at 64 KiB"})


class JournalEntry(Schema):
    id = fields.Integer(required=True, metadata={
        "description": "Increasing: `since=<id>` asks for newer entries"})
    request_id = fields.String(metadata={"description": "The answer's X-Request-Id"})
    operation = fields.String(allow_none=True, metadata={"description": "null: no route matched"})
    time = fields.String(metadata={"format": "date-time"})
    method = fields.String()
    path = fields.String()
    query = fields.Dict()
    headers = fields.Dict(values=fields.String())
    body = fields.Raw(allow_none=True, metadata={"description": "Secrets masked"})
    body_truncated = fields.Boolean()
    body_size = fields.Integer()
    status = fields.Integer()
    answered_by = fields.String()
    duration_ms = fields.Float()
    response = fields.Nested(CapturedResponse)


class Journal(Schema):
    session = fields.String(required=True)
    requests = fields.List(fields.Nested(JournalEntry), required=True)
    skipped_workers = skipped_workers()


class Count(Schema):
    count = fields.Integer(required=True)
    skipped_workers = skipped_workers()


class ChaosSettings(Schema):
    rate = fields.Float(required=True, validate=validate.Range(0, 1))
    routes = fields.List(fields.String(), metadata={"description": "Operation names (default "
                                                                   "all)"})
    errors = fields.List(fields.Raw(), allow_none=True, metadata={"description": "Catalog codes on routes with "
                                                                "a catalog, HTTP statuses "
                                                                "elsewhere"})
    delay_ms = fields.List(fields.Integer(), validate=validate.Length(2, 2), allow_none=True,
                           metadata={"description": "[min, max]"})
    seed = fields.Integer(metadata={"description": "The --seed the picks are drawn from"})
    requests = fields.Integer(metadata={"description": "Requests chaos has seen since the PUT"})


class Chaos(Schema):
    session = fields.String(required=True)
    chaos = fields.Nested(ChaosSettings, allow_none=True)


def answer(schema, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def errors(*statuses: int) -> dict:
    said = {400: "Malformed request (the message names the field)",
            403: "A write from a page of another origin", 404: "No such admin route"}
    return {str(status): answer(Message, said[status]) for status in statuses}


def body(schema) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def operation(op_id: str, summary: str, schema, *, request=None, query=(), statuses=()) -> dict:
    result = {"operationId": op_id, "summary": summary, "tags": ["admin"],
              "parameters": ["Session", *query], "responses": {"200": answer(schema),
                                                               **errors(*statuses)}}
    if request is not None:
        result["requestBody"] = body(request)
    return result


def filters() -> list[dict]:
    return [{"name": name, "in": "query", "required": False, "schema": schema,
             "description": description} for name, schema, description in JOURNAL_FILTERS]


PATHS = {
    "/health": {"get": {**operation("health", "The server answers", Health),
                        "responses": {"200": answer(Health),
                                      "503": answer(Health, "A shared store is unreachable")}}},
    "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus's text format",
                         "tags": ["admin"], "responses": {"200": {
                             "description": "OK", "content": {"text/plain": {
                                 "schema": {"type": "string"}}}}}}},
    "/scenarios": {"get": operation(
        "list_scenarios", "Every loaded scenario", ScenarioList,
        query=[{"name": "route", "in": "query", "required": False,
                "schema": {"type": "string"}, "description": "Only this operation's"}])},
    "/scenarios/active": {
        "get": operation("get_active_scenario", "The session's active scenario", ActiveScenario),
        "put": operation("activate_scenario", "Activate a scenario for the session", Activated,
                         request=Activation, statuses=(400, 403)),
        "delete": operation("deactivate_scenario", "No active scenario", ActiveScenario,
                            statuses=(403,))},
    "/fixtures": {"get": {**operation("fixtures", "The shipped fixtures, by kind", {
        "type": "object", "additionalProperties": {"type": "array", "items": {"type": "object"}}})}},
    "/reset": {"post": operation("reset", "The session back to the fixtures (records, active "
                                          "scenario, journal, chaos)", Reset, statuses=(403,))},
    "/requests": {
        "get": operation("list_requests", "The session's request journal, newest first", Journal,
                         query=filters(), statuses=(400,)),
        "delete": operation("clear_requests", "Empty the session's journal", Cleared,
                            statuses=(403,))},
    "/requests/count": {"get": operation("count_requests", "How many journal entries match",
                                         Count, query=filters(), statuses=(400,))},
    "/chaos": {
        "get": operation("get_chaos", "The session's chaos settings", Chaos),
        "put": operation("set_chaos", "Fail a share of the session's requests", Chaos,
                         request=ChaosSettings, statuses=(400, 403)),
        "delete": operation("end_chaos", "No chaos", Chaos, statuses=(403,))},
    "/openapi.json": {"get": operation("openapi", "The upstream routes as OpenAPI 3",
                                       {"type": "object"})},
    "/admin-openapi.json": {"get": operation("admin_openapi", "This document",
                                             {"type": "object"})},
    "/postman.json": {"get": operation("postman", "A Postman collection (v2.1) of every route "
                                                  "with its seed example", {"type": "object"})},
}


def build_document(sandbox) -> dict:
    spec = new_spec("Banking sandbox admin API", __version__,
                    f"The sandbox's own API under {ADMIN_PREFIX}: health, scenarios, fixtures, "
                    f"reset, the request journal, chaos. Answers carry the session they read.")
    spec.components.parameter("Session", "header", {k: v for k, v in SESSION.items() if k != "in"})
    # A copy: apispec writes its $refs into the operations it is given.
    paths = copy.deepcopy(PATHS)
    for family in sandbox.families.values():
        paths.update(copy.deepcopy(family.admin_paths))
    for path, operations in paths.items():
        spec.path(path=ADMIN_PREFIX + path, operations=operations)
    document = spec.to_dict()
    document["servers"] = [{"url": "/"}]
    document["tags"] = [{"name": "admin", "description": "The sandbox's own API"}]
    return document
