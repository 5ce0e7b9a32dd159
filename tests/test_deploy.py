"""deploy/: the compose file, its balancer and its Prometheus, checked as files (no Docker engine
here): they parse, and their names, ports and settings agree with each other and the sandbox."""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import yaml

from sandbox.admin.token import OPEN_PATHS
from sandbox.apis import FAMILIES
from sandbox.config import Config
from sandbox.names import ADMIN_PREFIX

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
INSTANCES = ("sandbox-a", "sandbox-b")


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def haproxy() -> str:
    return (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")


def settings_named() -> set[str]:
    own = {"SANDBOX_" + f.name.upper() for f in fields(Config) if f.name != "settings"}
    return own | {s.env for family in FAMILIES for s in family.settings}


def test_redis_two_instances_and_a_balancer():
    services = compose()["services"]
    assert {"redis", *INSTANCES, "balancer"} <= set(services)
    assert services["redis"]["image"].startswith(("redis:7", "valkey/valkey"))
    assert "--appendonly" in services["redis"]["command"]


def test_every_instance_serves_one_world_from_redis_behind_a_token():
    services = compose()["services"]
    seeds = set()
    for name in INSTANCES:
        service = services[name]
        env = service["environment"]
        assert set(env) <= settings_named(), f"{name}: a variable no setting reads"
        host, port = re.fullmatch(r"redis://(?:[^@]*@)?([\w-]+):(\d+)/\d+",
                                  env["SANDBOX_STATE"]).groups()
        assert host in services and host == "redis"
        assert "redis" in service["depends_on"]
        assert env["SANDBOX_HOST"] == "0.0.0.0" and int(env["SANDBOX_WORKERS"]) >= 2
        assert env["SANDBOX_ADMIN_TOKEN"].startswith("${SANDBOX_ADMIN_TOKEN:?")  # never unset
        assert env["SANDBOX_PORT"] in service["expose"]
        seeds.add(env["SANDBOX_SEED"])
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).exists()
        # docker stop waits this long: more than a drain's --shutdown-timeout (65 s).
        assert int(service["stop_grace_period"].rstrip("s")) > Config().shutdown_timeout
    assert len(seeds) == 1


def test_the_balancer_names_both_instances_on_their_port_and_checks_health():
    services = compose()["services"]
    config = haproxy()
    servers = dict(re.findall(r"^\s*server\s+\S+\s+([\w-]+):(\d+)", config, re.M))
    assert set(servers) == set(INSTANCES)
    for name, port in servers.items():
        assert services[name]["environment"]["SANDBOX_PORT"] == port
    check = re.search(r"option httpchk GET (\S+)", config).group(1)
    assert check == ADMIN_PREFIX + "/health" and "/health" in OPEN_PATHS  # needs no token
    # An answer may take 120 s (delays added up): the balancer must not cut it first.
    for kind in ("client", "server"):
        assert int(re.search(rf"timeout {kind} (\d+)s", config).group(1)) > 120
    balancer = services["balancer"]
    mounted = [v.split(":")[0] for v in balancer["volumes"]]
    assert "./haproxy.cfg" in mounted
    frontend = re.search(r"^\s*bind :(\d+)", config, re.M).group(1)
    assert f"{frontend}:{frontend}" in balancer["ports"] or any(
        p.endswith(f":{frontend}") for p in balancer["ports"])
    assert set(INSTANCES) <= set(balancer["depends_on"])


def test_prometheus_scrapes_each_instance_on_the_metrics_route():
    services = compose()["services"]
    assert "./prometheus.yml" in [v.split(":")[0] for v in services["prometheus"]["volumes"]]
    scrape = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape["metrics_path"] == ADMIN_PREFIX + "/metrics" and "/metrics" in OPEN_PATHS
    targets = scrape["static_configs"][0]["targets"]
    ports = {services[n]["environment"]["SANDBOX_PORT"] for n in INSTANCES}
    assert sorted(targets) == sorted(f"{n}:{p}" for n in INSTANCES for p in ports)
