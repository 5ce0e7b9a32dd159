"""What `make bench` drives its cases with: the servers as processes (with their CPU time), wrk
and its Lua scripts, the sandbox's cases, and the stored-customer cases' state files. bench.py
runs the session; bench_redis.py adds the Redis cases.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))  # populate.py
WORK = ROOT / ".bench"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SERVER_THREADS = int(os.environ.get("BENCH_THREADS", "4"))
SANDBOX_THREADS = os.environ.get("BENCH_SANDBOX_THREADS")
BASELINE = os.environ.get("BENCH_BASELINE")
# Customers stored for the scale cases: reads with STORED_MANY are set against STORED_FEW.
STORED_FEW = 1000
STORED_MANY = int(os.environ.get("BENCH_STORED", "1000000"))
COLD_STARTS = 5
# Cases set against each other (SQLite creates vs memory, Redis vs memory, 1M stored vs 1,000)
# run in turn, A B A B..., this many times: the machine's speed drifts by 10-20% between minutes
# here, so a ratio is taken round by round and its median reported (the spread with it).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CORE_AUTH = "Basic c2FuZGJveDpzYW5kYm94"  # sandbox:sandbox
BCS_HEADERS = {"X-Security-ClientID": "sandbox-client", "X-Security-ClientSecret": "sandbox-secret",
               "X-Security-Token": "bench-token"}
CLIENTE_REQUEST = {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 25326461}
BCS_BASE = "/api/customersManagement/v1"


# -- processes --------------------------------------------------------------------------------
# -- processes --------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process; `cold_start` is spawn-to-first-answer of its ready URL."""

    def __init__(self, name, args, ready_path, env=None, cwd=None):
        self.name, self.args, self.ready_path = name, args, ready_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.cwd = cwd
        self.cold_start = None
        self.log = open(WORK / f"{name}.log", "w")

    def start(self, method="GET", body=None, headers=None):
        args = [a.replace("{port}", str(self.port)) for a in self.args]
        began = time.perf_counter()
        self.proc = subprocess.Popen(args, env=self.env, cwd=self.cwd, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = began + 60
        while time.perf_counter() < deadline:
            try:
                request = urllib.request.Request(self.url + self.ready_path, data=body,
                                                 method=method, headers=headers or {})
                urllib.request.urlopen(request, timeout=1).read()
                self.cold_start = time.perf_counter() - began
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"{self.name} exited; see {self.log.name}")
                time.sleep(0.005)
        raise SystemExit(f"{self.name} did not start; see {self.log.name}")

    def rss_mib(self) -> float:
        """Resident memory of the process tree (Prism runs node under a wrapper)."""
        total = 0
        for pid in [self.proc.pid, *_children(self.proc.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            except (OSError, AttributeError):
                pass
        return total / 1024

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process tree so far."""
        ticks = 0
        for pid in [self.proc.pid, *_children(self.proc.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    kids = [int(p) for p in out.stdout.split()]
    return kids + [g for k in kids for g in _children(k)]


# -- wrk --------------------------------------------------------------------------------------
def lua_script(method: str, headers: dict, body: str | None, unique: bool) -> Path:
    """A wrk script; with `unique`, every request's body gets a distinct number for {{N}}: the
    thread's id and its count, after the call's own prefix (the script's argument, see run_wrk),
    so that the measured call does not re-send the warm-up's documents as updates."""
    lines = [f'wrk.method = "{method}"']
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    if body is not None and not unique:
        lines.append(f"wrk.body = [==[{body}]==]")
    if unique:
        lines += [
            "local next_id = 1",
            "function setup(thread) thread:set('tid', next_id); next_id = next_id + 1 end",
            "local counter = 0",
            "local prefix = 1",
            "function init(args) prefix = tonumber(args[1] or 1) end",
            f"local template = [==[{body}]==]",
            "function request()",
            "  counter = counter + 1",
            "  local n = string.format('%d%d%07d', prefix, tid, counter)",
            "  return wrk.format(nil, nil, nil, (string.gsub(template, '{{N}}', n)))",
            "end",
        ]
    # Named by its content, stably (hash() of a str changes per process: a file per run).
    digest = hashlib.sha1(repr((method, body, unique)).encode()).hexdigest()[:16]
    path = WORK / f"case-{digest}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def random_reads_script(headers: dict, path_template: str, first: int, count: int) -> Path:
    """A wrk script reading {{N}} = one of `count` numbers from `first`, at random."""
    lines = ['wrk.method = "GET"']
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    lines += [
        "function init(args) math.randomseed(tonumber(args[1] or 1)) end",
        f"local template = [==[{path_template}]==]",
        "function request()",
        f"  local n = string.format('%d', {first} + math.random(0, {count - 1}))",
        "  return wrk.format(nil, (string.gsub(template, '{{N}}', n)))",
        "end",
    ]
    path = WORK / f"reads-{count}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def run_wrk(server: Server, path: str, script: Path) -> dict:
    """wrk against one server; also the server's CPU time per request, which moves less from
    run to run than requests/s on a shared 2-core machine."""
    url = server.url + path
    if WARMUP > 0:
        subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{WARMUP}s", "-s", str(script), url,
                        "--", _call_prefix()], capture_output=True, check=True)
    cpu_before = server.cpu_seconds()
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency",
                          "-s", str(script), url, "--", _call_prefix()],
                         capture_output=True, text=True).stdout
    cpu = server.cpu_seconds() - cpu_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": _latency(out, "50%"), "p99": _latency(out, "99%"),
            "cpu_us": cpu / max(requests, 1) * 1e6,
            "non2xx": int(non2xx.group(1)) if non2xx else 0}


