"""Reading requests: the JSON body every POST/PUT route parses the same way."""
from __future__ import annotations

import json

from flask import Request, g

from .errors import SandboxError


def read_json(request: Request) -> dict:
    """The request's JSON object, or a SandboxError naming what is wrong with it.

    The parsed body is kept on `g.json_body` so the journal records it without parsing twice.
    """
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        shown = request.content_type or "none"
        raise SandboxError(415, f"Content-Type must be application/json (got {shown})")
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise SandboxError(400, "The request body is empty: a JSON object is required")
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SandboxError(400, f"Malformed JSON: {exc.msg} at line {exc.lineno} "
                                f"column {exc.colno}") from None
    except ValueError:  # bytes that are not UTF-8
        raise SandboxError(400, "Malformed JSON: the body is not valid UTF-8") from None
    if not isinstance(body, dict):
        raise SandboxError(400, "The request body must be a JSON object")
    g.json_body = body
    return body
