"""HTTPS on the server's own event loop (--tls-cert / --tls-key), for phones: Android (API 28+)
and iOS refuse cleartext HTTP by default.

Each accepted socket is wrapped with the standard library's ssl in non-blocking mode; the
handshake, reads and writes go on in the loop like plain ones, a TLS "want read/write" being no
more than a socket not ready yet. Requests are then answered as over HTTP (on the loop or the
workers, server.LoopDispatcher): nothing changes for a server without a certificate, which
never builds a TLS channel.
"""
from __future__ import annotations

import socket
import ssl
import time

WANT = (ssl.SSLWantReadError, ssl.SSLWantWriteError)
# What a plain-HTTP client on the HTTPS port gets before the connection closes (OpenSSL tells
# such a "hello" apart: reason HTTP_REQUEST), rather than a bare reset it cannot explain.
_PLAIN_BODY = b'{"message":"this port speaks HTTPS: ask https:// instead of http://"}'
PLAIN_HTTP_ANSWER = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                     b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(_PLAIN_BODY)
                     + _PLAIN_BODY)


def tls_context(config) -> ssl.SSLContext | None:
    """The server's TLS context, or None for plain HTTP. Raises ValueError naming the settings
    when only one is given or the files cannot be loaded."""
    cert, key = config.tls_cert, config.tls_key
    if not cert and not key:
        return None
    if not (cert and key):
        raise ValueError("--tls-cert and --tls-key (SANDBOX_TLS_CERT, SANDBOX_TLS_KEY) go "
                         "together: give both, or neither for plain HTTP")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"--tls-cert {cert} / --tls-key {key}: cannot load them "
                         f"({getattr(exc, 'strerror', None) or exc})") from None
    return context


class TLSChannelMixin:
    """Over waitress's HTTPChannel (server.TLSChannel): the socket wrapped at accept, the
    handshake driven by the loop's read and write events, reads drained of what the TLS layer
    already decrypted (the socket will not signal it again)."""

    context: ssl.SSLContext  # set on the class the server builds (server.make_server)
    handshaken = False
    handshake_wants_write = False

    def __init__(self, server, sock, addr, adj, map=None):
        sock = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        super().__init__(server, sock, addr, adj, map)

    def _handshake(self) -> bool:
        """Advances the handshake; True once it is over."""
        self.handshake_wants_write = False
        try:
            self.socket.do_handshake()
        except ssl.SSLWantReadError:
            return False
        except ssl.SSLWantWriteError:
            self.handshake_wants_write = True
            return False
        except ssl.SSLError as exc:  # not TLS, or a client refusing the certificate
            if exc.reason == "HTTP_REQUEST":
                self._tell_plain_http()
            self.handle_close()
            return False
        except OSError:
            self.handle_close()
            return False
        self.handshaken = True
        return True

    def _tell_plain_http(self):
        """One plain answer on the raw socket (below TLS), best effort: it is closing anyway.
        What is left of the request is read first, and the answer ends with a FIN: a close
        with unread bytes would reset the connection, and the client could lose the answer."""
        raw = self.socket
        try:
            while socket.socket.recv(raw, 65536):
                pass
        except OSError:  # nothing more to read now
            pass
        try:
            socket.socket.send(raw, PLAIN_HTTP_ANSWER)
            socket.socket.shutdown(raw, socket.SHUT_WR)
        except OSError:
            pass

    def writable(self):
        return self.handshake_wants_write or super().writable()

    def handle_write(self):
        if self.handshaken or self._handshake():
            super().handle_write()

    def read_request_bytes(self):
        if not self.handshaken and not self._handshake():
            return
        chunks = []
        try:
            while True:
                data = self.socket.recv(self.adj.recv_bytes)
                if not data:  # the client closed
                    self.handle_close()
                    break
                chunks.append(data)
                if not self.socket.pending():
                    break
        except WANT:
            pass
        except OSError:
            self.handle_close()
            return
        if chunks:
            self.last_activity = time.time()
            self.received(b"".join(chunks))

    def send(self, data, do_close=True):
        try:
            return super().send(data, do_close)
        except WANT:  # the socket's buffer is full: the loop sends the same bytes again
            return 0