_calls = iter(range(1, 10**6))


def _call_prefix() -> str:
    """Each wrk call's own number: the prefix of the documents it creates (see lua_script)."""
    return str(next(_calls))


def _latency(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


rounds: dict[str, list[dict]] = {}  # every result of a case run in rounds, by its label


def in_rounds(sides, run_side) -> list:
    """run_side(side) -> [(label, result)] for each side in turn, ROUNDS times; each case's
    median result by label (every round's stays in `rounds`, for ratio())."""
    labels = []
    for _ in range(ROUNDS):
        for side in sides:
            for label, result in run_side(side):
                if label not in labels:
                    labels.append(label)
                    rounds[label] = []
                rounds[label].append(result)
    return [(label, median_of(rounds[label])) for label in labels]


def median_of(results: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in results) for key, value in results[0].items()
            if isinstance(value, (int, float))}


def ratio(a: list[dict], b: list[dict], key: str = "rps") -> str:
    """The median of a/b round by round, and their spread."""
    each = sorted(x[key] / y[key] for x, y in zip(a, b))
    return (f"{statistics.median(each):.2f}x" +
            (f" (rounds {each[0]:.2f}-{each[-1]:.2f})" if len(each) > 1 else ""))


def stored_state(count: int) -> Path:
    """A state file holding `count` BCS customers (bench/populate.py), made once and kept in
    .bench/ (1M customers take a few minutes and ~5 GB)."""
    path = WORK / f"stored-{count}.db"
    if not path.exists():
        print(f"storing {count} customers in {path} (first run only)...", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "populate.py"), str(path) + ".part",
                        str(count)], check=True)
        for suffix in ("-wal", "-shm"):
            Path(str(path) + ".part" + suffix).unlink(missing_ok=True)
        Path(str(path) + ".part").rename(path)
    return path


