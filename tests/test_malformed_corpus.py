"""Issue 10's corpus of malformed requests, over raw sockets to a real server: bad request lines,
huge headers, invalid chunked encoding, bad Content-Length, non-UTF-8 paths, NUL bytes,
pipelining garbage, half-closed sockets and slowloris-style partial headers, about 1,500
variants generated from a fixed seed.

Whatever arrives: never a 500 and never a traceback (a 501 for a transfer coding waitress does
not implement is the only 5xx), no connection outlives the idle timeout plus the maintenance
round, and afterwards a normal request, and the journal, still answer."""
from __future__ import annotations

import itertools
import json
import random
import socket
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sandbox import create_app
from tests.conftest import BCS_HEADERS, CORE_AUTH, LiveServer, make_config

pytestmark = pytest.mark.xdist_group("timing")  # 32 clients at once, and a clock

IDLE_TIMEOUT = 2  # seconds: the server's, so that partial requests are cut quickly
# A variant must be done (answered, or closed by the server) within this: the idle timeout, the
# maintenance round that applies it (1 s), and room for a loaded machine.
DEADLINE = IDLE_TIMEOUT + 6
BCS = "/api/customersManagement/v1/customer-management"
BASIC = CORE_AUTH["Authorization"]
BODY = json.dumps({"tipo_documento_id": 1, "tipo_documento": "curp",
                   "numero_documento": 25326461}).encode()
TARGETS = [("GET", b"/__sandbox/health", b""), ("POST", b"/cliente", BODY),
           ("POST", b"/core_customer", b'{"a": 1}'), ("GET", f"{BCS}/customer/1".encode(), b""),
           ("POST", f"{BCS}/sync-data".encode(), b'{"mNemonic": 123}'),
           ("GET", b"/no/such/route", b"")]
AUTH = (f"Authorization: {BASIC}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in BCS_HEADERS.items())
        ).encode()


def request(method=b"GET", path=b"/__sandbox/health", version=b"HTTP/1.1", headers=b"",
            body=b"", length=True) -> bytes:
    head = method + b" " + path + b" " + version + b"\r\nHost: 127.0.0.1\r\n" + AUTH + headers
    if length and body:
        head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    return head + b"Connection: close\r\n\r\n" + body


def request_lines():
    methods = [b"GET", b"POST", b"G ET", b"", b"\x00", b"M" * 5000, b"\xff\xfe"]
    paths = [b"/__sandbox/health", b"", b"*", b"//", b"/%", b"/%zz", b"/..%2f..%2fetc/passwd",
             b"http://127.0.0.1/cliente", b"/" + b"a" * 70000, b"/cliente?x=%ff%fe",
             b"/\xc3\x28", b"/%ED%A0%80", b"/%C0%AE%C0%AE/", b"/\x80\x81\xfe",
             b"/core_customer\x00"]
    versions = [b"HTTP/1.1", b"HTTP/1.0", b"HTTP/9.9", b"", b"HTTP/1.1 x"]
    for method, path, version in itertools.product(methods, paths, versions):
        yield "request line", request(method, path, version), False


def headers():
    bad = [b"X-No-Colon\r\n", b"X-Space : v\r\n", b" X-Leading: v\r\n", b"X-Fold: a\r\n b\r\n",
           b"X-Nul: a\x00b\r\n", b"X\x00Nul: v\r\n", b"X-Latin: \xe9\xff\r\n", b": empty\r\n",
           b"X-Big: " + b"v" * 300_000 + b"\r\n", b"".join(b"X-%d: v\r\n" % i for i in range(5000)),
           b"X-Sandbox-Error: 500:" + b"9" * 5000 + b"\r\n", b"X-Sandbox-Delay: -1\r\n",
           b"X-Sandbox-Delay: 1.5e99\r\n",  # (a huge whole number is a capped, real 60 s delay) b"X-Sandbox-Session: \xff\r\n",
           b"Authorization: Basic !!!!\r\n", b"Authorization: Basic " + b"A" * 10000 + b"\r\n",
           b"Content-Type: application/json; charset=\xff\r\n", b"Host: \x00\r\n",
           b"Expect: 100-continue\r\n", b"Connection: upgrade\r\nUpgrade: h2c\r\n",
           b"X-Sandbox-Scenario: ../../etc\r\n", b"X-Sandbox-Session: " + b"s" * 5000 + b"\r\n"]
    for (method, path, body), header in itertools.product(TARGETS, bad):
        yield "header", request(method.encode(), path, headers=header, body=body), False


