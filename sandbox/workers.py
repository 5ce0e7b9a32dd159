"""`sandbox serve --workers N`: one listening socket, N forked processes serving it.

One process answers on one core. The master binds the port, then forks N workers; each builds
its own app after the fork, so each opens its own store (a SQLite connection is never carried
across a fork: the master never opens one), and serves the inherited socket with server.serve,
its loop dispatcher and drain unchanged. Connections are spread evenly over the workers
(Shares).

The master only watches: a worker that dies is restarted and the master logs it; SIGTERM or
Ctrl-C asks every worker to stop (each drains its answers in progress, --shutdown-timeout at
most; a second signal cuts them short) and the master exits when they all have. A worker dies
with its master (PR_SET_PDEATHSIG), so a master killed with -9 leaves no orphan on the port.

The workers' metrics go to files in a directory the master makes for the run and removes at
exit (prometheus_client's multiprocess mode, metrics.py); so do the unix sockets on which each
worker answers its siblings' journal reads (journal_workers.py), in a folder of their own.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback

from .logs import flush_stdout, log_line, timestamp
from .names import METRICS_DIR_ENV

MEMORY_STATES = ("", "memory", ":memory:")
# A worker that dies this soon after it started is restarted only after RESTART_PAUSE, so a
# worker that cannot start (a state file gone unreadable) does not spin the machine.
EARLY_DEATH = 5.0
RESTART_PAUSE = 1.0
BACKLOG = 1024
PR_SET_PDEATHSIG = 1
SOCKET_PATH_BYTES = 100  # of sun_path's 108 (Linux) or 104 (macOS), with room


def check_workers(config) -> None:
    """Refuses a number of workers the state cannot serve, naming the setting."""
    if config.workers < 1:
        raise ValueError(f"--workers must be at least 1, got {config.workers}")
    if config.workers > 1 and config.state in MEMORY_STATES:
        raise ValueError(f"--workers {config.workers} needs a state the workers share: "
                         f"--state PATH (a SQLite file) or a redis:// URL; with --state memory "
                         f"each worker would answer from a world of its own")


def listening_socket(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


class Shares:
    """How many connections each worker holds, in memory the workers share (an anonymous mmap
    made before the fork). A worker takes a new connection only while it holds at most one more
    than the worker holding the fewest, which always may: keep-alive clients (a load test's
    connections, opened at once and kept) spread evenly instead of as the race to accept() fell.
    A worker not serving (starting, dead) holds NOBODY, so it is never the fewest."""

    NOBODY = 1 << 62

    def __init__(self, workers: int):
        self.slots = memoryview(mmap.mmap(-1, 8 * workers)).cast("q")
        for index in range(workers):
            self.slots[index] = self.NOBODY

    def absent(self, index: int) -> None:
        self.slots[index] = self.NOBODY

    def rule(self, index: int):
        slots = self.slots

        def may_accept(held: int) -> bool:
            slots[index] = held
            return held <= min(slots) + 1
        return may_accept


def serve_workers(config, families, banner=None) -> int:
    """Serves `config` with config.workers processes until SIGTERM or Ctrl-C; the exit code."""
    try:
        check_workers(config)
        from .server import check_limits
        check_limits(config)
        sock = listening_socket(config.host, config.port)
    except (ValueError, OSError) as exc:
        print(f"sandbox: cannot start: {exc}", file=sys.stderr)
        return 2
    folder = tempfile.mkdtemp(prefix="sandbox-metrics-")
    os.environ[METRICS_DIR_ENV] = folder
    journals = journals_folder()
    from . import app  # noqa: F401  (imported once here, shared by the workers' memory)
    from .admin.token import warn_if_exposed
    warn_if_exposed(config)
    try:
        return Master(config, families, sock, banner, journals).run()
    finally:
        sock.close()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(journals, ignore_errors=True)


def journals_folder() -> str:
    """Where the workers' journal sockets go: a new folder (0700: this user's processes only) in
    TMPDIR, or in /tmp where TMPDIR is so deep that a socket's path would pass the ~104 bytes a
    Unix socket's address holds (the workers would not start)."""
    folder = tempfile.mkdtemp(prefix="sandbox-journal-")
    if len(os.fsencode(os.path.join(folder, "9999.sock"))) <= SOCKET_PATH_BYTES:
        return folder
    os.rmdir(folder)
    return tempfile.mkdtemp(prefix="sandbox-journal-", dir="/tmp")


