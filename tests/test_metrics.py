"""GET /__sandbox/metrics: Prometheus's text format, counted by the real app."""

from prometheus_client.parser import text_string_to_metric_families

from sandbox import create_app
from sandbox.config import Config
from tests.conftest import BCS_HEADERS, CORE_AUTH, make_config, seed_example
from tests.redis_support import redis_server  # noqa: F401 (a fixture)

CLIENTE = {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 25326461}
BASIC_V4 = ("/api/customersManagement/v1/customerAccountManagement/v4/basicData"
            "?govIssueIdentType=CC&identSerialNum=1234567890")


def scrape(client) -> dict:
    """{(sample name, labels as a sorted tuple): value}."""
    response = client.get("/__sandbox/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def requests_total(samples, operation, status, answered_by="route"):
    key = ("sandbox_requests_total", (("answered_by", answered_by), ("operation", operation),
                                      ("status", str(status))))
    return samples.get(key, 0)


def test_requests_are_counted_by_operation_status_and_answerer(client):
    for _ in range(3):
        assert client.post("/cliente", json=CLIENTE).status_code == 200
    assert client.post("/core_customer", json={}, headers=CORE_AUTH).status_code == 400
    forced = client.get(BASIC_V4, headers={**BCS_HEADERS, "X-Sandbox-Error": "50628"})
    scenario = client.post("/core_customer", json={}, headers={
        **CORE_AUTH, "X-Sandbox-Scenario": "core-customer-rejected"})
    client.get("/nowhere")
    client.get("/__sandbox/health")
    samples = scrape(client)
    assert requests_total(samples, "cliente", 200) == 3
    assert requests_total(samples, "core_customer", 400) == 1
    # The kind of answerer, not the code or the scenario: the series stay few.
    assert requests_total(samples, "basic_data_v4", forced.status_code, "error") == 1
    assert requests_total(samples, "core_customer", scenario.status_code, "scenario") == 1
    assert requests_total(samples, "unmatched", 404, answered_by="unmatched") == 1
    assert requests_total(samples, "admin", 200) == 1
    assert not [key for key in samples if "50628" in str(key) or "rejected" in str(key)]


def test_latency_histogram_counts_every_answer_in_its_buckets(client):
    for _ in range(4):
        client.post("/cliente", json=CLIENTE)
    client.post("/cliente", json=CLIENTE, headers={"X-Sandbox-Delay": "120"})
    samples = scrape(client)
    op = ("operation", "cliente")
    assert samples[("sandbox_request_duration_seconds_count", (op,))] == 5
    assert samples[("sandbox_request_duration_seconds_sum", (op,))] >= 0.12
    assert samples[("sandbox_request_duration_seconds_bucket", (("le", "0.1"), op))] == 4
    assert samples[("sandbox_request_duration_seconds_bucket", (("le", "+Inf"), op))] == 5


def test_records_stored_and_journal_size_are_taken_at_scrape(client):
    records_and_journal_at_scrape(client)


def test_on_redis_records_stored_and_journal_size_are_redis_s(redis_server):
    redis_server.client().flushdb()
    app = create_app(Config.from_env(state=redis_server.url, log_requests=False))
    try:
        records_and_journal_at_scrape(app.test_client())
    finally:
        app.extensions["sandbox"].store.close()


def records_and_journal_at_scrape(client):
    before = scrape(client)
    assert before[("sandbox_journal_entries", ())] == 0
    request = seed_example("000_request_1")
    created = client.post("/core_customer", json=request, headers=CORE_AUTH)
    assert created.status_code in (200, 201)
    client.post("/core_customer", json=request, headers={**CORE_AUTH,
                                                          "X-Sandbox-Session": "other"})
    samples = scrape(client)
    stored = samples[("sandbox_records_stored", (("kind", "core_customer"),))]
    assert stored == 2  # one per session, fixtures not counted
    assert samples[("sandbox_journal_entries", ())] == 2
    assert samples[("sandbox_journal_bytes", ())] > 0
    client.post("/__sandbox/reset")
    client.post("/__sandbox/reset", headers={"X-Sandbox-Session": "other"})
    after = scrape(client)
    assert after[("sandbox_records_stored", (("kind", "core_customer"),))] == 0
    assert after[("sandbox_journal_entries", ())] == 0
    assert not [key for key in after if key[0] == "sandbox_records_stored"
                and key[1][0][1].startswith("_")]  # indexes and counters are not records


def test_each_app_counts_for_itself():
    first, second = (create_app(make_config()).test_client() for _ in range(2))
    first.post("/cliente", json=CLIENTE)
    assert requests_total(scrape(first), "cliente", 200) == 1
    assert requests_total(scrape(second), "cliente", 200) == 0


def test_an_answers_labelled_children_are_looked_up_once(sandbox, monkeypatch):
    # What keeps counting to ~1 us per answer (measured in make bench, not here): prometheus's
    # labels() builds and hashes a key and takes a lock; observe() pays it once per answer kind.
    metrics = sandbox.metrics
    looked_up = []
    for family in (metrics.requests, metrics.latency):
        labels = family.labels
        monkeypatch.setattr(family, "labels", lambda *values, labels=labels: (
            looked_up.append(values), labels(*values))[1])
    for _ in range(1000):
        metrics.observe("cliente_once", 200, "route", 0.0002)
    assert looked_up == [("cliente_once", "200", "route"), ("cliente_once",)]
    assert metrics.requests.labels("cliente_once", "200", "route")._value.get() == 1000
