"""Serving the app with waitress: the only module that imports it."""
from __future__ import annotations

import collections
import gc
import heapq
import itertools
import logging
import select
import signal
import threading
import time

try:
    import resource
except ImportError:  # not a POSIX system
    resource = None

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, get_header_lines
from waitress.rfc7230 import HEADER_FIELD_RE
from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher, WSGITask

from .http import NOT_FAST, ROUND_BODY
from .logs import log_line, start_writer, timestamp
from .tls import TLSChannelMixin, tls_context
from .waits import WAITS, Park, Waits

# File descriptors the process holds besides its connections: the listening socket, the loop's
# trigger pipe, SQLite's database, journal and shared-memory files, stdio, files being read.
RESERVED_FDS = 64


class UnderscoreHeaderParser(HTTPRequestParser):
    """Keeps request headers whose names hold an underscore (seed 004's `client_id`,
    `client_secret`), which waitress drops because `client_id` and `client-id` map to the same
    WSGI key. A name sent with a dash as well keeps the dashed value, so nothing is overwritten.

    It also keeps the request's Waits (waits.py) across the runs of a request parked for a
    delay."""

    waits = None

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


class LoopDispatcher(ThreadedTaskDispatcher):
    """Answers the requests the app says need no wait on the event loop's own thread, and holds
    the requests parked for a delay without a thread.

    Waitress hands every request to a worker thread: two thread switches, a GIL hand-over and a
    wake-up of the loop per request, which cost more than the sandbox's answer itself (server
    CPU per read: 370 us with the hand-off, 190 us without). What may wait (a delay, a
    scenario, the admin API) still goes to the workers, so a slow request never holds the
    others up. Built on waitress 3.0's channel and dispatcher (pinned in pyproject.toml).

    A delay does not hold a worker either: the request parks (waits.py, SandboxChannel.service)
    and one timer thread hands its channel back to the workers' queue when it is due, so any
    number of delayed requests wait side by side and the workers stay free for the rest.

    The loop answers in rounds (serve_ready, after each poll): every request the round read is
    answered in a row, and their answers are sent at the round's end, after the app's
    end_round. So a shared state reads what the round's requests need in one round trip
    (begin_round: their sessions' generations, the records their routes name), and what must
    reach it before an answer leaves (the journal's entries) goes in one write, not one per
    request.

    Where the state waits on a round's trip (Redis: its reads, its commit), the loop reads the
    requests arriving meanwhile on the other connections (read_meanwhile, which the state calls
    with its socket): they are parsed while Redis works, not shown to the app (its rule may ask
    the state, whose reply is awaited), and served in the next round.

    The state commits what the round's requests wrote once, at end_round (group commit). Where
    it refuses them (a full disk, Redis gone), the requests that wrote get no answer, nor those
    served after the round's first write (they may have read it): their connections are closed,
    as a server that failed mid-request would, never a 2xx for a write that is not kept nor an
    answer that shows one.

    at_once(request): the app's rule, given waitress's parsed request, before the app sees it.
    begin_round(requests) / end_round(): the app's hooks around a round, `requests` what
    `arrived` tells of each request the round holds (method, path, query, headers, body);
    end_round returns True when the round's writes were refused. writes(): a count of the write
    batches so far (which requests wrote); or None.
    """

    def __init__(self, at_once, begin_round=None, end_round=None, writes=None):
        super().__init__()
        self.at_once = at_once
        self.begin_round, self.end_round = begin_round, end_round
        self.writes = writes
        self.loop_thread = None  # set by the channel when the loop reads
        self.ready = collections.deque()
        self.in_round = False  # answers wait for the round's end (SandboxChannel._flush_some)
        self.parked = []  # a heap of (due, order, channel)
        self.order = itertools.count()
        self.timer = threading.Condition()
        self.timer_thread = None
        self.timer_stopped = False
        self.map = {}  # the server's sockets (make_server), for read_meanwhile
        self.hooking = False  # in the round's begin_round or end_round
        self.deferring = False  # reading in read_meanwhile: add_task defers
        self.arrived_meanwhile = []  # what read_meanwhile read, handed on after the round

    def park(self, channel, seconds: float) -> None:
        """Holds `channel`, whose request parked for a delay, `seconds`; then a worker runs the
        request again."""
        with self.timer:
            if self.timer_stopped:  # shut down: cut like a pending request
                channel.cancel()
                return
            heapq.heappush(self.parked, (time.monotonic() + seconds, next(self.order), channel))
            if self.timer_thread is None:
                self.timer_thread = threading.Thread(target=self._hand_back_when_due,
                                                     name="sandbox-timer", daemon=True)
                self.timer_thread.start()
            self.timer.notify()

    def _hand_back_when_due(self):
        while True:
            with self.timer:
                while True:
                    if self.timer_stopped:
                        return
                    left = self.parked[0][0] - time.monotonic() if self.parked else None
                    if left is not None and left <= 0:
                        channel = heapq.heappop(self.parked)[2]
                        break
                    self.timer.wait(left)
            ThreadedTaskDispatcher.add_task(self, channel)

    def shutdown(self, cancel_pending=True, timeout=5):
        with self.timer:
            self.timer_stopped = True
            parked, self.parked = self.parked, []
            self.timer.notify()
        for _, _, channel in parked:
            channel.cancel()
        return super().shutdown(cancel_pending, timeout)

    def add_task(self, channel):
        if self.deferring and threading.get_ident() == self.loop_thread:
            # The app is not asked now: the state's reply is on its way on the loop's line.
            self.arrived_meanwhile.append(channel)
        elif threading.get_ident() == self.loop_thread and self.at_once(channel.requests[0]):
            # Called from channel.received(), which holds the channel's request lock that
            # service() takes: answered once the read is over (serve_ready).
            self.ready.append(channel)
        else:
            super().add_task(channel)

    def serve_ready(self):
        """Answers the round's requests, then sends their answers (see the class)."""
        if not self.ready:
            return
        served = []
        first_write = None  # where in `served` the round's first writing request is
        writes = self.writes
        self.in_round = True
        try:
            if self.begin_round is not None:
                self.hooking = True
                try:
                    _hook(self.begin_round, [arrived(c.requests[0]) for c in self.ready])
                finally:
                    self.hooking = False
            while self.ready:  # a pipelined request is appended once the one before is answered
                channel = self.ready.popleft()
                served.append(channel)
                before = writes() if writes is not None else 0
                channel.service()
                if first_write is None and writes is not None and writes() != before:
                    first_write = len(served) - 1
        finally:
            self.in_round = False
            self.hooking = True
            try:
                refused = self.end_round is not None and _hook(self.end_round)
            finally:
                self.hooking = False
            if refused and first_write is not None:
                # A request after the first write may have read what the round wrote (a read
                # pipelined after a create): none of them is answered either.
                _refused(served[first_write:])
            for channel in served:
                if channel.connected and channel.total_outbufs_len:
                    channel.handle_write()
            later, self.arrived_meanwhile = self.arrived_meanwhile, []
            for channel in later:  # for the next round (poll_round then does not wait)
                self.add_task(channel)

    def read_meanwhile(self, fd: int, timeout: float | None) -> bool:
        """While a trip of the round's hooks to the state is on its way (Redis's reads or
        commit), reads the requests arriving on the other connections until the reply is
        there: their parsing fills time the loop would spend waiting. They are served in a
        later round. False where nothing came on `fd` within `timeout` seconds (late)."""
        if not self.hooking or threading.get_ident() != self.loop_thread:
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        pollster, polled = select.poll(), {fd}
        pollster.register(fd, select.POLLIN)
        self.deferring = True
        try:
            while True:
                # The connections with a request to read, new ones too (the listening
                # socket's accept adds them).
                for other, obj in list(self.map.items()):
                    if other not in polled and _reads_requests(obj):
                        pollster.register(other, select.POLLIN | select.POLLPRI)
                        polled.add(other)
                left = None if deadline is None else max(0, deadline - time.monotonic())
                try:
                    events = pollster.poll(None if left is None else int(left * 1000))
                except InterruptedError:
                    continue
                if not events:
                    return False
                for other, flags in events:
                    obj = self.map.get(other) if other != fd else None
                    if obj is not None:
                        wasyncore.readwrite(obj, flags & ~select.POLLOUT)
                    if other != fd and not _reads_requests(self.map.get(other)):
                        pollster.unregister(other)  # a request to serve now, or closed
                        polled.discard(other)
                if any(other == fd for other, _ in events):
                    return True
        except Exception as exc:  # the reply is read as without the wait's reading, never lost
            log_line({"ts": timestamp(), "level": "error", "event": "read_meanwhile_failed",
                      "message": repr(exc)})
            return True
        finally:
            self.deferring = False

    def holding(self) -> bool:
        """Whether answers written now wait for the round's end (on the loop, in a round)."""
        return self.in_round and threading.get_ident() == self.loop_thread


