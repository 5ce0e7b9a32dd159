"""GET /__sandbox/ (sandbox/admin/console.py), registered here on the real app."""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
import requests

from sandbox.admin import console
from tests.conftest import LiveServer
from tests.test_openapi import served, with_registered


def with_console(app):
    return with_registered(app, console, "admin_console")


@pytest.fixture
def page(app):
    return served(app, console, "admin_console", "/__sandbox/", "text/html").get_data(as_text=True)


def embedded(page: str) -> dict:
    match = re.search(r'<script id="sandbox-data" type="application/json">(.*?)</script>', page,
                      re.S)
    return json.loads(match.group(1))


def test_the_page_needs_nothing_from_outside(page):
    assert "<script src" not in page and "<link" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    # Its style and script are inlined, not placeholders.
    assert "/*__" not in page
    assert "function pollJournal" in page and "font:" in page


def example_url(route: dict, path_examples: dict) -> str:
    """The URL the console's Try starts from: path examples filled in, the query example added."""
    path = re.sub(r"\{(\w+)\}", lambda m: path_examples[m.group(1)], route["path"])
    query = urlencode([(q["name"], q["example"]) for q in route["query"]])
    return path + ("?" + query if query else "")


def test_every_route_answers_its_success_status_to_the_example_the_page_fills_in(app, sandbox,
                                                                                  page):
    data = embedded(page)
    routes = {route["name"]: route for route in data["routes"]}
    assert set(routes) == set(sandbox.operations)
    assert routes["cliente"]["auth_label"] == "none" and routes["cliente"]["headers"] == {}
    assert routes["basic_data_v1"]["query"] == [{"name": "mnemonic", "example": "CC1234567890"}]
    client = app.test_client()
    for route in routes.values():
        response = client.open(example_url(route, data["path_examples"]), method=route["method"],
                               headers=route["headers"], json=route["request_example"])
        assert response.status_code == route["success_status"], (route["name"], response.get_json())


def test_the_page_shows_credentials_catalog_and_fixtures(sandbox, page):
    data = embedded(page)
    config = sandbox.config
    lines = [line for entry in data["credentials"] for line in entry["lines"]]
    assert f"user {config.core_user}" in lines
    assert f"X-Security-ClientID: {config.bcs_client_id}" in lines
    expected_rows = len(sandbox.catalog.rows) if sandbox.catalog is not None else 0
    assert len(data["catalog"]) == expected_rows
    assert data["fixtures"]["cooperative_member"] == 26
    assert not any(kind.startswith("_") for kind in data["fixtures"])


def test_the_live_parts_read_admin_routes_that_answer(app, page):
    client = app.test_client()
    for path in ("/__sandbox/requests", "/__sandbox/scenarios"):
        if path in page or path.removeprefix("/__sandbox") in page:
            assert client.get(path).status_code == 200, path


def test_embedded_values_cannot_close_the_script_element():
    html = console.render('<script type="application/json">/*__DATA__*/</script>',
                          {"summary": "</script><script>alert(1)</script>"})
    assert html.count("</script>") == 1
    assert json.loads(html.split(">", 1)[1].rsplit("<", 1)[0]) == {
        "summary": "</script><script>alert(1)</script>"}


def test_the_console_without_its_slash_redirects_to_it(app):
    response = with_console(app).test_client().get("/__sandbox")
    assert response.status_code in (301, 308)
    assert response.headers["Location"].endswith("/__sandbox/")


def test_the_console_is_served_over_a_real_socket(app):
    with LiveServer(with_console(app)) as server:
        response = requests.get(server.url + "/__sandbox/", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert embedded(response.text)["version"]