def _log(level: str, event: str, message: str, **fields) -> None:
    log_line({"ts": timestamp(), "level": level, "event": event, "message": message, **fields})
    flush_stdout()


class Worker:
    def __init__(self, index: int, pid: int, ready_fd: int):
        self.index, self.pid, self.ready_fd = index, pid, ready_fd
        self.started = time.monotonic()
        self.ready = False


class Master:
    def __init__(self, config, families, sock, banner=None, journals=None):
        self.config, self.families, self.sock, self.banner = config, families, sock, banner
        self.journals = journals  # the folder of the workers' journal sockets
        self.workers: dict[int, Worker] = {}
        self.due: dict[int, float] = {}  # worker index -> when to start it again
        self.signals: list[int] = []
        self.stopping = False
        self.started = False  # every first worker has answered ready once
        self.shares = Shares(config.workers)
        # Each worker's last journal id, shared (journal_workers.Peers), kept across restarts.
        self.last_ids = memoryview(mmap.mmap(-1, 8 * config.workers)).cast("q")

    # -- the loop -------------------------------------------------------------------------------
    def run(self) -> int:
        wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.own_fds = [wake_r, wake_w]
        signal.set_wakeup_fd(wake_w)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
            signal.signal(signum, lambda signum, frame: self.signals.append(signum))
        try:
            # The first worker starts alone: it may create the state file, which two processes
            # opening it at once could find locked. The others start once it serves.
            self.spawn(0)
            while self.workers or (self.due and not self.stopping):
                self.wait(wake_r)
                self.take_signals()
                if self.reap() == "failed":
                    return 2
                self.take_ready()
                self.restart_due()
            return 0
        finally:
            signal.set_wakeup_fd(-1)
            for fd in self.own_fds:
                os.close(fd)

    def wait(self, wake_r: int) -> None:
        pending = [w.ready_fd for w in self.workers.values() if not w.ready]
        timeout = max(0.0, min(self.due.values()) - time.monotonic()) if self.due else None
        readable, _, _ = select.select([wake_r, *pending], [], [], timeout)
        if wake_r in readable:
            while True:
                try:
                    if not os.read(wake_r, 512):
                        break
                except BlockingIOError:
                    break

    def take_signals(self) -> None:
        """Stops the workers on SIGTERM or SIGINT; another one cuts their drain short."""
        signals, self.signals = self.signals, []
        for signum in signals:
            if signum == signal.SIGCHLD:
                continue
            if not self.stopping:
                _log("info", "stopping", f"stopping {len(self.workers)} worker(s)",
                     workers=sorted(self.workers))
                # No worker will be started again: with the master's copy closed, the port
                # stops taking connections once each worker has closed its own (its drain).
                self.sock.close()
            self.stopping = True
            self.due.clear()
            for pid in self.workers:
                _kill(pid, signal.SIGTERM)

    def reap(self) -> str | None:
        while self.workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return None
            if pid == 0:
                return None
            worker = self.workers.pop(pid, None)
            if worker is None:
                continue
            from prometheus_client import multiprocess
            multiprocess.mark_process_dead(pid, os.environ[METRICS_DIR_ENV])
            os.close(worker.ready_fd)
            self.shares.absent(worker.index)
            if self.stopping:
                continue
            if not self.started:
                # A first worker that cannot start (it said why on stderr): no start at all.
                self.stop_all()
                return "failed"
            self.died(worker, os.waitstatus_to_exitcode(status))
        return None

    def died(self, worker: Worker, code: int) -> None:
        how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with {code}"
        early = time.monotonic() - worker.started < EARLY_DEATH
        self.due[worker.index] = time.monotonic() + (RESTART_PAUSE if early else 0.0)
        _log("warning", "worker_died", f"worker {worker.index} (pid {worker.pid}) {how}; "
             f"restarting it" + (f" in {RESTART_PAUSE:g} s" if early else ""),
             worker=worker.index, pid=worker.pid, exit_code=code)

    def take_ready(self) -> None:
        for worker in list(self.workers.values()):
            if worker.ready:
                continue
            try:
                said = os.read(worker.ready_fd, 1)
            except BlockingIOError:
                continue
            if said:
                worker.ready = True
                if not self.started and worker.index == 0:
                    for index in range(1, self.config.workers):
                        self.spawn(index)
                elif self.started:
                    _log("info", "worker_restarted", f"worker {worker.index} serves again as "
                         f"pid {worker.pid}", worker=worker.index, pid=worker.pid)
        if not self.started and len(self.workers) == self.config.workers \
                and all(w.ready for w in self.workers.values()):
            self.started = True
            _log("info", "workers_started", f"{len(self.workers)} workers serving "
                 f"{self.config.host}:{self.config.port}", workers=sorted(self.workers))

    def restart_due(self) -> None:
        now = time.monotonic()
        for index, when in list(self.due.items()):
            if when <= now:
                del self.due[index]
                self.spawn(index)

    def stop_all(self) -> None:
        self.stopping = True
        for pid in self.workers:
            _kill(pid, signal.SIGTERM)
        for pid in list(self.workers):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            os.close(self.workers.pop(pid).ready_fd)

    # -- a worker -----------------------------------------------------------------------------
    def spawn(self, index: int) -> None:
        ready_r, ready_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        flush_stdout()  # nothing buffered is written twice, by the master and by the child
        sys.stderr.flush()
        first = not self.started and index == 0
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                inherited = [ready_r, *self.own_fds, *(w.ready_fd for w in self.workers.values())]
                from .journal_workers import Peers
                peers = (Peers(self.journals, index, self.config.workers, self.last_ids)
                         if self.journals else None)
                code = run_worker(self.config, self.families, self.sock, ready_w, inherited,
                                  self.shares.rule(index), self.banner if first else None, peers)
            except BaseException:  # the log says why a worker died, then the master restarts it
                traceback.print_exc()
            finally:
                sys.stderr.flush()
                os._exit(code)
        os.close(ready_w)
        self.workers[pid] = Worker(index, pid, ready_r)