def _reads_requests(obj) -> bool:
    """Whether `obj` of the server's map is a connection ready to read a request, or the
    listening socket ready to accept one (not the loop's trigger: what it runs may answer)."""
    if isinstance(obj, HTTPChannel):
        return obj.readable()
    return obj is not None and obj.accepting and obj.readable()


def _hook(fn, *args):
    """An app's hook around a round: what goes wrong in it is logged, and the loop goes on."""
    try:
        return fn(*args)
    except Exception as exc:
        log_line({"ts": timestamp(), "level": "error", "event": "round_hook_failed",
                  "message": f"{getattr(fn, '__name__', 'hook')}: {exc!r}"})
        return True  # what the hook was to commit may not be kept


def _refused(channels) -> None:
    """The state refused the round's writes: the requests from its first write on are not
    answered."""
    if channels:
        log_line({"ts": timestamp(), "level": "error", "event": "round_writes_refused",
                  "message": f"the state refused a round's writes: its {len(channels)} "
                             "request(s) from the first that wrote on are closed without an "
                             "answer"})
    for channel in channels:
        channel.handle_close()


class SandboxTask(WSGITask):
    """waitress's WSGI task, with the request's Waits in the environ (waits.py), kept on the
    parsed request so that a parked request's next run knows what it has waited."""

    def get_environment(self):
        if self.environ is not None:
            return self.environ
        environ = super().get_environment()
        request = self.request
        waits = request.waits
        if waits is None:
            waits = request.waits = Waits()
        else:
            # A run after a park reads the body again from its start: waitress keeps it in one
            # file per request, which each task is handed at position 0.
            environ["wsgi.input"].seek(0)
        environ[WAITS] = waits
        # Handed once: a run after a park reads the body afresh, as the first did.
        round_body = request.__dict__.pop("round_body", NOT_FAST)
        if round_body is not NOT_FAST:
            environ[ROUND_BODY] = round_body
        return environ


