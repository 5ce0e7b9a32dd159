"""The journal's filters and count (GET /__sandbox/requests?..., /requests/count?...): what a QA
suite asks to verify what the app sent, on the real routes."""
import pytest

from tests.conftest import BCS_HEADERS, CORE_AUTH

BASIC_DATA = "/api/customersManagement/v1/customerAccountManagement/v1/BasicData"
CLIENTE = {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 25326461}


def listed(client, query="", **headers):
    response = client.get("/__sandbox/requests" + query, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["requests"]


def counted(client, query="", **headers):
    response = client.get("/__sandbox/requests/count" + query, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["count"]


@pytest.fixture
def traffic(client):
    """Six requests: cliente twice, a BCS read, a forced BCS error, a core call refused for its
    credentials, and a request to no route."""
    client.post("/cliente", json=CLIENTE)
    client.get(BASIC_DATA + "?mnemonic=CC1234567890", headers=BCS_HEADERS)
    client.get(BASIC_DATA + "?mnemonic=CC1234567890",
               headers={**BCS_HEADERS, "X-Sandbox-Error": "50628"})
    client.post("/core_customer", json={})
    client.post("/cliente", json=CLIENTE)
    client.get("/core_custmer")
    return client


def test_each_filter_selects_what_it_names(traffic):
    assert [e["operation"] for e in listed(traffic, "?operation=cliente")] == ["cliente"] * 2
    assert {e["method"] for e in listed(traffic, "?method=get")} == {"GET"}
    assert len(listed(traffic, "?method=GET")) == 3
    assert [e["path"] for e in listed(traffic, "?path=/core_customer")] == ["/core_customer"]
    assert [e["status"] for e in listed(traffic, "?status=401")] == [401]
    [forced] = listed(traffic, "?answered_by=error:50628")
    assert forced["path"] == BASIC_DATA and forced["status"] == 400
    [unmatched] = listed(traffic, "?answered_by=unmatched")
    assert unmatched["path"] == "/core_custmer" and unmatched["operation"] is None


def test_filters_combine_with_and(traffic):
    both = listed(traffic, f"?operation=basic_data_v1&status=200")
    assert len(both) == 1 and both[0]["answered_by"] == "route"
    assert listed(traffic, "?operation=cliente&method=GET") == []
    assert counted(traffic, "?operation=basic_data_v1&answered_by=route&method=GET") == 1


def test_ids_increase_and_since_keeps_only_newer_entries(traffic):
    entries = listed(traffic)
    ids = [entry["id"] for entry in entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6
    assert all(isinstance(i, int) for i in ids)
    third_newest = ids[2]
    assert [e["id"] for e in listed(traffic, f"?since={third_newest}")] == ids[:2]
    assert counted(traffic, f"?since={ids[0]}") == 0
    traffic.post("/cliente", json=CLIENTE)
    [newer] = listed(traffic, f"?since={ids[0]}")
    assert newer["id"] > ids[0] and newer["operation"] == "cliente"


def test_the_request_id_is_the_answers_x_request_id(client):
    response = client.post("/cliente", json=CLIENTE)
    [entry] = listed(client)
    assert entry["request_id"] == response.headers["X-Request-Id"]


def test_count_answers_how_many_match(traffic):
    assert traffic.get("/__sandbox/requests/count").json == {"count": 6}
    assert counted(traffic, "?operation=cliente") == 2
    assert counted(traffic, "?operation=cliente&limit=1") == 1
    assert counted(traffic, "?status=599") == 0


def test_limit_applies_after_the_filters_newest_first(traffic):
    [newest] = listed(traffic, "?operation=cliente&limit=1")
    assert newest["id"] == max(e["id"] for e in listed(traffic, "?operation=cliente"))
    assert listed(traffic, "?limit=0") == []


def test_sessions_are_counted_apart(client):
    client.post("/cliente", json=CLIENTE, headers={"X-Sandbox-Session": "ana"})
    assert counted(client, "?operation=cliente", **{"X-Sandbox-Session": "ana"}) == 1
    assert counted(client, "?operation=cliente") == 0
    assert counted(client, "?operation=cliente", **{"X-Sandbox-Session": "bo"}) == 0


@pytest.mark.parametrize("route", ["/__sandbox/requests", "/__sandbox/requests/count"])
@pytest.mark.parametrize("query,named", [
    ("?operations=cliente", "operations"),
    ("?statsu=200", "statsu"),
    ("?status=abc", "status"),
    ("?status=42", "status"),
    ("?since=-1", "since"),
    ("?since=1.5", "since"),
    ("?limit=x", "limit"),
    ("?method=GE%20T", "method"),
    ("?operation=clientes", "operation"),
    ("?status=200&status=500", "status"),
])
def test_an_unknown_filter_or_a_malformed_value_is_a_400_naming_the_valid_ones(client, route,
                                                                             query, named):
    response = client.get(route + query)
    assert response.status_code == 400
    message = response.json["message"]
    assert set(response.json) == {"message"} and named in message
    if named == "operation":
        assert "cliente" in message and "basic_data_v1" in message  # the valid operations
    else:
        assert "operation, method, path, status, answered_by, since, limit" in message
