"""`sandbox health`: asks a running sandbox, at the address its settings name, whether it is up
(the Docker HEALTHCHECK, which reads the same SANDBOX_* variables as serve)."""
from __future__ import annotations

import json
import ssl
import urllib.request

from .names import ADMIN_PREFIX

# A server listening on every address is asked on loopback.
WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}


def health_url(config) -> str:
    host = WILDCARDS.get(config.host, config.host)
    if ":" in host:
        host = f"[{host}]"
    scheme = "https" if config.tls_cert else "http"
    return f"{scheme}://{host}:{config.port}{ADMIN_PREFIX}/health"


def probe(config, timeout: float = 2.0) -> str:
    """"ok", or what went wrong in one line. The certificate is not checked: the probe asks its
    own server, on its own machine, whether it answers."""
    context = ssl._create_unverified_context() if config.tls_cert else None
    url = health_url(config)
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as answer:
            status = json.loads(answer.read()).get("status")
    except (OSError, ValueError) as exc:
        return f"sandbox: {url}: {getattr(exc, 'reason', None) or exc}"
    return "ok" if status == "ok" else f"sandbox: {url}: status {status!r}"
