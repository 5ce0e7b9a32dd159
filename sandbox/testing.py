"""The sandbox inside a test suite: a real server in the test process, and a client bound to a
session of its own (docs/qa.md, "The pytest plugin").

    from sandbox.testing import SandboxServer
    with SandboxServer(seed=42) as server:
        client = server.client()            # a fresh X-Sandbox-Session
        requests.get(server.url + "/cliente", headers=client.headers("cooperative"))

The pytest plugin (sandbox/pytest_plugin.py) gives the same as the fixtures `sandbox_server`
and `sandbox`. The client speaks the admin API with the standard library (urllib): a QA suite
need not install anything else.
"""
from __future__ import annotations

import dataclasses
import json
import threading
import uuid
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from .config import Config
from .names import ADMIN_PREFIX, SESSION_HEADER

JSON = {"Content-Type": "application/json"}


class SandboxRefused(AssertionError):
    """The admin API refused a call: its status and message (an AssertionError, so pytest shows
    it as a failed expectation of the test's setup)."""

    def __init__(self, status: int, message: str, body=None):
        super().__init__(f"sandbox answered {status}: {message}")
        self.status, self.message, self.body = status, message, body


class JournalIncomplete(AssertionError):
    """A journal answer that lacks some workers' entries (`--workers N`, one of them restarting,
    dead or silent): a verification against it would be a guess, so it fails instead."""

    def __init__(self, skipped: list):
        super().__init__("the sandbox's journal lacks the entries of " + "; ".join(
            f"worker {note['worker']} ({note['problem']})" for note in skipped))
        self.skipped = skipped


class SandboxServer:
    """The sandbox on a real waitress server on a free loopback port, in a thread of this
    process, with memory state: the shipped scenarios plus `scenarios` (folders), the generated
    people of `seed`, and any other setting by name (`journal_size=50`, `bcs_client_id=...`).
    `.url`, `.stop()`; a context manager."""

    def __init__(self, seed: int | None = None, scenarios=(), threads: int = 8, **settings):
        changes = {"state": "memory", "log_requests": False, "reload_interval": 0,
                   "scenarios": tuple(str(folder) for folder in scenarios), **settings}
        if seed is not None:
            changes["seed"] = seed
        self.config = Config().with_(**changes)
        self.threads = threads
        self.app = self.server = self.thread = None
        self.url = None

    @property
    def sandbox(self):
        """The app's Sandbox (its config with every family setting, families, store)."""
        return self.app.extensions["sandbox"]

    def start(self) -> "SandboxServer":
        from . import create_app
        from .server import make_server
        self.app = create_app(self.config)
        # Port 0: the kernel picks a free port when binding, so parallel suites never race.
        self.server = make_server(self.app, "127.0.0.1", 0, threads=self.threads)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, name="sandbox-server", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread is None:
            return
        from .server import stop_in_thread
        stop_in_thread(self.server, self.thread)
        self.thread = None

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def credentials(self) -> dict[str, dict]:
        """Working credentials as headers, per family name, from each family's declaration. The
        test process set any configured secret itself, so it is shown here unmasked."""
        config = dataclasses.replace(self.sandbox.config, configured_secrets=frozenset())
        return {name: dict(family.security.example_headers(config))
                for name, family in self.sandbox.families.items()}

    def forcing_header(self) -> str | None:
        """The request header that forces a catalog error (the `forced_error` responder's)."""
        responder = self.sandbox.responder("forced_error")
        return responder.headers[0] if responder and responder.headers else None

    def client(self, session: str | None = None) -> "SandboxClient":
        return SandboxClient(self.url, self.credentials(), self.forcing_header(), session)


class SandboxClient:
    """One test's view of the sandbox: its own X-Sandbox-Session (fresh unless given), so tests
    never see each other's records, scenarios, chaos or journal."""

    def __init__(self, url: str, credentials: dict, forcing_header: str | None = None,
                 session: str | None = None):
        self.url = url.rstrip("/")
        self.session = session or f"pytest-{uuid.uuid4().hex[:12]}"
        self._credentials = credentials
        self._forcing_header = forcing_header

    # -- headers for the app under test --------------------------------------------------------
    def headers(self, family: str) -> dict:
        """Working credentials of `family` (core, cooperative, bcs...) and the session header."""
        if family not in self._credentials:
            raise KeyError(f"no family {family!r}; families: {', '.join(self._credentials)}")
        return {**self._credentials[family], SESSION_HEADER: self.session}

    def force_error(self, code) -> dict:
        """The header that makes a route answer catalog error `code` ("50628", "500:3")."""
        if self._forcing_header is None:
            raise KeyError("no family of this sandbox forces errors by header")
        return {self._forcing_header: str(code)}

    # -- the admin API, for this session -------------------------------------------------------
    def activate(self, name: str) -> dict:
        return self.call("PUT", "/scenarios/active", {"name": name})

    def deactivate(self) -> dict:
        return self.call("DELETE", "/scenarios/active")

    def chaos(self, rate: float, **options) -> dict:
        """PUT /__sandbox/chaos: routes=[...], errors=[...], delay_ms=[min, max]."""
        return self.call("PUT", "/chaos", {"rate": rate, **options})

    def requests(self, **filters) -> list[dict]:
        """The session's journal, newest first: operation=, method=, path=, status=,
        answered_by=, since=, limit=."""
        return _whole(self.call("GET", "/requests" + _query(filters)))["requests"]

    def count(self, **filters) -> int:
        return _whole(self.call("GET", "/requests/count" + _query(filters)))["count"]

    def reset(self) -> dict:
        return self.call("POST", "/reset")

    def call(self, method: str, path: str, body=None):
        """One admin call under /__sandbox for this session; its JSON answer, or SandboxRefused."""
        data = None if body is None else json.dumps(body).encode()
        request = Request(self.url + ADMIN_PREFIX + path, data=data, method=method,
                          headers={SESSION_HEADER: self.session, **(JSON if data else {})})
        try:
            with urlopen(request, timeout=30) as answer:
                return _json(answer.read())
        except HTTPError as refused:
            payload = _json(refused.read())
            message = payload.get("message") if isinstance(payload, dict) else None
            raise SandboxRefused(refused.code, message or str(payload), payload) from None


def _whole(answer: dict) -> dict:
    """A journal answer, or JournalIncomplete where some workers' entries are missing from it."""
    if answer.get("skipped_workers"):
        raise JournalIncomplete(answer["skipped_workers"])
    return answer


def _query(filters: dict) -> str:
    return "?" + urlencode(filters) if filters else ""


def _json(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")
