"""docs/scenario.schema.json, the JSON Schema editors use for scenario files: it is a valid draft
2020-12 schema, every shipped scenario file passes it, it names exactly the keys, routes, faults
and limits the loader knows, and it refuses what the loader refuses (and accepts what it accepts)
for each case below."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from sandbox import create_app
from sandbox.scenarios import loader
from sandbox.scenarios.engine import route_catalogs
from tests.conftest import make_config

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "scenario.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
SANDBOX = create_app(make_config()).extensions["sandbox"]
ROUTES = route_catalogs(SANDBOX)  # operation name -> its family's catalog, or None


def as_json(document):
    """What an editor validates: YAML read as JSON data (an unquoted date stays text)."""
    return json.loads(json.dumps(document, default=str))


def scenario_files() -> list:
    """Every YAML file under the shipped scenarios/ folder with a top-level `scenarios:` key."""
    folder = ROOT / "scenarios"
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(document, dict) and "scenarios" in document:
            files.append(pytest.param(path, document, id=str(path.relative_to(folder))))
    return files


def test_the_schema_is_a_valid_draft_2020_12_schema():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_there_are_shipped_scenario_files():
    assert len(scenario_files()) >= 4


@pytest.mark.parametrize("path, document", scenario_files())
def test_every_shipped_scenario_file_passes_the_schema(path, document):
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in VALIDATOR.iter_errors(as_json(document))]
    assert errors == []


def test_the_schema_knows_what_the_loader_knows():
    defs = SCHEMA["$defs"]
    assert set(defs["scenario"]["properties"]) == loader.SCENARIO_KEYS
    assert set(defs["scenario"]["required"]) == loader.SCENARIO_KEYS - {
        "match", "response", "sequence", "then", "any_of"}
    assert [alt["required"] for alt in defs["scenario"]["oneOf"]] == [
        ["response"], ["sequence"], ["any_of"]]
    assert defs["scenario"]["properties"]["then"]["enum"] == list(loader.THEN)
    assert defs["scenario"]["properties"]["sequence"]["items"]["oneOf"][0] == {
        "const": loader.ROUTE_STEP}
    assert set(defs["response"]["properties"]) == loader.RESPONSE_KEYS
    assert tuple(defs["match"]["properties"]) == loader.MATCH_KEYS
    assert defs["scenario"]["properties"]["name"]["pattern"] == loader.NAME_RE.pattern
    assert defs["response"]["properties"]["fault"]["enum"] == [*loader.FAULTS, None]
    assert defs["response"]["properties"]["delay_ms"]["maximum"] == loader.MAX_DELAY_MS
    assert set(defs["route"]["enum"]) == set(ROUTES)
    assert set(defs["bcsRoute"]["enum"]) == {name for name, catalog in ROUTES.items()
                                             if catalog is not None}


GOOD = {"name": "a-scenario", "description": "Says what it is for", "routes": ["core_customer"],
        "response": {"status": 400, "message": "no"}}
BCS = {**GOOD, "routes": ["create_customer"]}
NO_RESPONSE = {k: v for k, v in GOOD.items() if k != "response"}
SEQUENCE = {**{k: v for k, v in GOOD.items() if k != "response"},
            "sequence": [{"status": 503, "message": "down"}, "route"]}

# (case, scenario, valid): the loader's verdict, which the schema must share.
CASES = [
    ("the base case", GOOD, True),
    ("one route as a string", {**GOOD, "routes": "core_customer"}, True),
    ("a full match", {**GOOD, "match": {"headers": {"X-Channel": "mobile"},
                                        "query": {"mnemonic": {"regex": "^CC9"}},
                                        "body": {"client_info.document_number": 1234}}}, True),
    ("match: null", {**GOOD, "match": None}, True),
    ("a body with templates, headers, delay and fault",
     {**GOOD, "response": {"status": 502, "headers": {"X-Reason": "{{ request.path }}"},
                           "body": {"n": "{{ 1 + 1 }}"}, "delay_ms": 250,
                           "fault": "truncated_body"}}, True),
    ("a body_template", {**GOOD, "response": {"body_template": '{"a": {{ 1 }}}'}}, True),
    ("only a delay", {**GOOD, "response": {"delay_ms": 60000}}, True),
    ("a catalog error on a BCS route", {**BCS, "response": {"error": "500:3"}}, True),
    ("fault: null with an error", {**BCS, "response": {"error": "50628", "fault": None}}, True),
    ("an unknown fault", {**GOOD, "response": {"status": 200, "body": {}, "fault": "timeout"}},
     False),
    ("no routes", {k: v for k, v in GOOD.items() if k != "routes"}, False),
    ("an empty route list", {**GOOD, "routes": []}, False),
    ("an unknown route", {**GOOD, "routes": ["core_client"]}, False),
    ("no response", {k: v for k, v in GOOD.items() if k != "response"}, False),
    ("no description", {k: v for k, v in GOOD.items() if k != "description"}, False),
    ("a blank description", {**GOOD, "description": "  "}, False),
    ("a name that is not kebab-case", {**GOOD, "name": "My_Scenario"}, False),
    ("an unknown scenario key", {**GOOD, "priority": 1}, False),
    ("an unknown response key", {**GOOD, "response": {"status": 200, "json": {}}}, False),
    ("an unknown match key", {**GOOD, "match": {"cookies": {"a": "b"}}}, False),
    ("a list as a match value", {**GOOD, "match": {"query": {"a": [1, 2]}}}, False),
    ("a regex with company", {**GOOD, "match": {"query": {"a": {"regex": "x", "flags": "i"}}}},
     False),
    ("body and message", {**GOOD, "response": {"body": {}, "message": "no"}}, False),
    ("body_template and error", {**BCS, "response": {"body_template": "{}", "error": "1"}}, False),
    ("a status out of range", {**GOOD, "response": {"status": 999, "body": {}}}, False),
    ("a status that is text", {**GOOD, "response": {"status": "400", "body": {}}}, False),
    ("a delay over a minute", {**GOOD, "response": {"delay_ms": 60001}}, False),
    ("a negative delay", {**GOOD, "response": {"delay_ms": -1}}, False),
    ("an error on a core route", {**GOOD, "response": {"error": "50628"}}, False),
    ("an unquoted error code", {**BCS, "response": {"error": 50628}}, False),
    ("an error with a status", {**BCS, "response": {"error": "50628", "status": 404}}, False),
    ("a fault with a message", {**GOOD, "response": {"message": "x", "fault": "empty_body"}}, False),
    ("a fault with an error", {**BCS, "response": {"error": "1", "fault": "empty_body"}}, False),
    ("a message that is not text", {**GOOD, "response": {"message": {"a": 1}}}, False),
    ("a path match", {**GOOD, "match": {"path": {"identserialnum": "1234567890"}}}, True),
    ("made of others", {**NO_RESPONSE, "any_of": ["a-scenario", "b"]}, True),
    ("any_of and response", {**GOOD, "any_of": ["b"]}, False),
    ("an empty any_of", {**NO_RESPONSE, "any_of": []}, False),
    ("any_of not a list", {**NO_RESPONSE, "any_of": "b"}, False),
    ("a sequence", {**SEQUENCE, "sequence": [{"status": 500, "message": "x"}, "route"],
                    "then": "cycle"}, True),
    ("a sequence without then", SEQUENCE, True),
    ("a sequence of catalog errors on BCS", {**SEQUENCE, "routes": ["create_customer"],
                                             "sequence": [{"error": "500"}, "route"]}, True),
    ("a catalog error step on a core route", {**SEQUENCE, "sequence": [{"error": "500"}]}, False),
    ("an empty sequence", {**SEQUENCE, "sequence": []}, False),
    ("a sequence step that is other text", {**SEQUENCE, "sequence": ["again"]}, False),
    ("a bad sequence step", {**SEQUENCE, "sequence": [{"status": 999}]}, False),
    ("an unknown then", {**SEQUENCE, "then": "stop"}, False),
    ("then without a sequence", {**GOOD, "then": "cycle"}, False),
    ("both response and sequence", {**SEQUENCE, "response": {"status": 200}}, False),
    ("a sequence and any_of", {**SEQUENCE, "any_of": ["b"]}, False),
    ("any_of with then", {**NO_RESPONSE, "any_of": ["b"], "then": "cycle"}, False),
]


def loader_accepts(tmp_path, scenario) -> bool:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump({"scenarios": [scenario]}), encoding="utf-8")
    faults: list = []
    loaded = loader.load_file(path, "case.yaml", ROUTES, faults)
    return not faults and len(loaded) == 1


@pytest.mark.parametrize("case, scenario, valid", CASES, ids=[c[0] for c in CASES])
def test_the_schema_agrees_with_the_loader(tmp_path, case, scenario, valid):
    assert loader_accepts(tmp_path, scenario) is valid
    assert VALIDATOR.is_valid({"scenarios": [scenario]}) is valid


def test_a_file_without_a_scenarios_list_is_refused():
    assert not VALIDATOR.is_valid({"errors": []})
    assert not VALIDATOR.is_valid({"scenarios": {"name": "not-a-list"}})
