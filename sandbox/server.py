"""Serving the app with waitress: the only module that imports it."""
from __future__ import annotations

import gc
import logging
import signal
import threading

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, get_header_lines
from waitress.rfc7230 import HEADER_FIELD_RE
from waitress.server import create_server

from .wsgi import flush_stdout


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
    # waitress warns "Task queue depth is N" on stderr for nearly every request once clients
    # outnumber its threads: under load a formatted record and an unbuffered write per request,
    # and noise in a sandbox's output. Real problems still come through at ERROR.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(app, host=host, port=port, threads=threads, ident="sandbox",
                           clear_untrusted_proxy_headers=True)
    server.channel_class = UnderscoreHeaderChannel
    return server


def flush_stdout_every(seconds: float) -> threading.Event:
    """Flushes the buffered request log lines every `seconds`; set the event to stop."""
    stopped = threading.Event()

    def loop():
        while not stopped.wait(seconds):
            flush_stdout()

    threading.Thread(target=loop, name="stdout-flush", daemon=True).start()
    return stopped


def serve(app, host: str, port: int, threads: int = 8, on_ready=None) -> None:
    """Serve until SIGTERM or Ctrl-C, then close the listening socket and return."""
    server = make_server(app, host, port, threads)
    # Everything built at start (fixtures, catalog, compiled scenarios) lives as long as the
    # process: out of the cyclic GC's sight, it is not rescanned on every full collection.
    gc.collect()
    gc.freeze()
    flusher = flush_stdout_every(0.25)

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
        flusher.set()
        flush_stdout()