def lengths():
    values = [b"-1", b"abc", b"1e3", b"99999999999999999999", b"0x10", b" 5", b"5, 5", b"",
              b"+5", b"1" * 400, b"4294967296", b"3", b"500"]
    for (method, path, body), value in itertools.product(TARGETS, values):
        for twice in (False, True):
            header = b"Content-Length: " + value + b"\r\n"
            if twice:
                header += b"Content-Length: 7\r\n"
            yield "content-length", request(method.encode(), path, headers=header,
                                            body=body or b"{}", length=False), True


def chunked():
    chunks = [b"zz\r\n{}\r\n0\r\n\r\n", b"-1\r\n{}\r\n0\r\n\r\n", b"f" * 40 + b"\r\nx\r\n",
              b"2\r\n{}0\r\n\r\n", b"2;ext=\x00\r\n{}\r\n0\r\n\r\n", b"2\r\n{}\r\n0\r\nX-T: \xff",
              b"2\r\n{}\r\n", b"\r\n\r\n", b"2\n{}\n0\n\n", b"100000000\r\nab",
              b"2\r\n{}\r\n0\r\n" + b"X: v\r\n" * 2000 + b"\r\n", b"1\r\n{\r\n1\r\n}\r\n0\r\n\r\n"]
    encodings = [b"chunked", b"gzip, chunked", b"chunked, chunked", b"identity", b"xchunked",
                 b"chunked\x00", b"CHUNKED"]
    for (method, path, _), chunk, encoding in itertools.product(TARGETS[1:2], chunks, encodings):
        header = b"Transfer-Encoding: " + encoding + b"\r\n"
        yield "chunked", request(method.encode(), path, headers=header, body=chunk,
                                 length=False), True
        both = header + b"Content-Length: 2\r\n"
        yield "chunked", request(method.encode(), path, headers=both, body=chunk,
                                 length=False), True


def bodies():
    odd = [b"[" * 3000, b'{"a": "\\ud800"}', b"\x00" * 100, b"\xff\xfe{}", b"{" + b" " * 100_000,
           b'{"a": ' + b"9" * 5000 + b"}", b"null", b'"text"', b"{}" * 1000, b'{"a":1,"a":2}',
           b'{"govIssueIdentType": "", "identSerialNum": ""}', b"password=secret&a=b"]
    for (method, path, _), body in itertools.product(TARGETS[1:], odd):
        yield "body", request(b"POST", path, body=body), False


def pipelines():
    good = request(b"GET", b"/__sandbox/health").replace(b"Connection: close\r\n", b"")
    garbage = [b"\x00\x01\x02", b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n\r\n\r\n", b"\r\n" * 50,
               b"\xff" * 100, b"GET /" + b"x" * 10000, b"POST /cliente HTTP/1.1\r\nContent-"
               b"Length: 10\r\n\r\n{}"]
    for count, junk in itertools.product((1, 2, 5), garbage):
        for half_close in (False, True):
            yield "pipelining", good * count + junk, half_close


def half_closed():
    rng = random.Random(10)
    for method, path, body in TARGETS:
        whole = request(method.encode(), path, body=body)
        for _ in range(12):  # cut anywhere, then the client closes its side
            yield "half-closed", whole[:rng.randrange(1, len(whole))], True


def mutations():
    """Valid requests with random bytes flipped, dropped or doubled (a fixed seed)."""
    rng = random.Random(42)
    for _ in range(400):
        method, path, body = rng.choice(TARGETS)
        data = bytearray(request(method.encode(), path, body=body))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data))
            action = rng.choice(("flip", "drop", "double", "nul"))
            if action == "flip":
                data[at] = rng.randrange(256)
            elif action == "drop":
                del data[at]
            elif action == "double":
                data[at:at] = data[at:at + rng.randint(1, 20)]
            else:
                data[at:at] = b"\x00"
        yield "mutation", bytes(data), rng.random() < 0.5