class SandboxChannel(HTTPChannel):
    parser_class = UnderscoreHeaderParser
    task_class = SandboxTask
    arriving = None  # the request close_stalled saw arriving, and since when
    arriving_since = 0.0

    def service(self):
        try:
            super().service()
        except Park as park:
            # The app unwound before it started an answer, so nothing was written: the request
            # stays first in self.requests (the channel reads nothing more meanwhile, and
            # close_stalled leaves it alone) until the dispatcher hands it back to a worker.
            self.server.task_dispatcher.park(self, park.seconds)

    def handle_read(self):
        self.server.task_dispatcher.loop_thread = threading.get_ident()
        self.read_request_bytes()  # answered after the poll round (poll_round)

    def _flush_some(self, do_close=True):
        # In a round, an answer is sent at its end (LoopDispatcher.serve_ready), after what the
        # app must send first; False leaves it in the buffers, as a socket that is not ready.
        if self.server.task_dispatcher.holding():
            return False
        return super()._flush_some(do_close)

    read_request_bytes = HTTPChannel.handle_read  # TLSChannel reads through its TLS layer


class TLSChannel(TLSChannelMixin, SandboxChannel):
    """SandboxChannel over TLS (tls.py); make_server gives it the context."""


def header_lookup(request):
    """A lookup of waitress's parsed request's headers by name (X-Sandbox-Delay)."""
    headers = request.headers  # keys as waitress keeps them: X_SANDBOX_DELAY
    return lambda name: headers.get(name.upper().replace("-", "_"))


