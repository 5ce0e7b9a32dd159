"""A plain socket to Redis per thread for the commands requests send (the store's generation
reads, its reads and writes inside a rule, its counters and commit scripts): RESP written and
read by hand, no pool, no parser objects, several commands in one write where the caller has
them, at a fraction of the client library's CPU per call (its pool, timeouts and parser cost
40-60 us a command). Where no plain socket can be had (TLS, a Unix socket), the client
library's pipeline does the same.

Errors Redis answers come back as redis.ResponseError (a refused command), a lost connection as
redis.ConnectionError, as from the client library.
"""
from __future__ import annotations

import hashlib
import socket
import threading

import redis

TIMEOUT = 0.5


def pack(*words) -> bytes:
    """A command in RESP: each word bytes, or text or a number sent as its UTF-8 text."""
    return bytes(pack_into(bytearray(), words))


def pack_into(out: bytearray, words) -> bytearray:
    """pack's RESP, added to `out`: each word copied once (a round's commit carries ~100 KB of
    records; formatting each into a string of its own, then joining, took 214 us, this 120)."""
    out += b"*%d\r\n" % len(words)
    for word in words:
        data = word if word.__class__ is bytes else str(word).encode()
        out += b"$%d\r\n" % len(data)
        out += data
        out += b"\r\n"
    return out


class Script:
    """A Lua script run by its SHA (EVALSHA); loaded again where Redis lost it (a restart)."""

    def __init__(self, source: str):
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    def __call__(self, keys, args) -> tuple:
        return ("EVALSHA", self.sha, len(keys), *keys, *args)


class Line:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""

    def run(self, commands: list[tuple], meanwhile=None) -> list:
        """Each command's reply, in order (a refused one as a ResponseError, not raised).
        `meanwhile(fd, timeout)`: called once they are sent, with the socket the replies come
        on (the event loop reads its clients' requests while Redis works); False when nothing
        came on it within the timeout."""
        out = bytearray()
        for words in commands:
            pack_into(out, words)
        self.sock.sendall(out)
        if meanwhile is not None and not self.buf:
            if not meanwhile(self.sock.fileno(), self.sock.gettimeout()):
                raise socket.timeout("timed out")
        return [self._reply() for _ in commands]

    def get(self, key: str) -> bytes | None:
        return raised(self.run([("GET", key)]))[0]

    def command(self, *words):
        return raised(self.run([words]))[0]

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"$":
            size = int(rest)
            return None if size < 0 else self._exact(size + 2)[:-2]
        if kind == b":":
            return int(rest)
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self._reply() for _ in range(count)]
        if kind == b"+":
            return rest
        if kind == b"-":
            return redis.ResponseError(rest.decode("utf-8", "replace"))
        raise OSError(f"Redis answered {line[:200]!r}")

    def _line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line, self.buf = self.buf[:end], self.buf[end + 2:]
                return line
            self._fill()

    def _exact(self, size: int) -> bytes:
        while len(self.buf) < size:
            self._fill()
        data, self.buf = self.buf[:size], self.buf[size:]
        return data

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise OSError("Redis closed the connection")
        self.buf += chunk

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def raised(replies: list) -> list:
    for reply in replies:
        if isinstance(reply, redis.ResponseError):
            raise reply
    return replies


def open_line(pool) -> Line | None:
    """A Line to the pool's Redis (its address, password and database), or None where the pool
    speaks TLS or over a Unix socket."""
    options = pool.connection_kwargs
    if "path" in options or pool.connection_class.__name__ != "Connection":
        return None
    sock = socket.create_connection((options.get("host", "localhost"), options.get("port", 6379)),
                                    timeout=TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    line = Line(sock)
    try:
        if options.get("password"):
            credentials = [options["username"]] if options.get("username") else []
            line.command("AUTH", *credentials, options["password"])
        if options.get("db"):
            line.command("SELECT", options["db"])
    except (OSError, redis.ResponseError):
        line.close()
        raise
    return line


class Lines:
    """A Line per thread, opened when first needed, and once more when Redis closed it (a
    restart); where no Line can be had (TLS, a Unix socket), the client library's pipeline."""

    def __init__(self, client: redis.Redis, scripts=()):
        self.client = client
        self.local = threading.local()
        self.scripts = {script.sha: script for script in scripts}

    def run(self, *commands: tuple, meanwhile=None) -> list:
        """The replies to `commands`, sent in one write; raises the first refusal."""
        return raised(self.replies(*commands, meanwhile=meanwhile))

    def replies(self, *commands: tuple, meanwhile=None) -> list:
        """The replies to `commands`, sent in one write, a refusal as a ResponseError in its
        place (one command's refusal is not another's). `meanwhile`: as Line.run's."""
        replies = self._sent(list(commands), meanwhile)
        missing = [i for i, reply in enumerate(replies) if _no_script(reply)]
        if missing:  # Redis restarted since the script was loaded: load it, run those again
            again = [commands[i] for i in missing]
            loads = {words[1] for words in again}
            self._sent([("SCRIPT", "LOAD", self.scripts[sha].source) for sha in loads])
            for i, reply in zip(missing, self._sent(again)):
                replies[i] = reply
        return replies

    def get(self, key: str) -> bytes | None:
        return self.run(("GET", key))[0]

    def mget(self, keys: list[str]) -> list[bytes | None]:
        return self.run(("MGET", *keys))[0]

    def _sent(self, commands: list[tuple], meanwhile=None) -> list:
        line = getattr(self.local, "line", None)
        fresh = line is None
        while True:
            try:
                if line is None:
                    line = self.local.line = open_line(self.client.connection_pool)
                    if line is None:
                        self._sent = self._piped
                        return self._piped(commands)
                return line.run(commands, meanwhile)
            except OSError as exc:
                self.local.line = None
                if line is not None:
                    line.close()
                if fresh or isinstance(exc, TimeoutError):
                    # A reply that did not come may be a command's Redis carried out: sent again,
                    # a commit would be applied twice (and answer 503 for a write it kept). Only
                    # a connection Redis had closed while it lay unused (a restart) is tried anew.
                    raise redis.ConnectionError(str(exc) or type(exc).__name__) from None
                line, fresh = None, True

    def _piped(self, commands: list[tuple], meanwhile=None) -> list:
        pipe = self.client.pipeline(transaction=False)
        for words in commands:
            pipe.execute_command(*words)
        return pipe.execute(raise_on_error=False)


def _no_script(reply) -> bool:
    return isinstance(reply, redis.exceptions.NoScriptError) or (
        isinstance(reply, redis.ResponseError) and str(reply).startswith("NOSCRIPT"))
