"""A plain socket to Redis for the commands every request sends (store_redis.begin_request's
GET, begin_round's MGET): RESP written and read by hand, no pool, no parser objects, at a third of the client
library's CPU per call (its pool, timeouts and parser cost about 20 us)."""
from __future__ import annotations

import socket
import threading

import redis

TIMEOUT = 0.5


def pack(*words) -> bytes:
    """A command in RESP: each word bytes, or text or a number sent as its UTF-8 text."""
    parts = [b"*%d\r\n" % len(words)]
    for word in words:
        data = word if isinstance(word, bytes) else str(word).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class Line:
    def __init__(self, sock: socket.socket):
        self.sock = sock

    def get(self, key: str) -> bytes | None:
        data = key.encode()
        self.sock.sendall(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(data), data))
        reply = self._read()
        if reply[:1] == b"$":
            size = int(reply[1:reply.index(b"\r\n")])
            if size < 0:
                return None
            start = reply.index(b"\r\n") + 2
            while len(reply) < start + size + 2:
                reply += self._read()
            return reply[start:start + size]
        raise OSError(f"Redis answered GET with {reply[:200]!r}")

    def mget(self, keys: list[str]) -> list[bytes | None]:
        self.sock.sendall(pack("MGET", *keys))
        reply = self._read()
        if reply[:1] != b"*":
            raise OSError(f"Redis answered MGET with {reply[:200]!r}")
        while True:  # a whole array: every value read before the last line ends
            values = _bulk_strings(reply, len(keys))
            if values is not None:
                return values
            reply += self._read()

    def command(self, *words) -> bytes:
        self.sock.sendall(pack(*words))
        reply = self._read()
        if reply[:1] == b"-":
            raise OSError(reply.decode("utf-8", "replace").strip())
        return reply

    def _read(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise OSError("Redis closed the connection")
        while not chunk.endswith(b"\r\n"):
            more = self.sock.recv(65536)
            if not more:
                raise OSError("Redis closed the connection")
            chunk += more
        return chunk

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def _bulk_strings(reply: bytes, count: int) -> list[bytes | None] | None:
    """The `count` values of an array reply of bulk strings, or None while it is not whole."""
    at = reply.index(b"\r\n") + 2
    values = []
    for _ in range(count):
        end = reply.find(b"\r\n", at)
        if end < 0:
            return None
        size = int(reply[at + 1:end])
        if size < 0:
            values.append(None)
            at = end + 2
            continue
        if len(reply) < end + 2 + size + 2:
            return None
        values.append(reply[end + 2:end + 2 + size])
        at = end + 2 + size + 2
    return values


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
    except OSError:
        line.close()
        raise
    return line


class Lines:
    """A Line per thread, opened when first needed, and once more when Redis closed it (a
    restart); where no Line can be had (TLS, a Unix socket), the client library's GET."""

    def __init__(self, client: redis.Redis):
        self.client = client
        self.local = threading.local()

    def get(self, key: str) -> bytes | None:
        return self._on_line("get", key)

    def mget(self, keys: list[str]) -> list[bytes | None]:
        return self._on_line("mget", keys)

    def _on_line(self, command: str, arg):
        line = getattr(self.local, "line", None)
        fresh = line is None
        while True:
            try:
                if line is None:
                    line = self.local.line = open_line(self.client.connection_pool)
                    if line is None:
                        self._on_line = lambda name, arg: getattr(self.client, name)(arg)
                        return self._on_line(command, arg)
                return getattr(line, command)(arg)
            except OSError as exc:
                self.local.line = None
                if line is not None:
                    line.close()
                if fresh:
                    raise redis.ConnectionError(str(exc) or type(exc).__name__) from None
                line, fresh = None, True