# A body a round's hook may read (a create's JSON is ~2 KB): larger ones are not looked at.
PEEK_BYTES = 64 * 1024


def arrived(request) -> tuple:
    """What a round's hook is told of a request waitress parsed: (method, path, query, header
    lookup by name, its RoundBody), the body left for the app to read."""
    return (request.command, request.path, request.query, header_lookup(request),
            RoundBody(request))


class RoundBody:
    """A round's request body as its hook sees it: calling it gives the bytes (b"" where they
    are over PEEK_BYTES); keep(value) hands what the hook read of them to the app, in the
    environ (http.ROUND_BODY), so that the body is not parsed twice."""

    __slots__ = ("request",)

    def __init__(self, request):
        self.request = request

    def __call__(self) -> bytes:
        return peek_body(self.request)

    def keep(self, value) -> None:
        self.request.round_body = value


def peek_body(request) -> bytes:
    if not 0 < request.content_length <= PEEK_BYTES:
        return b""
    stream = request.get_body_stream()
    at = stream.tell()
    try:
        return stream.read(PEEK_BYTES)
    finally:
        stream.seek(at)


def request_rule(answers_at_once):
    """The app's rule (path, header lookup by name) over waitress's parsed request."""
    def at_once(request) -> bool:
        if request.error is not None:
            return True  # unparseable: waitress answers it itself (400, 413...), not the app
        try:
            return answers_at_once(request.path, header_lookup(request))
        except Exception:  # e.g. the state store is down: a worker renders the error
            return False
    return at_once


def check_limits(config) -> None:
    """Refuses limits the server cannot run with, naming the setting."""
    if config.connection_limit < 1:
        raise ValueError(f"--connection-limit must be at least 1, got {config.connection_limit}")
    if config.idle_timeout < 1:
        raise ValueError(f"--idle-timeout must be at least 1 second, got {config.idle_timeout}")
    if config.shutdown_timeout < 0:
        raise ValueError(f"--shutdown-timeout cannot be negative, got {config.shutdown_timeout}")


def fit_connections(wanted: int, soft: int, hard: int) -> tuple[int, int]:
    """(the soft file-descriptor limit to ask for, the connections it holds): `wanted`
    connections plus RESERVED_FDS, as far as the hard limit allows."""
    infinity = getattr(resource, "RLIM_INFINITY", -1)
    needed = wanted + RESERVED_FDS
    if soft == infinity or soft >= needed:
        return soft, wanted
    target = needed if hard == infinity else min(needed, hard)
    return target, min(wanted, max(1, target - RESERVED_FDS))


def connection_budget(wanted: int) -> int:
    """The connections this process can hold open: `wanted`, once the soft file-descriptor limit
    is raised toward it; fewer, logged as a warning, where the hard limit is lower. Past the
    limit, accept() fails and waitress would spin on the listening socket."""
    if resource is None:  # not a POSIX system: nothing to check
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target, limit = fit_connections(wanted, soft, hard)
    if target != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            target, limit = soft, min(wanted, max(1, soft - RESERVED_FDS))
    if limit < wanted:
        log_line({"ts": timestamp(), "level": "warning", "event": "connection_limit_lowered",
                  "message": f"the file-descriptor limit ({target}) holds {limit} connections, "
                             f"not the {wanted} asked for; raise it with `ulimit -n`",
                  "connection_limit": limit})
    return limit