CORPUS = [*request_lines(), *headers(), *lengths(), *chunked(), *bodies(), *pipelines(),
          *half_closed(), *mutations()]
SLOWLORIS = 40  # connections that trickle a header line and never finish it


def send(port: int, data: bytes, half_close: bool) -> tuple[str, float, bytes]:
    """("answered" | "closed", seconds until the server answered or closed, what it sent)."""
    started = time.monotonic()
    got = b""
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
            while time.monotonic() - started < DEADLINE:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                got += chunk
        except (ConnectionResetError, BrokenPipeError):  # closed while we sent: an answer
            pass
        except TimeoutError:
            return "hung", time.monotonic() - started, got
    return ("answered" if got.startswith(b"HTTP/") else "closed"), time.monotonic() - started, got


def trickle(port: int) -> tuple[str, float, bytes]:
    """Slowloris: a request line and a header a few bytes at a time, never ending them."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as sock:
        try:
            for byte in b"GET /__sandbox/health HTTP/1.1\r\nX-Slow: " + b"a" * 1000:
                sock.sendall(bytes([byte]))
                time.sleep(0.1)
                if time.monotonic() - started > DEADLINE:
                    return "hung", time.monotonic() - started, b""
        except (ConnectionResetError, BrokenPipeError):
            return "closed", time.monotonic() - started, b""
    return "hung", time.monotonic() - started, b""


def statuses(answer: bytes) -> list[int]:
    """Every status line in what a connection received (pipelined requests: several)."""
    return [int(line[9:12]) for line in answer.split(b"\r\n")
            if line.startswith(b"HTTP/1.") and line[9:12].isdigit()]


def test_the_corpus_never_breaks_the_server():
    assert 1400 <= len(CORPUS) <= 1700
    app = create_app(make_config(idle_timeout=IDLE_TIMEOUT))
    with LiveServer(app, threads=8) as server:
        port = server.server.effective_port
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=32) as pool:
            slow = [pool.submit(trickle, port) for _ in range(SLOWLORIS)]
            results = list(pool.map(lambda variant: (variant[0], *send(port, *variant[1:])),
                                    CORPUS))
            slow = [future.result() for future in slow]
        took = time.monotonic() - began

        hung = [(kind, data[-160:]) for (kind, outcome, _, _), (_, data, _) in
                zip(results, CORPUS) if outcome == "hung"]
        assert hung == []
        assert all(outcome == "closed" for outcome, _, _ in slow)
        assert max(seconds for _, seconds, _ in slow) < DEADLINE
        assert max(seconds for _, _, seconds, _ in results) < DEADLINE
        every_status = Counter(status for _, _, _, answer in results for status in
                               statuses(answer))
        assert every_status[500] == 0 and not (set(every_status) - {*range(100, 500), 501})
        assert not any(b"Traceback" in answer for _, _, _, answer in results)

        # And everyone else is still answered: a normal request, a create, the journal. (The
        # timeout is generous for a machine the whole suite loads; a stuck server never answers.)
        url = f"http://127.0.0.1:{port}"
        asked = time.monotonic()
        assert requests.get(url + "/__sandbox/health", timeout=30).json()["status"] == "ok"
        health_took = time.monotonic() - asked
        created = requests.post(url + "/cliente", data=BODY, timeout=30,
                                headers={"Content-Type": "application/json"})
        assert created.status_code < 500
        asked = time.monotonic()
        journal = requests.get(url + "/__sandbox/requests", timeout=30)
        assert journal.status_code == 200
        journal_took = time.monotonic() - asked

    outcomes = Counter(outcome for _, outcome, _, _ in results)
    classes = Counter(f"{status // 100}xx" for status in every_status.elements())
    print(f"\ncorpus: {len(CORPUS)} variants + {SLOWLORIS} slowloris in {took:.1f} s; "
          f"connections {dict(outcomes)}; answers {dict(classes)}; "
          f"statuses {dict(sorted(every_status.items()))}; health after it {health_took:.3f} s; "
          f"journal {len(journal.content)} bytes in {journal_took:.3f} s")