def run_worker(config, families, sock, ready_w: int, inherited, may_accept,
               banner=None, peers=None) -> int:
    """A worker's life, in the forked child: its own app (its journal joined to its `peers`'),
    then server.serve on `sock`."""
    signal.set_wakeup_fd(-1)
    for fd in inherited:  # the master's pipes are none of a worker's business
        os.close(fd)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # Ctrl-C reaches the whole process group: the master turns it into one SIGTERM per worker,
    # which a worker's own SIGINT would make a second signal (an answer cut).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    master = os.getppid()
    _die_with_parent()
    if os.getppid() != master:
        return 0
    from .apis import FAMILIES
    from .app import build_app
    from .server import make_server, serve
    try:
        app = build_app(config, FAMILIES if families is None else families, peers)
    except Exception as exc:  # a broken scenario folder, an unreadable state file...
        print(f"sandbox: cannot start: {exc}", file=sys.stderr, flush=True)
        return 2
    sandbox = app.extensions["sandbox"]

    def ready(server):
        os.write(ready_w, b"1")
        os.close(ready_w)
        if banner is not None:
            banner(sandbox, server)

    server = make_server(app, config.host, config.port, config.threads, [sock], may_accept)
    serve(app, server, on_ready=ready, signals=(signal.SIGTERM,))
    sandbox.journal.close()
    sandbox.store.close()
    flush_stdout()
    return 0


def _die_with_parent() -> None:
    """Linux: the kernel sends this process SIGTERM when its parent dies."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: a master killed with -9 leaves its workers
        pass


def _kill(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