def close_stalled(server, timeout: int):
    """waitress's maintenance, which closes the connections idle for `timeout` seconds, plus
    those whose request has been arriving for longer (a client trickling a byte at a time is
    never idle). It runs every `cleanup_interval` on the loop; a connection with a request being
    answered, or parked for a delay, is left alone."""
    def maintenance(now):
        cutoff = now - timeout
        for channel in list(server.active_channels.values()):
            if channel.requests:
                continue
            partial = channel.request
            if channel.last_activity < cutoff:
                channel.will_close = True
            elif partial is not None:
                if channel.arriving is not partial:  # first seen now
                    channel.arriving, channel.arriving_since = partial, now
                elif channel.arriving_since < cutoff:
                    channel.will_close = True
    return maintenance


def make_server(app, host: str, port: int, threads: int = 8, sockets=None, may_accept=None):
    """The waitress server for the app, with the limits of its config (connection_limit,
    idle_timeout), speaking HTTPS where it names a certificate; on `sockets` already listening
    (a worker's, workers.py) instead of binding host:port, taking a new connection only while
    `may_accept(connections held)` says so. Raises ValueError for a setting it cannot run with,
    OSError when it cannot listen."""
    config = app.extensions["sandbox"].config
    check_limits(config)
    context = tls_context(config)
    # waitress warns "Task queue depth is N" on stderr for nearly every request once clients
    # outnumber its threads: under load a formatted record and an unbuffered write per request,
    # and noise in a sandbox's output. Real problems still come through at ERROR.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    sandbox = app.extensions["sandbox"]
    dispatcher = LoopDispatcher(request_rule(sandbox.answers_at_once),
                                getattr(sandbox, "begin_round", None),
                                getattr(sandbox, "end_round", None),
                                getattr(sandbox, "round_writes", None))
    dispatcher.set_thread_count(threads)
    wait_with = getattr(sandbox, "wait_with", None)
    if wait_with is not None:
        wait_with(dispatcher.read_meanwhile)
    where = {"sockets": sockets} if sockets else {"host": host, "port": port}
    server = create_server(app, **where, threads=threads, ident="sandbox",
                           clear_untrusted_proxy_headers=True, _dispatcher=dispatcher,
                           connection_limit=connection_budget(config.connection_limit),
                           channel_timeout=config.idle_timeout, cleanup_interval=1,
                           # select() takes no descriptor over 1023: a thousand connections
                           # need poll().
                           asyncore_use_poll=True,
                           url_scheme="https" if context else "http")
    if context is None:
        server.channel_class = SandboxChannel
    else:
        server.channel_class = type("TLSChannel", (TLSChannel,), {"context": context})
    dispatcher.map = server._map
    server.maintenance = close_stalled(server, config.idle_timeout)
    server.run = lambda: run_forever(server)  # sandbox.testing runs the loop this way
    wake = server.pull_trigger
    # Every answer wakes the loop (a byte through a pipe, then a poll round to read it): on the
    # loop's own thread that is two system calls for nothing, as the loop polls next anyway.
    server.pull_trigger = lambda: None if threading.get_ident() == dispatcher.loop_thread \
        else wake()
    if may_accept is not None:
        readable = server.readable  # asked by the loop before every round
        server.readable = lambda: readable() and may_accept(len(server.active_channels))
    return server


class Stop:
    """SIGTERM and Ctrl-C. The first asks the server to stop: it stops taking connections and
    lets the answers in progress finish (drain); a second cuts that short.

    The handler raises nothing (it used to raise KeyboardInterrupt in the loop's thread, where it
    could land in the middle of an answer, or of waitress's bookkeeping): it sets a flag that the
    loop reads between rounds and wakes the loop by writing to its trigger pipe directly, since
    pull_trigger() takes a lock the interrupted thread may hold."""

    def __init__(self, server):
        self.server = server
        self.requested = False
        self.forced = False

    def __call__(self, signum, frame):
        if self.requested:
            self.forced = True
        self.requested = True
        try:
            self.server.trigger._physical_pull()
        except OSError:  # the trigger is closed: the server is stopping anyway
            pass


