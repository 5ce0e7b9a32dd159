"""What `sandbox record` writes: each distinct exchange with the upstream as a scenario file
(`recorded-<operation>-<n>.yaml`), and the story `recorded` (recorded.yaml) made of them all.

A recording matches what makes a request the same request: its route (method and path), its
path parameters and the fields its route declares as naming whom it is about
(Route.identified_by). Never a credential: request headers are not matched, and response
headers and body fields the journal masks are left out or masked (journal.Masks).
"""
from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

import yaml

from .journal import MASK, Masks
from .logs import log_line, timestamp
from .scenarios.model import dig
from .scenarios.templates import has_template

STORY = "recorded"
PREFIX = "recorded-"
_NUMBERED = re.compile(r"^recorded-(?P<operation>[a-z0-9-]+)-(?P<n>[0-9]+)$")
# Response headers a replay sets itself (CORS, the sandbox's own), or that describe one
# connection rather than the answer.
NOT_RECORDED = frozenset({"connection", "keep-alive", "transfer-encoding", "te", "trailer",
                          "upgrade", "content-length", "date", "server", "x-request-id",
                          "proxy-authenticate", "via"})


class NotRecordable(ValueError):
    """An answer a scenario cannot give back as it came (JSON declared, something else sent)."""


def scenario_name(operation: str, n: int) -> str:
    """Scenario names are kebab-case: basic_data_v4 -> recorded-basic-data-v4-3."""
    return f"{PREFIX}{operation.replace('_', '-')}-{n}"


def request_match(identified_by, view_args: dict, query: dict, body, masks: Masks) -> dict:
    """The match of a recording: every path parameter, and each identification field the request
    carries (a field named like a secret never)."""
    match: dict = {}
    if view_args:
        match["path"] = {name: str(value) for name, value in view_args.items()}
    for spec in identified_by:
        where, _, key = spec.partition(".")
        if masks.is_secret_field(key.rsplit(".", 1)[-1]):
            continue
        value = query.get(key) if where == "query" else dig(body, key.split("."))
        if value is not None and not isinstance(value, (dict, list)):
            match.setdefault(where, {})[key] = value
    return match


def recorded_response(status: int, headers, data: bytes, masks: Masks) -> dict:
    """The upstream's answer as a scenario response: its status, its own headers (no secret
    one), its body (JSON as data with secret fields masked; other text as it came)."""
    kept = {name: value for name, value in headers
            if name.lower() not in NOT_RECORDED
            and not name.lower().startswith(("x-sandbox-", "access-control-"))
            and masks.mask_headers([(name, value)])[name] != MASK and not has_template(value)}
    response: dict = {"status": status}
    if kept:
        response["headers"] = kept
    if not data:
        return response
    content_type = next((v for k, v in kept.items() if k.lower() == "content-type"), "")
    text = data.decode("utf-8", "replace")
    try:
        body = masks.mask_body(json.loads(text))
    except (ValueError, RecursionError):
        if not content_type or "json" in content_type.lower():
            raise NotRecordable("the upstream declared JSON (or no type) and sent something "
                                "else") from None
        response["body_template"] = _verbatim(masks.mask_text(text))
        return response
    dumped = json.dumps(body, ensure_ascii=False)
    if has_template(dumped):  # text that reads as a template is sent back as it came
        response["body_template"] = _verbatim(dumped)
    else:
        response["body"] = body
    return response


def _verbatim(text: str) -> str:
    if "endraw" in text:
        raise NotRecordable("the body holds Jinja2's `endraw`, which a raw block cannot quote")
    return "{% raw %}" + text + "{% endraw %}"


class Recordings:
    """The recordings of one folder: those already there (numbering goes on after them, and a
    request already recorded is not written again) and those this run adds."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.names: list[str] = []
        self.routes: dict[str, str] = {}  # scenario name -> operation
        self.seen: set = set()
        self.counts: dict[str, int] = {}
        for path in sorted(self.folder.glob(f"{PREFIX}*.yaml")):
            self._know(path)

    def _know(self, path: Path) -> None:
        try:
            scenario = yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"][0]
            name, operation = scenario["name"], scenario["routes"][0]
        except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
            return  # not one of ours: `sandbox check` reports it if it is broken
        numbered = _NUMBERED.match(name)
        if numbered:
            key = numbered["operation"]
            self.counts[key] = max(self.counts.get(key, 0), int(numbered["n"]))
        self.names.append(name)
        self.routes[name] = operation
        self.seen.add(_key(operation, scenario.get("match") or {}))

    def add(self, operation: str, method: str, path: str, match: dict, response: dict):
        """Writes the exchange unless the same request is recorded already; its name or None."""
        key = _key(operation, match)
        with self.lock:
            if key in self.seen:
                return None
            short = operation.replace("_", "-")
            n = self.counts[short] = self.counts.get(short, 0) + 1
            name = scenario_name(operation, n)
            scenario = {"name": name,
                        "description": f"Recorded from the upstream: {method} {path} "
                                       f"answered {response['status']}",
                        "routes": [operation]}
            if match:
                scenario["match"] = match
            scenario["response"] = response
            self._write(f"{name}.yaml", scenario)
            self.seen.add(key)
            self.names.append(name)
            self.routes[name] = operation
            self._write(f"{STORY}.yaml", self.story())
        log_line({"ts": timestamp(), "level": "info", "event": "recorded", "scenario": name,
                  "operation": operation, "status": response["status"],
                  "file": str(self.folder / f"{name}.yaml")})
        return name

    def story(self) -> dict:
        return {"name": STORY,
                "description": "Every recorded answer for the request it was recorded from; "
                               "any other request gets the route's own answer",
                "routes": list(dict.fromkeys(self.routes[name] for name in self.names)),
                "any_of": list(self.names)}

    def _write(self, filename: str, scenario: dict) -> None:
        # Written whole, then renamed into place: a server replaying this folder with hot
        # reload never reads half a file (it reads only *.yaml).
        target = self.folder / filename
        partial = target.with_suffix(".partial")
        partial.write_text(yaml.safe_dump({"scenarios": [scenario]}, sort_keys=False,
                                          allow_unicode=True, width=100), encoding="utf-8")
        os.replace(partial, target)


def _key(operation: str, match: dict) -> tuple:
    return operation, json.dumps(match, sort_keys=True, default=str)
