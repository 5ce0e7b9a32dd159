"""`sandbox record`: a proxy in front of a real upstream that writes what it answers as scenarios.

Each request is forwarded as it came (method, path, query, headers, body) and its answer sent
back unchanged; an exchange on one of the families' routes is written to the folder
(recording.py). An upstream that refuses the connection answers 502, one slower than the timeout
504, both in the route's own envelope, and nothing is written.

Forwarding uses the standard library's http.client: it sends the bytes and header names we give
it without re-encoding anything, and the sandbox needs no new dependency for it.
"""
from __future__ import annotations

import http.client
import io
import socket
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from .app import registered
from .config import Config
from .errors import SandboxError, error_response
from .journal import header_name
from .names import ANSWERED_BY
from .logs import log_line, timestamp
from .recording import NotRecordable, Recordings, recorded_response, request_match

DEFAULT_TIMEOUT = 30.0
# Headers about one connection, not the request (RFC 9110 7.6.1), and Host (the upstream's own).
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer",
                        "transfer-encoding", "upgrade", "host", "proxy-authorization"})


class Upstream:
    """Where requests go: scheme, host, port and a base path the request's path is put under."""

    def __init__(self, url: str, timeout: float):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--upstream must be an http:// or https:// URL, got {url!r}")
        self.url = url
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname, parts.port
        self.base = parts.path.rstrip("/")
        self.timeout = timeout

    def send(self, method: str, target: str, headers: list, body: bytes):
        """(status, reason, headers, body) from the upstream; raises OSError or
        http.client.HTTPException when it cannot be reached or answers nothing readable."""
        kind = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        connection = kind(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, self.base + target, body=body or None,
                               headers=dict(headers))
            answer = connection.getresponse()
            data = answer.read()
            return answer.status, answer.reason, answer.getheaders(), data
        finally:
            connection.close()