def stop_in_thread(server, thread: threading.Thread, timeout: float = 10) -> None:
    """Stops `server`, whose loop runs in `thread` of this process (tests, sandbox.testing):
    every socket closes on the loop's own thread, its map empties and run() returns."""
    def close_everything():
        for dispatcher in list(server._map.values()):
            dispatcher.close()

    try:
        server.trigger.pull_trigger(close_everything)
    except OSError:
        # A worker's wake-up byte already in the pipe let the loop run close_everything between
        # its append and this write: the trigger is closed because the work is done.
        if not server.trigger._closed:
            raise
    thread.join(timeout)
    server.task_dispatcher.shutdown()


def poll_round(server, timeout: float) -> None:
    """One round of the loop: poll, read what is ready, answer the requests read (serve_ready)."""
    poll = wasyncore.poll2 if server.adj.asyncore_use_poll else wasyncore.poll
    # Requests read while the last round waited on the state (read_meanwhile) are ready now.
    poll(0 if server.task_dispatcher.ready else timeout, server._map)
    server.task_dispatcher.serve_ready()


def run_until(server, stop: Stop | None) -> None:
    """waitress's loop (server.run()), round by round until a stop is requested (with no Stop,
    until every socket is closed, as waitress's)."""
    sockets, timeout = server._map, server.adj.asyncore_loop_timeout
    while not stop.requested if stop is not None else sockets:
        poll_round(server, timeout)


def run_forever(server) -> None:
    """waitress's server.run() in rounds: until every socket is closed (stop_in_thread)."""
    try:
        run_until(server, None)
    except (SystemExit, KeyboardInterrupt):
        server.task_dispatcher.shutdown()


def in_progress(server) -> int:
    """Closes the connections with nothing in progress (idle, or a request not yet whole) and
    counts the rest: a request received, being answered or parked, or an answer not yet sent."""
    busy = 0
    for channel in list(server.active_channels.values()):
        if channel.requests or channel.total_outbufs_len:
            busy += 1
        else:
            channel.will_close = True  # closed by the loop's next round
    return busy


def drain(server, stop: Stop, timeout: float) -> int:
    """Stops taking connections and runs the loop until every request already received has been
    answered and sent, `timeout` seconds at most or until a second signal. Returns how many
    answers were cut."""
    wasyncore.dispatcher.close(server)  # the listening socket; the trigger stays, to wake us
    deadline = time.monotonic() + timeout
    busy = in_progress(server)
    if busy:
        log_line({"ts": timestamp(), "level": "info", "event": "stopping",
                  "message": f"stopping: waiting up to {timeout:g} s for {busy} answer(s) in "
                             f"progress; signal again to stop at once", "in_progress": busy})
    while busy and not stop.forced:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        poll_round(server, min(left, 0.25))
        busy = in_progress(server)
    if busy:
        log_line({"ts": timestamp(), "level": "warning", "event": "answers_cut",
                  "message": f"stopped with {busy} answer(s) in progress cut "
                             f"({'a second signal' if stop.forced else '--shutdown-timeout'})",
                  "cut": busy})
    return busy


def serve(app, server, on_ready=None, signals=(signal.SIGTERM, signal.SIGINT)) -> None:
    """Serve with `server` (make_server's) until one of `signals` (SIGTERM or Ctrl-C), then
    drain (the config's shutdown_timeout at most) and return."""
    # Everything built at start (fixtures, catalog, compiled scenarios) lives as long as the
    # process: out of the cyclic GC's sight, it is not rescanned on every full collection.
    gc.collect()
    gc.freeze()
    writer = start_writer(0.25)

    stop = Stop(server)
    for signum in signals:
        signal.signal(signum, stop)
    if on_ready:
        on_ready(server)
    try:
        run_until(server, stop)
        drain(server, stop, app.extensions["sandbox"].config.shutdown_timeout)
    finally:
        # The workers are idle after a drain; after a cut, the process exits without them.
        server.task_dispatcher.shutdown(timeout=1)
        server.close()
        writer.stop()
