"""Serving the app with waitress: the only module that imports it."""
from __future__ import annotations

import signal

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, get_header_lines
from waitress.rfc7230 import HEADER_FIELD_RE
from waitress.server import create_server


class UnderscoreHeaderParser(HTTPRequestParser):
    """Keeps request headers whose names hold an underscore (seed 004's `client_id`,
    `client_secret`), which waitress drops because `client_id` and `client-id` map to the same
    WSGI key. A name sent with a dash as well keeps the dashed value, so nothing is overwritten."""

    def parse_header(self, header_plus):
        super().parse_header(header_plus)  # validates the block and fills self.headers
        if b"_" not in header_plus:
            return
        for line in get_header_lines(header_plus.split(b"\r\n", 1)[1]):
            match = HEADER_FIELD_RE.match(line)
            name, value = match.group("name", "value")
            key = name.upper().decode("latin-1")  # waitress's key form: CLIENT_ID
            if b"_" in name and key not in self.headers:
                self.headers[key] = value.strip(b" \t").decode("latin-1")


class UnderscoreHeaderChannel(HTTPChannel):
    parser_class = UnderscoreHeaderParser


def make_server(app, host: str, port: int, threads: int = 8):
    server = create_server(app, host=host, port=port, threads=threads, ident="sandbox",
                           clear_untrusted_proxy_headers=True)
    server.channel_class = UnderscoreHeaderChannel
    return server


def serve(app, host: str, port: int, threads: int = 8, on_ready=None) -> None:
    """Serve until SIGTERM or Ctrl-C, then close the listening socket and return."""
    server = make_server(app, host, port, threads)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if on_ready:
        on_ready(server)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
