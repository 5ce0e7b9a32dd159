"""`make bench`'s Redis cases: the sandbox with `--state memory` and with `--state redis://`, one
worker each, in the same session as the SQLite cases, so the ratios come from one run:
- Redis reads vs memory reads (bar: at least 0.7x);
- Redis creates vs SQLite creates (bar: at least as fast);
- v4 basicData reads with BENCH_STORED customers stored in Redis vs 1,000 (bar: p50 within
  1.25x), the customers stored by bench/populate.py (about a minute and 4.4 GB of Redis memory
  per million), in a redis-server of their own without persistence, stopped after the case.
redis-server (apt-get install redis-server) runs on a free port with appendonly + everysec, the
setting docs/operations.md recommends; without it these cases are skipped with a note.
"""
from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time

import harness

READS = ("sandbox POST /cliente (read)", "sandbox GET BCS basicData v4 (read)")


@contextlib.contextmanager
def running_redis(*persistence: str):
    """A redis-server on a free port (its port, or None without redis-server), stopped and its
    folder removed at the end."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not shutil.which(binary):
        print("redis-server not found: the Redis cases are skipped "
              "(apt-get install redis-server)", flush=True)
        yield None
        return
    port = harness.free_port()
    folder = tempfile.mkdtemp(prefix="sandbox-bench-redis-")
    persistence = persistence or ("--appendonly", "yes", "--appendfsync", "everysec")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             *persistence, "--dir", folder],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    time.sleep(0.3)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def run_cases(name: str, state: str, wanted, python: str) -> list:
    args = [python, "-m", "sandbox", "serve", "--port", "{port}", "--state", state]
    server = harness.Server(name, args, "/__sandbox/health").start()
    results = []
    for label, method, path, headers, body, unique in harness.sandbox_cases():
        kind = "read" if "(read)" in label else "create"
        if kind in wanted:
            base = label.split(" (")[0]
            results.append((f"{base} ({kind}, {name})", harness.run_wrk(
                server, path, harness.lua_script(method, headers, body, unique))))
    server.stop()
    return results


def redis_results(python: str) -> list:
    with running_redis() as port:
        if port is None:
            return []
        results = run_cases("memory", "memory", ("read",), python)
        return results + run_cases("Redis", f"redis://127.0.0.1:{port}/0", ("read", "create"),
                                   python)


def stored_results(python: str) -> dict:
    """harness.stored_results with the customers in Redis: database 1 holds STORED_FEW, 2 the
    many."""
    from populate import populate_redis
    with running_redis("--appendonly", "no") as port:
        if port is None:
            return {}

        def state_of(count: int) -> str:
            url = f"redis://127.0.0.1:{port}/{1 if count == harness.STORED_FEW else 2}"
            print(f"storing {count} customers in Redis...", flush=True)
            print(f"  {populate_redis(url, count):.1f} s", flush=True)
            return url
        return harness.stored_results(python, state_of, "sandbox-redis-stored")


def report(results, stored=None) -> None:
    """The Redis ratios, from the cases of this run."""
    by = dict(results)
    for label in READS:
        base = label.split(" (")[0]
        memory, on_redis = by.get(f"{base} (read, memory)"), by.get(f"{base} (read, Redis)")
        if memory and on_redis:
            print(f"Redis vs memory, {base[8:]}: {on_redis['rps'] / memory['rps']:.2f}x req/s "
                  f"(bar: >= 0.7), p99 {on_redis['p99']:.2f} vs {memory['p99']:.2f} ms")
    if stored:
        harness.report_stored(stored, " on Redis")
    for label, sqlite in results:
        if "(create, SQLite)" in label:
            on_redis = by.get(label.replace("SQLite", "Redis"))
            if on_redis:
                print(f"Redis vs SQLite, {label[8:].split(' (')[0]}: "
                      f"{on_redis['rps'] / sqlite['rps']:.2f}x req/s (bar: >= 1), p99 "
                      f"{on_redis['p99']:.2f} vs {sqlite['p99']:.2f} ms")
