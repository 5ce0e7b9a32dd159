"""The admin API under /__sandbox: every route, its answers and its errors."""
from tests.conftest import CORE_AUTH


def test_health(client):
    assert client.get("/__sandbox/health").json["status"] == "ok"


def test_scenarios_lists_name_description_routes_status_and_trigger(client):
    answer = client.get("/__sandbox/scenarios").json
    assert answer["session"] == "default" and answer["active"] is None
    entry = next(s for s in answer["scenarios"] if s["name"] == "product-opening-suspended")
    assert entry["routes"] == ["create_customer"]
    assert entry["status"] == 400 and entry["error"] == "50628"
    assert entry["description"]
    assert entry["trigger"] == {
        "header": "X-Sandbox-Scenario: product-opening-suspended",
        "activate": 'PUT /__sandbox/scenarios/active {"name": "product-opening-suspended"}'}
    assert entry["file"].endswith(".yaml:" + entry["file"].rsplit(":", 1)[1])


def test_scenarios_filtered_by_route(client):
    listed = client.get("/__sandbox/scenarios?route=query_pila").json["scenarios"]
    assert listed and all("query_pila" in s["routes"] for s in listed)


def test_activate_show_and_clear_the_active_scenario(client):
    put = client.put("/__sandbox/scenarios/active", json={"name": "core-internal-error"})
    assert put.status_code == 200
    assert put.json == {"session": "default", "active": "core-internal-error",
                        "routes": ["core_customer", "core_product"]}
    assert client.get("/__sandbox/scenarios/active").json["active"] == "core-internal-error"
    listed = client.get("/__sandbox/scenarios").json
    assert listed["active"] == "core-internal-error"
    assert [s["name"] for s in listed["scenarios"] if s["active"]] == ["core-internal-error"]
    assert client.delete("/__sandbox/scenarios/active").json == {"session": "default",
                                                                  "active": None}
    assert client.get("/__sandbox/scenarios/active").json["active"] is None


def test_fixtures_lists_records_by_kind_without_indexes(client):
    kinds = client.get("/__sandbox/fixtures").json
    assert kinds and not any(kind.startswith("_") for kind in kinds)


def test_reset_clears_the_active_scenario_and_journal(client):
    client.put("/__sandbox/scenarios/active", json={"name": "core-internal-error"})
    client.post("/core_customer", json={}, headers=CORE_AUTH)
    assert client.get("/__sandbox/requests").json["requests"]
    assert client.post("/__sandbox/reset").json == {"reset": True, "session": "default"}
    assert client.get("/__sandbox/scenarios/active").json["active"] is None
    assert client.get("/__sandbox/requests").json["requests"] == []


def test_unknown_admin_path_is_a_404_in_json(client):
    response = client.get("/__sandbox/nope")
    assert response.status_code == 404 and "message" in response.json
