"""`make bench`: the sandbox against references on this same machine, with wrk.

References, run in the same session so ratios are comparable:
- a bare Flask app on waitress answering a canned 1 KB JSON (the floor of our stack);
- Stoplight Prism mocking POST /cliente from the seed's example (installed into .bench/ by npm
  on first run; skipped with a note when npm is missing).
The read cases also run with `--workers 2` (bar: >= 1.5x `--workers 1`, >= 2.5x Prism). The
cases whose ratio is a bar of issue 13 (creates on SQLite / Redis vs memory, reads on Redis vs
memory, 1M stored vs 1,000) run in BENCH_ROUNDS (3) alternating rounds, and the ratio is the
median of the rounds' (harness.in_rounds).
Reported: requests/s, p50/p99 latency and the server's CPU time per request for each case, sandbox
idle RSS and cold start, and the ratios the bar is stated in (sandbox read vs Prism: >= 1.2x, p99
no worse).

Every case is first run for BENCH_WARMUP seconds, unreported, so that neither side is measured
cold (Prism's JIT needs a few thousand requests; the sandbox's first requests fill caches).

Environment: BENCH_SECONDS (default 10), BENCH_WARMUP (2), BENCH_CONNECTIONS (16),
BENCH_STORED (customers stored for
the scale cases, default 1000000; made once in .bench/ by bench/populate.py), BENCH_THREADS
(waitress threads of the bare Flask reference, default 4, its best here; the
sandbox runs with its own default unless BENCH_SANDBOX_THREADS is set), BENCH_BASELINE (a git
revision: its sandbox's read cases run in the same session, with this checkout's dependencies,
so a change to the request path is judged against what it changed, e.g. BENCH_BASELINE=HEAD~1),
BENCH_REDIS (0 skips the Redis cases of bench_redis.py: memory vs Redis reads, Redis creates,
BENCH_STORED customers stored in Redis), BENCH_ROUNDS (3).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import (BASELINE, CLIENTE_REQUEST, COLD_STARTS, CONNECTIONS, ROOT, ROUNDS,
                     SANDBOX_THREADS, SECONDS, SERVER_THREADS, WORK, Server, in_rounds, lua_script,
                     ratio, report_stored, rounds, run_wrk, sandbox_cases, stored_results)


# -- setup ------------------------------------------------------------------------------------
def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk from Debian's packages...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        return
    raise SystemExit("make bench needs wrk: apt-get install wrk")


def ensure_prism() -> Path | None:
    prism = WORK / "node_modules" / ".bin" / "prism"
    if prism.exists():
        return prism
    if not shutil.which("npm"):
        print("npm not found: the Prism reference is skipped", flush=True)
        return None
    print("installing Stoplight Prism into .bench/ (first run only)...", flush=True)
    subprocess.run(["npm", "install", "--prefix", str(WORK), "--no-audit", "--no-fund",
                    "@stoplight/prism-cli@5"], check=True, capture_output=True)
    return prism


def cliente_response_example() -> dict:
    path = ROOT / "tests" / "fixtures" / "seeds" / "003_cliente_response.json"
    if path.exists():
        return json.loads(path.read_text())
    return {"data": {"es_socio": "1", "num_socio": "55555555"}, "message": "ok", "code": 200}


def prism_spec() -> Path:
    """An OpenAPI document for POST /cliente whose example is the seed's member."""
    spec = {
        "openapi": "3.0.3", "info": {"title": "cliente", "version": "1"},
        "paths": {"/cliente": {"post": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["tipo_documento_id", "numero_documento"],
                "properties": {"tipo_documento_id": {"type": "integer"},
                               "tipo_documento": {"type": "string"},
                               # string or number, as the seed's example sends it
                               "numero_documento": {}}}}}},
            "responses": {"200": {"description": "member", "content": {"application/json": {
                "example": cliente_response_example()}}}}}}},
    }
    path = WORK / "prism-cliente.json"
    path.write_text(json.dumps(spec))
    return path


CANNED_APP = '''
import json, sys
from flask import Flask, Response
from waitress import serve
app = Flask("reference")
BODY = json.dumps({"data": [{"id": i, "name": "customer %d" % i, "city": "Bogota"} for i in range(18)]})
@app.get("/canned")
def canned():
    return Response(BODY, mimetype="application/json")
serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), _quiet=True)
'''