class Recorder:
    """The proxy as a WSGI app. It registers the families (not the pipeline: nothing here
    answers by itself) to know each request's route, its envelope and what is secret."""

    def __init__(self, upstream: Upstream, out, config: Config | None = None, families=None):
        kwargs = {} if families is None else {"families": families}
        config = config or Config.from_env(state="memory", log_requests=False, reload_interval=0)
        self.flask, self.sandbox = registered(config, name="sandbox-record", **kwargs)
        self.upstream = upstream
        self.recordings = Recordings(out)
        self.masks = self.sandbox.journal.masks
        # The environ has lost the case (and the underscore or dash) of header names: the
        # families' documented spellings (client_id, X-Security-ClientID) are sent as they are.
        self.spellings = {_environ_key(name): name for name in self.sandbox.documented_headers()}
        # What server.make_server reads of an app: its config, and that every request may wait
        # (on the upstream), so none is answered on the event loop.
        self.extensions = {"sandbox": _Facts(self.sandbox.config)}

    def __call__(self, environ, start_response):
        body = _read_body(environ)
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        query = environ.get("QUERY_STRING", "")
        target = path + ("?" + query if query else "")
        try:
            status, reason, headers, data = self.upstream.send(method, target,
                                                               self.headers(environ), body)
        except (OSError, http.client.HTTPException) as exc:
            return self.failure(environ, body, exc, start_response)
        self.record(environ, body, status, headers, data)
        # The server adds its own Via, Date and Server; the upstream's go with the rest.
        sent = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP | {"content-length",
                                                                            "via"}]
        start_response(f"{status} {reason}", sent + [("Content-Length", str(len(data)))])
        return [data]

    def headers(self, environ) -> list:
        found = []
        for key, value in environ.items():
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                key = "HTTP_" + key
            elif not key.startswith("HTTP_"):
                continue
            name = self.spellings.get(key) or header_name(key)
            # Accept-Encoding dropped: an identity body is what the client and a recording get.
            if name.lower() not in HOP_BY_HOP and name.lower() != "accept-encoding":
                found.append((name, value))
        return found

    def route(self, environ):
        """(operation, path parameters) of the request, or (None, {}) off the families' routes."""
        try:
            endpoint, view_args = self.flask.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return None, {}
        return self.sandbox.operations.get(endpoint), view_args

    def record(self, environ, body: bytes, status: int, headers, data: bytes) -> None:
        operation, view_args = self.route(environ)
        # Off the routes, or a preflight / HEAD the URL map matched too: forwarded, not recorded.
        if operation is None or environ["REQUEST_METHOD"] != operation.method:
            return
        with self.flask.request_context(_replayable(environ, body)) as context:
            request = context.request
            family = self.sandbox.families[operation.family]
            match = request_match(family.route(operation.name).identified_by, view_args,
                                  request.args.to_dict(), request.get_json(silent=True),
                                  self.masks)
        try:
            response = recorded_response(status, headers, data, self.masks)
        except NotRecordable as why:
            log_line({"ts": timestamp(), "level": "warning", "event": "not_recorded",
                      "operation": operation.name, "message": str(why)})
            return
        self.recordings.add(operation.name, environ["REQUEST_METHOD"],
                            environ.get("PATH_INFO", "/"), match, response)

    def failure(self, environ, body: bytes, exc: Exception, start_response):
        """502 (refused, reset, not HTTP) or 504 (slower than the timeout), in the envelope of
        the family the path falls under."""
        slow = isinstance(exc, (socket.timeout, TimeoutError))
        status = 504 if slow else 502
        why = (f"the upstream {self.upstream.url} did not answer within "
               f"{self.upstream.timeout:g} s" if slow
               else f"the upstream {self.upstream.url} could not be reached ({exc})")
        family, operation = self.sandbox.route_for(environ.get("PATH_INFO", "/"))
        found, _ = self.route(environ)
        operation = found or operation
        err = SandboxError(status, f"sandbox record: {why}; nothing was recorded")
        with self.flask.request_context(_replayable(environ, body)):
            response = error_response(err, self.sandbox.envelope_for(
                operation.family if operation else family), operation)
        response.headers["X-Sandbox-Answered-By"] = "record:upstream-timeout" if slow \
            else "record:upstream-unreachable"
        environ[ANSWERED_BY] = response.headers["X-Sandbox-Answered-By"]
        return response(environ, start_response)


class _Facts:
    def __init__(self, config):
        self.config = config

    @staticmethod
    def answers_at_once(path, header) -> bool:
        return False


def _environ_key(name: str) -> str:
    return "HTTP_" + name.upper().replace("-", "_")


def _read_body(environ) -> bytes:
    length = environ.get("CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    return stream.read(int(length)) if length and length.isdigit() else b""


def _replayable(environ, body: bytes) -> dict:
    """The environ again, with its body readable once more (it was read to forward it)."""
    return {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}


def serve_recorder(upstream: str, out, host: str | None = None, port: int | None = None,
                   timeout: float = DEFAULT_TIMEOUT, threads: int | None = None) -> int:
    """Serves the recording proxy until SIGTERM or Ctrl-C (server.serve)."""
    from .server import make_server, serve
    config = Config.from_env(state="memory", log_requests=False, reload_interval=0,
                             host=host, port=port)
    recorder = Recorder(Upstream(upstream, timeout), out, config)
    config = recorder.sandbox.config

    def ready(server):
        # One JSON line, as `serve`'s banner: stdout carries only JSON lines.
        url = f"http://{config.host}:{server.effective_port}"
        log_line({"ts": timestamp(), "level": "info", "event": "recording", "url": url,
                  "upstream": upstream, "out": str(out),
                  "message": f"sandbox recording on {url}: forwarding to {upstream}, writing to "
                             f"{out} (replay: sandbox serve --scenarios {out}, then activate "
                             f"the story 'recorded')"})

    server = make_server(recorder, config.host, config.port, threads or config.threads)
    serve(recorder, server, on_ready=ready)
    return 0
