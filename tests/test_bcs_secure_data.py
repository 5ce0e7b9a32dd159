"""PUT /customer-management/v1/secure-data (seed 004, Update Personal Secure Data Management).

The seed shows no request example; this body follows its field table."""
import pytest

from tests.bcs_profile_support import BASE, FIXTURE_CC, JSON_HEADERS, assert_bcs_error, assert_shape
from tests.conftest import BCS_HEADERS

URL = BASE + "/customer-management/v1/secure-data"
REMITTANCES = BASE + "/customers-management/v1/remittances/basic-data/"


def secure_body(**answers) -> dict:
    return {"govIssueIdent": {"identSerialNum": FIXTURE_CC, "govIssueIdentType": "CC"},
            "administrationOffice": {"branchId": "1102"}, "submitOffice": {"branchId": "112"},
            "compliance": [{"question": q, "answer": a} for q, a in answers.items()]}


def compliance(client, number=FIXTURE_CC) -> dict:
    response = client.get(f"{REMITTANCES}{number}?govIssueIdentType=CC", headers=BCS_HEADERS)
    return response.json["compliance"]


def test_answers_are_accepted_with_the_example_response(client):
    body = secure_body(preguntaATDP001=True, preguntaATDP002=False, preguntaATDP003=True)
    response = client.put(URL, json=body, headers=JSON_HEADERS)
    assert response.status_code == 200
    assert_shape(response.json, "004_secure_data_response")
    assert response.json == {"responseType": {"value": "OK"}}


def test_answers_are_stored_per_customer_and_read_back_by_remittances(client):
    assert compliance(client) == {"termsConditions": True, "personDataProcessing": True}
    client.put(URL, json=secure_body(preguntaATDP002=False), headers=JSON_HEADERS)
    assert compliance(client) == {"termsConditions": True, "personDataProcessing": False}
    # Another customer is untouched.
    assert compliance(client, "52345678") == {"termsConditions": True, "personDataProcessing": True}


def test_a_later_put_merges_with_the_earlier_answers(client, sandbox):
    client.put(URL, json=secure_body(preguntaATDP001=False, preguntaATDP003=True),
               headers=JSON_HEADERS)
    client.put(URL, json=secure_body(preguntaATDP002=False), headers=JSON_HEADERS)
    assert compliance(client) == {"termsConditions": False, "personDataProcessing": False}
    stored = sandbox.store.get("default", "bcs_customer", "CC:" + FIXTURE_CC)
    assert stored["compliance"]["questions"] == {
        "preguntaATDP001": False, "preguntaATDP002": False, "preguntaATDP003": True}


def test_answers_are_kept_per_session(client):
    client.put(URL, json=secure_body(preguntaATDP001=False),
               headers={**JSON_HEADERS, "X-Sandbox-Session": "qa-1"})
    assert compliance(client) == {"termsConditions": True, "personDataProcessing": True}


def test_credentials_are_required(client):
    response = client.put(URL, json=secure_body(preguntaATDP001=True))
    assert_bcs_error(response, 401, "1004")


@pytest.mark.parametrize("item, field", [
    ({"question": "preguntaATDP009", "answer": True}, "compliance.0.question"),
    ({"question": "preguntaATDP001", "answer": "true"}, "compliance.0.answer"),
    ({"question": "preguntaATDP001"}, "compliance.0.answer"),
])
def test_a_malformed_question_or_answer_is_00001_datos_incorrectos(client, item, field):
    body = {**secure_body(), "compliance": [item]}
    detail = assert_bcs_error(client.put(URL, json=body, headers=JSON_HEADERS), 400, "00001")
    assert detail["errorType"] == "INP"
    assert detail["errorDesc"].startswith("Error de entrada datos incorrectos")
    assert field in detail["errorDesc"]


def test_missing_required_fields_are_00001(client):
    detail = assert_bcs_error(client.put(URL, json={"compliance": []}, headers=JSON_HEADERS),
                              400, "00001")
    assert "govIssueIdent" in detail["errorDesc"]


def test_the_same_question_twice_is_00001(client):
    body = secure_body(preguntaATDP001=True)
    body["compliance"].append({"question": "preguntaATDP001", "answer": False})
    assert_bcs_error(client.put(URL, json=body, headers=JSON_HEADERS), 400, "00001")


def test_a_field_too_long_is_00001_longitud(client):
    body = secure_body(preguntaATDP001=True)
    body["govIssueIdent"]["identSerialNum"] = "1" * 21
    detail = assert_bcs_error(client.put(URL, json=body, headers=JSON_HEADERS), 400, "00001")
    assert detail["errorDesc"].startswith("Error en la longitud de la trama de entrada")


def test_an_unknown_customer_is_00001_datos_incorrectos(client):
    body = secure_body(preguntaATDP001=True)
    body["govIssueIdent"]["identSerialNum"] = "11111"
    detail = assert_bcs_error(client.put(URL, json=body, headers=JSON_HEADERS), 400, "00001")
    assert "no customer CC11111" in detail["errorDesc"]


def test_malformed_json_answers_in_the_route_envelope(client):
    response = client.put(URL, data="{", headers=JSON_HEADERS)
    assert_bcs_error(response, 400, "1")


def test_stored_answers_survive_a_restart_with_a_state_file(tmp_path):
    from sandbox import create_app
    from tests.conftest import make_config
    state = str(tmp_path / "state.db")
    first = create_app(make_config(state=state)).test_client()
    assert first.put(URL, json=secure_body(preguntaATDP002=False),
                     headers=JSON_HEADERS).status_code == 200
    first.application.extensions["sandbox"].store.close()
    again = create_app(make_config(state=state)).test_client()
    assert compliance(again) == {"termsConditions": True, "personDataProcessing": False}
