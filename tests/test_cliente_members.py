"""The cooperative's generated members: valid CURPs, realistic Mexican data, same seed same members."""
from __future__ import annotations

import re
import string
from datetime import date

import pytest
import yaml

from sandbox import create_app
from sandbox.apis.cooperative.backend import MEMBERS
from sandbox.apis.cooperative.curp import CurpRules
from sandbox.apis.cooperative.spanish import number_in_words
from sandbox.resources import shipped_scenarios_dir
from tests.conftest import make_config
from tests.test_cliente import SEED_RESPONSE, assert_same_shape

GEOGRAPHY = yaml.safe_load(
    (shipped_scenarios_dir() / "data" / "cooperative_geography.yaml").read_text(encoding="utf-8"))
STATES = {state["name"]: state for state in GEOGRAPHY["states"]}
# RENAPO's state codes (plus NE, born abroad), written out here rather than read from the data.
CURP_STATES = ("AS BC BS CC CL CM CS CH DF DG GT GR HG JC MC MN MS NT NL OC PL QT QR SP SL SR TC "
               "TS TL VZ YN ZS NE").split()
CURP_SHAPE = re.compile(r"^[A-Z][AEIOUX][A-Z]{2}(\d{2})(\d{2})(\d{2})([HM])([A-Z]{2})"
                        r"[B-DF-HJ-NP-TV-ZX]{3}([0-9A-Z])(\d)$")


def independent_check_digit_is_valid(curp: str) -> bool:
    """The official check digit: each of the first 17 characters is worth its index in
    0-9, A-N, Ñ, O-Z, weighted 18 down to 2; the digit is (10 - sum mod 10) mod 10."""
    alphabet = string.digits + string.ascii_uppercase[:14] + "Ñ" + string.ascii_uppercase[14:]
    value = {char: index for index, char in enumerate(alphabet)}
    total = sum(value[char] * weight for char, weight in zip(curp[:17], range(18, 1, -1)))
    return int(curp[17]) == (10 - total % 10) % 10


def generated(sandbox) -> list[dict]:
    return [m for m in sandbox.fixtures[MEMBERS].values() if m["data"]["num_socio"] != "55555555"]


@pytest.mark.parametrize("curp, valid", [
    ("HEGG560427MVZRRL04", True),    # RENAPO's own example
    ("LOOA531113HTCPBN07", True),
    ("HEGG560427MVZRRL05", False),
    ("LOOA531113HTCPBN01", False),
])
def test_the_independent_validator_knows_real_curps(curp, valid):
    assert independent_check_digit_is_valid(curp) is valid


def test_every_generated_member_has_a_valid_curp_that_matches_their_data(sandbox):
    members = generated(sandbox)
    assert len(members) == 25
    for member in members:
        curp, data = member["curp"], member["data"]
        shape = CURP_SHAPE.match(curp)
        assert shape, curp
        assert independent_check_digit_is_valid(curp), curp
        assert data["numero_documento"] == curp
        year, month, day, sex, state, homoclave, _ = shape.groups()
        born = date.fromisoformat(data["fecha_nacimiento"])
        assert born.strftime("%y%m%d") == year + month + day
        assert sex == {"Masculino": "H", "Femenino": "M"}[data["sexo"]]
        assert state in CURP_STATES and state == STATES[data["lugar_nacimiento"]]["curp"]
        # RENAPO: a digit for births before 2000, a letter from 2000 on.
        assert homoclave.isdigit() == (born.year < 2000), curp
        # The paternal surname's initial (a particle such as "de la" is skipped).
        assert curp[0] in {word[0] for word in _plain(data["apellidos"]).split()}, curp


def _plain(text: str) -> str:
    return text.upper().translate(str.maketrans("ÁÉÍÓÚÜ", "AEIOUU"))


@pytest.fixture(scope="module")
def rules():
    vocabulary = yaml.safe_load((shipped_scenarios_dir() / "data" /
                                 "cooperative_vocabulary.yaml").read_text(encoding="utf-8"))
    return CurpRules.from_data(vocabulary["curp"])