# -- the run ----------------------------------------------------------------------------------
def main() -> int:
    WORK.mkdir(exist_ok=True)
    ensure_wrk()
    results: list[tuple[str, dict]] = []
    python = sys.executable

    reference = WORK / "reference_flask.py"
    reference.write_text(CANNED_APP)
    ref = Server("flask-canned", [python, str(reference), "{port}", str(SERVER_THREADS)],
                 "/canned").start()
    results.append(("bare Flask+waitress, canned 1 KB JSON (GET)",
                    run_wrk(ref, "/canned", lua_script("GET", {}, None, False))))
    ref.stop()

    prism_bin = ensure_prism()
    cliente_body = json.dumps(CLIENTE_REQUEST)
    json_headers = {"Content-Type": "application/json"}
    if prism_bin:
        prism = Server("prism", [str(prism_bin), "mock", str(prism_spec()), "-p", "{port}",
                                 "-h", "127.0.0.1", "-d", "false"],
                       "/cliente").start("POST", cliente_body.encode(), json_headers)
        results.append(("Prism mock, POST /cliente (read)",
                        run_wrk(prism, "/cliente",
                                lua_script("POST", json_headers, cliente_body, False))))
        results[-1][1]["rss"] = prism.rss_mib()
        prism.stop()

    with scratch_state("sandbox-bench-") as state:
        return sandbox_session(python, results, state)


def sandbox_session(python: str, results: list, state: Path) -> int:
    """The sandbox's cases, after the references', with `state` its SQLite file."""
    args = [python, "-m", "sandbox", "serve", "--port", "{port}", "--state", str(state),
            *(["--threads", SANDBOX_THREADS] if SANDBOX_THREADS else [])]
    # One start is a noisy sample (±40 ms here): the median of COLD_STARTS is reported.
    cold_starts = []
    for _ in range(COLD_STARTS - 1):
        server = Server("sandbox", args, "/__sandbox/health").start()
        cold_starts.append(server.cold_start)
        server.stop()
    sandbox = Server("sandbox", args, "/__sandbox/health").start()
    cold_starts.append(sandbox.cold_start)
    time.sleep(0.5)
    idle_rss = sandbox.rss_mib()
    results += cases_on(sandbox, "(read)", lambda label: label)
    results += workers_results(args, 2)
    redis_cases = None
    if os.environ.get("BENCH_REDIS", "1") != "0":  # BENCH_REDIS=0 skips them
        import bench_redis
        redis_cases = bench_redis
        with bench_redis.running_redis() as port:
            results += create_results(args, port)
            results += bench_redis.redis_results(python, port)
    else:
        results += create_results(args, None)
    stored = stored_results(python)
    if redis_cases:
        redis_stored = redis_cases.stored_results(python)
    if BASELINE:
        results += baseline_results(args)
    report(results, idle_rss, sorted(cold_starts))
    report_scale(dict(results), stored)
    if redis_cases:
        redis_cases.report(results, redis_stored)
    return 0


@contextlib.contextmanager
def scratch_state(prefix: str):
    """A new SQLite state file's path, in a folder of its own that is removed after (the create
    cases leave hundreds of MB each: a run left 3 GB in /tmp)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder / "state.db"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def with_state(args: list, state) -> list:
    """The sandbox's command line with another --state."""
    return [str(state) if previous == "--state" else arg
            for previous, arg in zip(["", *args], args)]


def cases_on(server, kept: str, label_of) -> list:
    """The sandbox cases whose label holds `kept`, run against `server`, labelled anew."""
    results = [(label_of(label), run_wrk(server, path, lua_script(method, headers, body, unique)))
               for label, method, path, headers, body, unique in sandbox_cases()
               if kept in label]
    server.stop()
    return results


def create_results(args, redis_port) -> list:
    """The create cases on memory, a new SQLite file and (with a redis-server) an emptied Redis
    database, in rounds: what the file and Redis cost a create."""
    sides = ["memory", "SQLite"] + (["Redis"] if redis_port else [])

    def run_side(side: str) -> list:
        if side == "Redis":
            import bench_redis
            bench_redis.flush(redis_port)
        with scratch_state("sandbox-bench-creates-") as path:  # ~270 MB a side: not kept
            state = {"memory": "memory", "Redis": f"redis://127.0.0.1:{redis_port}/0"}.get(
                side, path)
            server = Server(f"sandbox-{side}", with_state(args, state),
                            "/__sandbox/health").start()
            return cases_on(server, "(create, SQLite)",
                            lambda label: label.replace("SQLite", side))
    return in_rounds(sides, run_side)


