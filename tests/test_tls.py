"""HTTPS (--tls-cert / --tls-key) on the server's own loop, with a real TLS client (requests
and the standard library's ssl) and a self-signed certificate made by `openssl req`."""
from __future__ import annotations

import http.client
import json
import shutil
import socket
import ssl
import subprocess
import sys
import threading

import pytest
import requests

from sandbox import create_app
from tests.conftest import CORE_AUTH, LiveServer, make_config, seed_example

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """(cert, key): self-signed for localhost and 127.0.0.1, valid for a day."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return str(cert), str(key)


class TLSServer(LiveServer):
    """LiveServer speaking HTTPS: started once a TLS client gets its health answer."""

    def __init__(self, app, cert):
        super().__init__(app)
        self.url = self.url.replace("http://", "https://")
        self.cert = cert

    def __enter__(self):
        self.thread.start()
        assert requests.get(self.url + "/__sandbox/health", verify=self.cert,
                            timeout=10).status_code == 200
        return self


@pytest.fixture
def tls_server(certificate):
    cert, key = certificate
    with TLSServer(create_app(make_config(tls_cert=cert, tls_key=key)), cert) as server:
        yield server


def test_a_verifying_client_talks_https_on_one_kept_alive_connection(tls_server):
    with requests.Session() as session:
        # verify on each call: requests lets the environment's CA bundle beat session.verify
        created = session.post(tls_server.url + "/core_customer", headers=CORE_AUTH,
                               json=seed_example("000_request_1"), verify=tls_server.cert)
        assert created.status_code == 201, created.text
        number = created.json()["customer_number"]
        journal = session.get(tls_server.url + "/__sandbox/requests",
                              verify=tls_server.cert).json()
        assert any(str(number) in json.dumps(entry) for entry in journal["requests"])


def test_a_large_answer_arrives_whole_over_tls(tls_server, app):
    # openapi.json is ~200 KB: more than one TLS record and than a socket buffer holds at once.
    plain = app.test_client().get("/__sandbox/openapi.json").get_data()
    context = ssl.create_default_context(cafile=tls_server.cert)
    connection = http.client.HTTPSConnection("127.0.0.1", tls_server.server.effective_port,
                                             context=context, timeout=10)
    for _ in range(3):
        connection.request("GET", "/__sandbox/openapi.json")
        answer = connection.getresponse()
        body = answer.read()
        assert answer.status == 200 and len(body) == len(plain) > 100_000
    connection.close()


def test_plain_http_and_a_stalled_handshake_do_not_stop_tls_clients(tls_server):
    port = tls_server.server.effective_port
    stalled = socket.create_connection(("127.0.0.1", port))  # connects, never says hello
    with socket.create_connection(("127.0.0.1", port), timeout=5) as plain:
        plain.sendall(b"GET /__sandbox/health HTTP/1.1\r\nHost: x\r\n\r\n")
        told = b""
        try:
            while chunk := plain.recv(4096):
                told += chunk
        except ConnectionResetError:  # after the answer: the rest of it is checked below
            pass
    # Not TLS: a plain 400 that says so, then the connection closes.
    assert told.startswith(b"HTTP/1.1 400 ") and b"https://" in told
    head, _, body = told.partition(b"\r\n\r\n")
    assert json.loads(body)["message"].startswith("this port speaks HTTPS")
    answers = []

    def ask():
        answers.append(requests.get(tls_server.url + "/__sandbox/health", verify=tls_server.cert,
                                    timeout=5).status_code)
    askers = [threading.Thread(target=ask) for _ in range(5)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    stalled.close()
    assert answers == [200] * 5


def test_an_unverified_client_is_refused_by_its_own_check(tls_server):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_server.url + "/__sandbox/health", timeout=5)  # the system's CAs only


def test_serve_with_a_certificate_names_the_https_url_of_the_port_bound(certificate):
    cert, key = certificate
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "serve", "--port", "0", "--quiet",
                             "--tls-cert", cert, "--tls-key", key],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = json.loads(proc.stdout.readline())
        assert banner["event"] == "serving" and banner["url"].startswith("https://127.0.0.1:")
        port = int(banner["url"].rsplit(":", 1)[1])
        assert port > 0
        health = requests.get(f"https://localhost:{port}/__sandbox/health", verify=cert,
                              timeout=10)
        assert health.json()["status"] == "ok"
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    assert proc.returncode == 0


@pytest.mark.parametrize("given", [("--tls-cert",), ("--tls-key",), ("--tls-cert", "--tls-key")])
def test_a_certificate_alone_or_unreadable_is_one_line_and_exit_2(tmp_path, given):
    missing = str(tmp_path / "missing.pem")
    args = [arg for flag in given for arg in (flag, missing)]
    result = subprocess.run([sys.executable, "-m", "sandbox", "serve", "--port", "0", *args],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "--tls-cert" in lines[0] and "Traceback" not in result.stderr


def test_sandbox_health_asks_over_https_when_a_certificate_is_set(tls_server, capsys):
    from sandbox import cli
    port = str(tls_server.server.effective_port)
    assert cli.main(["health", "--port", port, "--tls-cert", tls_server.cert]) == 0
    assert capsys.readouterr().out.strip() == "ok"
    assert cli.main(["health", "--port", port]) == 1  # plain HTTP to the HTTPS port
    assert port in capsys.readouterr().err
