"""trn.trnRqUID, the request's audit number: "Numero unico de 6 digitos generado por el canal"
(status-basic-data's table; query-pila's lists the same field, "Número de auditoría para
seguimiento del sistema", without saying it again)."""
from __future__ import annotations

import copy

import pytest

from tests.bcs_profile_support import BASE, JSON_HEADERS, assert_bcs_error
from tests.conftest import seed_example

ROUTES = {"status": (BASE + "/customer-management/v1/status-basic-data", "004_status_request"),
          "pila": (BASE + "/customer-management/v1/query-pila", "004_pila_request")}


def post(client, route: str, audit):
    url, example = ROUTES[route]
    body = copy.deepcopy(seed_example(example))
    body["trn"]["trnRqUID"] = audit
    return client.post(url, json=body, headers=JSON_HEADERS)


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("audit", ["12345", "1234567", "12A456", " 123456"])
def test_an_audit_number_that_is_not_six_digits_is_a_bad_request(client, route, audit):
    detail = assert_bcs_error(post(client, route, audit), 400, "1", "ER500")
    assert "trn.trnRqUID" in detail["errorDesc"]


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_six_digits_are_an_audit_number(client, route):
    assert post(client, route, "000042").status_code == 200