def report_scale(by: dict, stored: dict) -> None:
    for what in ("/core_customer", "BCS customer"):
        disk = next((label for label in by if what in label and "create, SQLite" in label), None)
        if disk and disk.replace("SQLite", "memory") in rounds:
            memory = disk.replace("SQLite", "memory")
            print(f"create {what}: SQLite {ratio(rounds[disk], rounds[memory])} memory req/s "
                  f"(bar: >= 0.9), p99 {by[disk]['p99']:.1f} ms (bar: < 50) vs "
                  f"{by[memory]['p99']:.1f}")
    report_stored(stored, "")


def baseline_tree(rev: str) -> Path:
    """The tree of `rev`, exported under .bench/, importable as `sandbox` ahead of this checkout
    (PYTHONPATH comes before the editable install), with its own scenarios/ as its shipped data."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev], check=True,
                            capture_output=True, text=True).stdout.strip()
    tree = WORK / f"baseline-{commit}"
    if not tree.exists():
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        (tree / "sandbox" / "shipped_scenarios").symlink_to(tree / "scenarios")
    return tree


def baseline_results(args) -> list:
    tree = baseline_tree(BASELINE)
    with scratch_state("sandbox-bench-baseline-") as state:
        server = Server("baseline", with_state(args, state), "/__sandbox/health",
                        env={"PYTHONPATH": str(tree)}, cwd=str(tree)).start()
        return cases_on(server, "(read)", lambda label: f"baseline {tree.name[9:]}: {label[8:]}")


def workers_results(args, workers: int) -> list:
    """The read cases again with `--workers N` (its own SQLite file: N > 1 needs a shared state)."""
    with scratch_state("sandbox-bench-workers-") as state:
        server = Server(f"sandbox-workers{workers}",
                        [*with_state(args, state), "--workers", str(workers)],
                        "/__sandbox/health").start()
        return cases_on(server, "(read)",
                        lambda label: f"sandbox --workers {workers} {label[8:]}")


def report(results, idle_rss, cold_starts) -> None:
    print(f"\nwrk: 2 threads, {CONNECTIONS} connections, {SECONDS}s per case; the cases set "
          f"against each other run in {ROUNDS} rounds (their medians here); "
          f"reference's waitress threads: {SERVER_THREADS}; sandbox's: "
          f"{SANDBOX_THREADS or 'its default'}; machine: {os.cpu_count()} cores\n")
    print(f"{'case':52} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/req':>11} "
          f"{'non-2xx':>8}")
    for label, r in results:
        print(f"{label:52} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['cpu_us']:11.0f} "
              f"{r['non2xx']:8.0f}")
    by = dict(results)
    print(f"\nsandbox idle RSS: {idle_rss:.1f} MiB (bar: < 60)   "
          f"cold start to first answer: {cold_starts[len(cold_starts) // 2]:.3f} s, median of "
          f"{len(cold_starts)} starts ({cold_starts[0]:.3f}-{cold_starts[-1]:.3f}) (bar: < 0.5)")
    read = by.get("sandbox POST /cliente (read)")
    prism = by.get("Prism mock, POST /cliente (read)")
    flask = by.get("bare Flask+waitress, canned 1 KB JSON (GET)")
    if read and prism:
        print(f"sandbox read vs Prism: {read['rps'] / prism['rps']:.2f}x req/s (bar: >= 1.2), "
              f"p99 {read['p99']:.2f} vs {prism['p99']:.2f} ms (bar: no worse); "
              f"CPU {read['cpu_us']:.0f} vs {prism['cpu_us']:.0f} us per request; "
              f"Prism RSS {prism.get('rss', 0):.0f} MiB")
    if read and flask:
        print(f"sandbox read vs bare Flask canned: {read['rps'] / flask['rps']:.2f}x req/s")
    for label, r in results:
        if label.startswith("sandbox --workers "):
            single = by.get("sandbox " + label.split(" ", 3)[3])
            line = f"{label}: {r['rps'] / single['rps']:.2f}x --workers 1 req/s (bar: >= 1.5)"
            if prism and "/cliente" in label:
                line += f", {r['rps'] / prism['rps']:.2f}x Prism (bar: >= 2.5)"
            print(line)
    for label, r in results:
        if label.startswith("baseline "):
            ours = by.get("sandbox " + label.split(": ", 1)[1])
            if ours:
                print(f"{label}: this checkout uses {ours['cpu_us'] / r['cpu_us']:.2f}x its server "
                      f"CPU per request ({ours['cpu_us']:.0f} vs {r['cpu_us']:.0f} us)")


if __name__ == "__main__":
    sys.exit(main())
