"""Hot reload: a good edit is picked up, a broken one keeps the last good set and is logged."""
import json
import time

from tests.conftest import CORE_AUTH
from tests.scenario_kit import build_app, write

GOOD = """
scenarios:
  - name: reload-me
    description: First version
    routes: [test_core_show]
    response: {status: 200, body: {version: 1}}
"""
EDITED = GOOD.replace("version: 1", "version: 2").replace("First version", "Second version, longer")
BROKEN = GOOD.replace("status: 200", "status: 200, fault: nope")


def ask(client):
    return client.get("/test/core/9046", headers={**CORE_AUTH, "X-Sandbox-Scenario": "reload-me"})


def test_a_good_edit_is_picked_up(monkeypatch, tmp_path):
    write(tmp_path, "live.yaml", GOOD)
    app = build_app(monkeypatch, tmp_path)
    client, scenarios = app.test_client(), app.extensions["sandbox"].scenarios
    assert ask(client).json == {"version": 1}
    assert scenarios.reload_if_changed() is None          # nothing changed yet
    write(tmp_path, "live.yaml", EDITED)
    assert scenarios.reload_if_changed() is True
    assert ask(client).json == {"version": 2}


def test_a_broken_edit_keeps_the_last_good_set_and_logs(monkeypatch, tmp_path, capsys):
    write(tmp_path, "live.yaml", GOOD)
    app = build_app(monkeypatch, tmp_path)
    client, scenarios = app.test_client(), app.extensions["sandbox"].scenarios
    capsys.readouterr()
    write(tmp_path, "live.yaml", BROKEN)
    assert scenarios.reload_if_changed() is False
    assert ask(client).json == {"version": 1}
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    failures = [entry for entry in logged if entry.get("event") == "scenarios_reload_failed"]
    assert len(failures) == 1 and failures[0]["level"] == "error"
    assert "live.yaml:6:" in failures[0]["faults"][0] and "nope" in failures[0]["faults"][0]
    # Fixing the file brings the new version in.
    write(tmp_path, "live.yaml", EDITED)
    assert scenarios.reload_if_changed() is True
    assert ask(client).json == {"version": 2}


def test_the_watcher_thread_reloads_on_its_own(monkeypatch, tmp_path):
    write(tmp_path, "live.yaml", GOOD)
    app = build_app(monkeypatch, tmp_path, reload_interval=0.05)
    client = app.test_client()
    try:
        write(tmp_path, "live.yaml", EDITED)
        deadline = time.monotonic() + 10
        while ask(client).json != {"version": 2} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ask(client).json == {"version": 2}
    finally:
        app.extensions["sandbox"].scenarios.stop()


def test_a_new_file_is_picked_up(monkeypatch, tmp_path):
    write(tmp_path, "live.yaml", GOOD)
    app = build_app(monkeypatch, tmp_path)
    scenarios = app.extensions["sandbox"].scenarios
    write(tmp_path, "more/extra.yaml", GOOD.replace("reload-me", "extra-one"))
    assert scenarios.reload_if_changed() is True
    assert scenarios.get("extra-one") is not None


def test_a_running_server_reloads_and_logs_a_broken_edit(tmp_path):
    import requests

    from tests.conftest import ServerProcess
    write(tmp_path, "live.yaml", GOOD.replace("test_core_show", "core_customer"))
    url_headers = {**CORE_AUTH, "X-Sandbox-Scenario": "reload-me"}
    with ServerProcess("--scenarios", str(tmp_path), "--quiet",
                       env={"SANDBOX_RELOAD_INTERVAL": "0.1"}) as server:
        def version():
            return requests.post(server.url + "/core_customer", json={}, headers=url_headers,
                                 timeout=10).json()
        assert version() == {"version": 1}
        write(tmp_path, "live.yaml", EDITED.replace("test_core_show", "core_customer"))
        deadline = time.monotonic() + 10
        while version() != {"version": 2} and time.monotonic() < deadline:
            time.sleep(0.1)
        assert version() == {"version": 2}
        write(tmp_path, "live.yaml", BROKEN.replace("test_core_show", "core_customer"))
        time.sleep(2)  # many polls (every 0.1 s); the answer must not change meanwhile
        assert version() == {"version": 2}
        output = server.stop()
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(e.get("event") == "scenarios_reloaded" for e in events)
    failed = [e for e in events if e.get("event") == "scenarios_reload_failed"]
    assert failed and "live.yaml:6:" in failed[0]["faults"][0]
