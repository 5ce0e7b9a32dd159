"""`make bench`'s Redis cases: the sandbox with `--state memory` and with `--state redis://`, one
worker each, in the same session as the SQLite cases and in alternating rounds with them
(harness.in_rounds), so the ratios come from one run:
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


def flush(port: int) -> None:
    """An empty database 0: each round's sandbox starts as on a new Redis."""
    subprocess.run([shutil.which("redis-cli") or "redis-cli", "-p", str(port), "-n", "0",
                    "FLUSHDB"], check=True, capture_output=True)


def redis_results(python: str, port) -> list:
    """The read cases on memory and on Redis, in rounds (creates: bench.create_results)."""
    if port is None:
        return []

    def run_side(side: str) -> list:
        state = "memory" if side == "memory" else f"redis://127.0.0.1:{port}/0"
        if side == "Redis":
            flush(port)
        server = harness.Server(f"sandbox-{side}-reads", [python, "-m", "sandbox", "serve",
                                "--port", "{port}", "--state", state], "/__sandbox/health").start()
        results = [(f"{label.split(' (')[0]} (read, {side})", harness.run_wrk(
                    server, path, harness.lua_script(method, headers, body, unique)))
                   for label, method, path, headers, body, unique in harness.sandbox_cases()
                   if "(read)" in label]
        server.stop()
        return results
    return harness.in_rounds(["memory", "Redis"], run_side)


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
    by, rounds = dict(results), harness.rounds
    for label in READS:
        base = label.split(" (")[0]
        memory, on_redis = f"{base} (read, memory)", f"{base} (read, Redis)"
        if memory in rounds and on_redis in rounds:
            print(f"Redis vs memory, {base[8:]}: {harness.ratio(rounds[on_redis], rounds[memory])}"
                  f" req/s (bar: >= 0.7), p99 {by[on_redis]['p99']:.2f} vs "
                  f"{by[memory]['p99']:.2f} ms")
    if stored:
        harness.report_stored(stored, " on Redis")
    for label in list(rounds):
        if "(create, SQLite)" in label and label.replace("SQLite", "Redis") in rounds:
            on_redis = label.replace("SQLite", "Redis")
            print(f"Redis vs SQLite, {label[8:].split(' (')[0]}: "
                  f"{harness.ratio(rounds[on_redis], rounds[label])} req/s (bar: >= 1), p99 "
                  f"{by[on_redis]['p99']:.2f} vs {by[label]['p99']:.2f} ms")
