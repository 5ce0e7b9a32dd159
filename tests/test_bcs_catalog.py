"""The BCS error catalog: every row of seed 004's error tables, find/error/is_magic, the envelope
of errors raised without a code, GET /__sandbox/errors and `sandbox errors`."""
from __future__ import annotations

import glob
import os
from collections import Counter
from pathlib import Path

import pytest

from sandbox.apis.bcs import envelope
from sandbox.apis.bcs.routes import RESPONSE_TYPES
from sandbox.apis.bcs.catalog import Catalog, UnknownCode
from sandbox.cli import main as cli
from sandbox.errors import error_response

from .conftest import BCS_HEADERS

BASE = "/api/customersManagement/v1"
# The seeds live beside the checkout (../shared/seeds), here and on CI; SANDBOX_SEEDS names
# another folder.
SEEDS = os.environ.get("SANDBOX_SEEDS") or str(Path(__file__).resolve().parents[2] / "shared" / "seeds")
SEED = glob.glob(os.path.join(SEEDS, "004_*.txt"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_every_table_row_is_a_catalog_row(catalog):
    assert len(catalog.rows) == 306
    assert Counter(row["routes"][0] for row in catalog.rows) == {
        "customer_locations": 137, "channel_contact": 137, "customer_name_by_account": 13,
        "secure_data": 7, "basic_data_v1": 6, "basic_data_v2": 6}
    for row in catalog.rows:
        assert isinstance(row["status"], int) and 400 <= row["status"] <= 500
        assert isinstance(row["code"], str) and row["code"]
        assert row["type"] and row["description"]
        assert all(route in RESPONSE_TYPES for route in row["routes"])
    assert len({row["id"] for row in catalog.rows}) == 306


@pytest.mark.skipif(not SEED and os.environ.get("CI") != "true",
                    reason=f"seed 004 not in {SEEDS} (set SANDBOX_SEEDS)")
def test_catalog_matches_the_seed_tables(catalog):
    from tools.extract_bcs_catalog import parse
    with open(SEED[0], encoding="utf-8") as handle:
        parsed = parse(handle.read())
    keys = ("status", "code", "type", "description", "routes")
    assert [{k: r[k] for k in keys} for r in parsed] == [{k: r[k] for k in keys}
                                                         for r in catalog.rows]


def test_codes_keep_leading_zeros_and_both_column_orders(catalog):
    assert catalog.find("00001")["type"] == "DAT"
    assert catalog.find("1")["description"] == "BAD REQUEST."
    assert catalog.find("05622") == {**catalog.find("05622"), "status": 400, "type": "RGN",
                                     "description": "CLIENTE NO ES TITULAR DE LA CUENTA"}
    # `HTTP Code | Error Type | Error Code` tables: the type is STA, the code the number.
    row = catalog.find("51011")
    assert (row["status"], row["type"], row["description"]) == (400, "STA",
                                                                "CLIENTE NO EXISTE BCSC")
    assert catalog.find("50629")["status"] == 404


def test_rows_sharing_a_code_keep_their_own_description(catalog):
    descriptions = [row["description"] for row in catalog.by_code["500"]]
    assert descriptions == ["INTERNAL SERVER ERROR", "INTERNAL SERVER ERROR", "CA0201ACCOUNT",
                            "TABLAS CD0105CLIENT,CD0102RCLIENT", "CC0105CLIENTNUM",
                            "SELECT CD0105CLIENT", "FSESTSIS:ERROR LEYENDO TABLA CA1401BANK",
                            "ERROR DE INICIO TP"]
    assert catalog.find("500:3")["description"] == "CA0201ACCOUNT"
    assert catalog.find("SQLCODE:2")["description"] == "NO EXISTE REGISTRO CD0105CLIENT,CD0102RCLIENT"
    # A bare code prefers the row the route's own table lists.
    assert catalog.find("00001", "secure_data")["type"] == "INP"
    assert catalog.find("00001", "basic_data_v2")["type"] == "DAT"


@pytest.mark.parametrize("spec", ["nope", "99999", "500:9", "500:0", "500:x", ""])
def test_unknown_codes_say_where_the_valid_ones_are(catalog, spec):
    with pytest.raises(UnknownCode) as info:
        catalog.find(spec)
    assert isinstance(info.value, KeyError)
    assert "GET /__sandbox/errors" in str(info.value)


def test_magic_numbers(catalog):
    assert catalog.is_magic("99950628")["code"] == "50628"
    assert catalog.is_magic("99900001", "secure_data")["type"] == "INP"
    for ident in ("9995062", "999506281", "99999999", "1234567890", "CC99950628", ""):
        assert catalog.is_magic(ident) is None


@pytest.mark.parametrize("operation, value", [
    ("basic_data_v1", "ER"), ("create_customer", "ER"), ("sync_data", "ER500"),
    ("status_basic_data", "ER500"), ("query_pila", "ER500"),
    ("remittances_basic_data", "ER400"), (None, "ER")])
def test_error_renders_in_the_routes_envelope(catalog, operation, value):
    err = catalog.error(catalog.find("05620"), operation)
    assert err.status == 404
    assert err.body == {"responseType": {"value": value},
                        "responseDetail": {"errorCode": "05620",
                                           "errorDesc": "NO EXISTE NÚMERO DE CUENTA",
                                           "errorType": "RGN"}}


def test_every_row_renders_through_error_response(app, catalog):
    """The whole catalog: each row, rendered on one of its routes, answers the seed's status,
    code, type and description in that route's envelope."""
    sandbox = app.extensions["sandbox"]
    with app.test_request_context():
        for row in catalog.rows:
            operation = sandbox.operations.get(row["routes"][0], row["routes"][0])
            response = error_response(catalog.error(row, operation), sandbox.envelope_for("bcs"),
                                      operation)
            assert response.status_code == row["status"], row
            assert response.json == {
                "responseType": {"value": envelope.response_type(row["routes"][0])},
                "responseDetail": {"errorCode": row["code"], "errorDesc": row["description"],
                                   "errorType": row["type"]}}


def test_detail_follows_the_description(catalog):
    err = catalog.fail("00001", "create_customer", "personName.firstName")
    assert err.body["responseDetail"]["errorDesc"] == (
        "User required fields are missing. (personName.firstName)")


def test_unknown_bcs_path_answers_in_the_bcs_envelope(client):
    response = client.get(BASE + "/no/such/route", headers=BCS_HEADERS)
    assert response.status_code == 404
    detail = response.json["responseDetail"]
    assert response.json["responseType"] == {"value": "ER"}
    assert (detail["errorCode"], detail["errorType"]) == ("1006", "BDA")
    assert detail["errorDesc"].startswith("NO FOUND (No route GET")


def test_admin_errors_lists_and_filters(client):
    everything = client.get("/__sandbox/errors").json
    assert everything["count"] == 306 and len(everything["errors"]) == 306
    five_hundreds = client.get("/__sandbox/errors?code=500").json["errors"]
    assert [row["spec"] for row in five_hundreds] == ["500", "500", "500:3", "500:4", "500:5",
                                                      "500:6", "500:7", "500:8"]
    one = client.get("/__sandbox/errors?code=500:3").json["errors"]
    assert [row["description"] for row in one] == ["CA0201ACCOUNT"]
    unknown = client.get("/__sandbox/errors?code=77777")
    assert unknown.status_code == 400
    assert "sandbox errors" in unknown.json["message"] and "50628" in unknown.json["codes"]


def test_cli_errors(capsys):
    assert cli(["errors", "05621"]) == 0
    out = capsys.readouterr().out
    assert "NO EXISTE TITULAR PARA LA CTA" in out and "X-Sandbox-Error: 05621" in out
    assert "99905621" in out
    assert cli(["errors"]) == 0
    assert "306 rows" in capsys.readouterr().out
    assert cli(["errors", "nope"]) == 1
    assert "GET /__sandbox/errors" in capsys.readouterr().out


# -- tools/extract_bcs_catalog.py: the seed's path is an argument ---------------------------------
TINY_SEED = """Path:
GET /customerAccountManagement/v1/BasicData
HTTP Code | Error Code | Error Type | Description
--- | --- | --- | ---
400 | 00001 | DAT | “Campo requerido”
404 | 1006 | BDA | NO FOUND
"""


def test_the_extractor_needs_the_seed_path(capsys):
    from tools.extract_bcs_catalog import main
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "usage: python tools/extract_bcs_catalog.py" in capsys.readouterr().err


def test_the_extractor_writes_the_catalog_of_the_seed_it_is_given(tmp_path):
    import yaml
    from tools.extract_bcs_catalog import main
    seed, out = tmp_path / "004_seed.txt", tmp_path / "catalog.yaml"
    seed.write_text(TINY_SEED, encoding="utf-8")
    assert main([str(seed), str(out)]) == 0
    rows = yaml.safe_load(out.read_text(encoding="utf-8"))["errors"]
    assert [(r["status"], r["code"], r["type"], r["description"], r["routes"]) for r in rows] == [
        (400, "00001", "DAT", "Campo requerido", ["basic_data_v1"]),
        (404, "1006", "BDA", "NO FOUND", ["basic_data_v1"])]


def test_the_extractor_says_when_it_cannot_read_the_seed(tmp_path, capsys):
    from tools.extract_bcs_catalog import main
    assert main([str(tmp_path / "missing.txt"), str(tmp_path / "out.yaml")]) == 2
    assert "cannot read the seed" in capsys.readouterr().err
    assert not (tmp_path / "out.yaml").exists()