@pytest.mark.parametrize("names, expected_start", [
    (("Gabriela", "Hernández", "García"), "HEGG"),
    (("José Luis", "Pérez", "Gómez"), "PEGL"),          # José in a compound name is skipped
    (("María de los Ángeles", "de la Cruz", "López"), "CULA"),  # so are María and particles
    (("Ana", "Ñúñez", "Ordaz"), "XUOA"),                 # Ñ as an initial counts as X
    (("Ana", "Cabrera", "Cortés"), "CXCA"),              # CACA is an inconvenient word
])
def test_the_curp_builder_follows_renapo_rules(rules, names, expected_start):
    curp = rules.build(*names, date(1990, 5, 17), "M", "JC", "0")
    assert curp[:4] == expected_start
    assert curp[4:13] == "900517MJC"
    assert independent_check_digit_is_valid(curp)


def test_generated_members_are_realistic_mexicans(sandbox):
    members = generated(sandbox)
    # Some with a business, a spouse, a second job; some without (empty-string objects).
    for flag in (lambda d: d["es_socio_comercial"] == "1", lambda d: d["conyugue"]["edad"] != "",
                 lambda d: d["segundo_empleo"]["puesto"] != ""):
        assert 0 < sum(bool(flag(m["data"])) for m in members) < len(members)
    for member in members:
        data = member["data"]
        state = STATES[data["estado"]]
        assert data["ciudad"] in [city for city, _ in state["cities"]]
        low, high = state["cp"]
        assert re.fullmatch(r"\d{5}", data["codigo_postal"])
        assert low <= int(data["codigo_postal"][:2]) <= high
        for phone in (data["telefono_Celular"], data["telefono_auxiliar"],
                      data["telefono_trabajo"], data["referencias"]["telefono"]):
            assert re.fullmatch(r"[1-9]\d{9}", phone), phone
        assert re.fullmatch(r"[a-z.]+\d+@[a-z.]+\.[a-z]+", data["email"]), data["email"]
        business = data["negocio"]
        if data["es_socio_comercial"] == "1":
            costs = ("compras", "pago_sueldos", "pago_renta", "pago_creditos", "otros")
            assert int(business["total_negocio"]) == int(business["ingresos"]) - sum(
                int(business[name]) for name in costs) > 0
        gastos = data["gatos"]
        assert int(gastos["total_gastos"]) == sum(int(v) for k, v in gastos.items()
                                                 if k != "total_gastos")
        assert int(data["total_valor_propiedades"]) == sum(
            int(p["valor"]) for p in data["propiedades"])


def test_generated_members_are_shaped_like_the_seed_example(sandbox):
    for member in generated(sandbox):
        assert_same_shape(member["data"], SEED_RESPONSE["data"], "data")


def test_member_numbers_and_curps_are_unique_and_relations_name_real_members(sandbox):
    members = list(sandbox.fixtures[MEMBERS].values())
    assert len({m["curp"] for m in members}) == len(members)
    names = {m["data"]["num_socio"]: f"{m['data']['primer_nombre']} {m['data']['apellidos']}"
             for m in members}
    for member in generated(sandbox):
        for relation in member["data"]["relaciones_socios"]:
            assert names[relation["numero_socio"]] == relation["nombre"]
            assert relation["numero_socio"] != member["data"]["num_socio"]


def _members(seed: int) -> dict:
    return create_app(make_config(seed=seed)).extensions["sandbox"].fixtures[MEMBERS]


def test_the_same_seed_gives_the_same_members_and_another_seed_others(sandbox):
    assert _members(42) == sandbox.fixtures[MEMBERS]
    other = _members(7)
    assert other != sandbox.fixtures[MEMBERS]
    assert other["55555555"] == sandbox.fixtures[MEMBERS]["55555555"]  # the seed's member stays
    assert {m["curp"] for m in other.values()} != {m["curp"] for m in sandbox.fixtures[MEMBERS].values()}


@pytest.mark.parametrize("number, words", [
    (0, "cero"), (21, "veintiuno"), (100, "cien"), (115, "ciento quince"),
    (21000, "veintiún mil"), (31000, "treinta y un mil"), (150500, "ciento cincuenta mil quinientos"),
    (1000000, "un millón"), (2000001, "dos millones uno"),
])
def test_amounts_are_written_in_spanish_words(number, words):
    assert number_in_words(number) == words
