"""GET /__sandbox/metrics: Prometheus's text format, through prometheus_client.

- `sandbox_requests_total{operation,status,answered_by}`: every answer (admin ones under
  operation "admin", requests that matched no route under "unmatched"); `answered_by` is the
  kind of what answered (route, error, magic, scenario), not the code or scenario name, so the
  series stay few.
- `sandbox_request_duration_seconds{operation}`: a latency histogram.
- `sandbox_records_stored{kind}`, `sandbox_journal_entries`, `sandbox_journal_bytes`: gauges
  taken when scraped.

With --workers N the master points PROMETHEUS_MULTIPROC_DIR at a directory of its own before
it forks (workers.py): each worker's values live in files there and a scrape, whichever worker
answers it, adds up every worker's, dead ones' counts included. Alone, a process keeps them in a
registry of its app's own.

The request path pays one dict lookup and two increments: the labelled children are looked up
once per (operation, status, answered_by) and kept.
"""
from __future__ import annotations

import os
import threading

from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics,
                               generate_latest, values)

from .names import ADMIN_PREFIX, METRICS_DIR_ENV

# The `_created` series (a timestamp per labelled child) would double the exposition and no
# dashboard of ours reads them.
disable_created_metrics()

# What generate_latest writes, which every Prometheus reads (newer releases of the library
# announce 1.0.0 for the same text).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds, from an answer on the event loop (~0.2 ms) to the longest delay (60 s).
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
           30.0, 60.0)
# How often each worker publishes its journal's size, for a scrape another worker answers.
PUBLISH_EVERY = 1.0


def shared_dir() -> str | None:
    """The directory every worker's values go to, where the master set one up."""
    return os.environ.get(METRICS_DIR_ENV) or None


class Metrics:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.shared = shared_dir()
        if self.shared and values.ValueClass is values.MutexValue:
            # prometheus_client picks where values live when it is imported: before the master
            # set the directory, each worker would count for itself alone.
            raise RuntimeError(f"prometheus_client was imported before {METRICS_DIR_ENV} was set")
        # Shared: the values live in the directory's files, not in any registry of ours.
        own = None if self.shared else CollectorRegistry()
        self.registry = own
        self.requests = Counter("sandbox_requests", "Requests answered",
                                ("operation", "status", "answered_by"), registry=own)
        self.latency = Histogram("sandbox_request_duration_seconds",
                                 "Time from a request's arrival to its answer",
                                 ("operation",), buckets=BUCKETS, registry=own)
        self.records = Gauge("sandbox_records_stored",
                             "Records stored by sessions, fixtures not counted", ("kind",),
                             registry=own, multiprocess_mode="mostrecent")
        # Each worker's journal is its own, but Redis's is every worker's: each reports it whole.
        mode = "mostrecent" if getattr(sandbox.journal, "shared", False) else "livesum"
        self.journal_entries = Gauge("sandbox_journal_entries", "Requests kept in the journal",
                                     registry=own, multiprocess_mode=mode)
        self.journal_bytes = Gauge("sandbox_journal_bytes", "Memory the journal's entries take",
                                   registry=own, multiprocess_mode=mode)
        # (operation, status, answered_by) -> its counter's inc and its histogram's observe
        self._children: dict = {}
        self._kinds: set = set()
        if self.shared:
            threading.Thread(target=self._publish_journal, name="sandbox-metrics",
                             daemon=True).start()

    # -- per request (wsgi.SandboxMiddleware) ---------------------------------------------------
    def observe(self, operation: str, status: int, answered_by: str, seconds: float) -> None:
        children = self._children.get((operation, status, answered_by))
        if children is None:
            children = self._children[(operation, status, answered_by)] = (
                self.requests.labels(operation, str(status), answered_by.partition(":")[0]).inc,
                self.latency.labels(operation).observe)
        children[0]()
        children[1](seconds)

    # -- per scrape -----------------------------------------------------------------------------
    def exposition(self) -> bytes:
        self._take_gauges()
        if self.shared:
            from prometheus_client import multiprocess
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=self.shared)
            return generate_latest(registry)
        return generate_latest(self.registry)

    def _take_gauges(self) -> None:
        store = self.sandbox.store
        counts = {kind: n for kind, n in store.counts().items() if not kind.startswith("_")}
        for kind in self._kinds - counts.keys():  # emptied by a reset: 0, not its old count
            self.records.labels(kind).set(0)
        for kind, n in counts.items():
            self.records.labels(kind).set(n)
        self._kinds |= counts.keys()
        self._take_journal()

    def _take_journal(self) -> None:
        entries, size = self.sandbox.journal.stats()
        self.journal_entries.set(entries)
        self.journal_bytes.set(size)

    def _publish_journal(self) -> None:
        stopped = threading.Event()
        while not stopped.wait(PUBLISH_EVERY):
            self._take_journal()


def register(app, sandbox) -> None:
    from flask import Response
    sandbox.metrics = metrics = Metrics(sandbox)

    def scrape():
        return Response(metrics.exposition(), mimetype=None,
                        headers={"Content-Type": CONTENT_TYPE})

    app.add_url_rule(ADMIN_PREFIX + "/metrics", endpoint="admin_metrics", view_func=scrape,
                     methods=["GET"])