def stored_results(python: str, state_of=stored_state, name: str = "sandbox-stored") -> dict:
    """v4 basicData reads of random stored customers, with STORED_FEW and BENCH_STORED stored
    in `state_of(count)` (a SQLite file by default), in rounds; also the start time and RSS
    with them. {count: [each round's results]}"""
    from populate import FIRST_NUMBER
    states = {count: state_of(count) for count in (STORED_FEW, STORED_MANY)}
    found = {count: [] for count in states}
    template = (BCS_BASE + "/customerAccountManagement/v4/basicData"
                "?govIssueIdentType=CC&identSerialNum={{N}}")
    for _ in range(ROUNDS):
        for count, state in states.items():
            in_page_cache(state)
            server = Server(f"{name}-{count}", [python, "-m", "sandbox", "serve", "--port",
                            "{port}", "--state", str(state), "--quiet"],
                            "/__sandbox/health").start()
            result = run_wrk(server, "/", random_reads_script(BCS_HEADERS, template,
                                                              FIRST_NUMBER, count))
            # One stored customer read again and again: what the cache is for.
            one = run_wrk(server, template.replace("{{N}}", str(FIRST_NUMBER + count // 2)),
                          lua_script("GET", BCS_HEADERS, None, False))
            found[count].append({**result, "one": one, "start": server.cold_start,
                                 "rss": server.rss_mib()})
            server.stop()
    return found


def in_page_cache(state) -> None:
    """Reads a state file through, so that the case measures the sandbox over a file the OS
    holds in its page cache, as a machine with the RAM to spare does (this one, 24 GiB, gives
    the pages of a 4.7 GB file back within minutes: DAMON reclaim; random reads then wait for
    the disk, 1.35x instead of 1.19x in one run). A Redis URL is left as it is."""
    if not isinstance(state, Path):
        return
    with open(state, "rb", buffering=0) as file:
        while file.read(8 << 20):
            pass


def report_stored(stored: dict, on: str) -> None:
    """The 1M-stored ratios; `on` names the state where it is not the SQLite file."""
    few, many = stored.get(STORED_FEW), stored.get(STORED_MANY)
    if few and many:
        for what, a, b in (("one stored customer, read again", [m["one"] for m in many],
                            [f["one"] for f in few]),
                           ("a random stored customer (cache misses)", many, few)):
            a_mid, b_mid = median_of(a), median_of(b)
            print(f"v4 read{on} of {what}, {STORED_MANY} vs {STORED_FEW} stored: p50 "
                  f"{a_mid['p50']:.2f} vs {b_mid['p50']:.2f} ms = {ratio(a, b, 'p50')} (bar: "
                  f"<= 1.25), CPU {a_mid['cpu_us']:.0f} vs {b_mid['cpu_us']:.0f} us/request")
        print(f"start with {STORED_MANY} stored: {median_of(many)['start']:.2f} s (bar: < 2), "
              f"RSS after the reads {max(m['rss'] for m in many):.0f} MiB at most (bar: < 200)")


def sandbox_cases():
    core_headers = {"Authorization": CORE_AUTH, "Content-Type": "application/json"}
    bcs_json = {**BCS_HEADERS, "Content-Type": "application/json"}
    yield ("sandbox POST /cliente (read)", "POST", "/cliente",
           {"Content-Type": "application/json"}, json.dumps(CLIENTE_REQUEST), False)
    core_create = core_customer_template()
    if core_create:
        yield ("sandbox POST /core_customer (create, SQLite)", "POST", "/core_customer",
               core_headers, core_create, True)
    yield ("sandbox GET BCS basicData v4 (read)", "GET",
           BCS_BASE + "/customerAccountManagement/v4/basicData"
           "?govIssueIdentType=CC&identSerialNum=1234567890", BCS_HEADERS, None, False)
    create = bcs_create_template()
    if create:
        yield ("sandbox POST BCS customer (create, SQLite)", "POST",
               BCS_BASE + "/customer-account-management/v1/customer", bcs_json, create, True)


def core_customer_template() -> str | None:
    path = ROOT / "tests/fixtures/seeds/000_request_2.json"
    if not path.exists():
        return None
    example = json.loads(path.read_text())
    example["client_info"]["document_number"] = "{{N}}"
    return json.dumps(example)


def bcs_create_template() -> str | None:
    path = ROOT / "tests/fixtures/seeds/004_create_request.json"
    if not path.exists():
        return None
    example = json.loads(path.read_text())
    ident = example.get("govIssueIdent", {})
    ident["identSerialNum"] = "9{{N}}"
    return json.dumps(example)
