"""Names every layer shares: the admin prefix, the sandbox's own headers and the WSGI environ keys
the Flask side fills in for the outer layer (wsgi.SandboxMiddleware)."""
from __future__ import annotations

ADMIN_PREFIX = "/__sandbox"

# The header that picks a request's session, and its WSGI environ key.
SESSION_HEADER = "X-Sandbox-Session"
SESSION_KEY = "HTTP_X_SANDBOX_SESSION"

# environ keys the Flask side fills in for the outer layer
REQUEST_ID = "sandbox.request_id"
ANSWERED_BY = "sandbox.answered_by"
SESSION = "sandbox.session"
BODY = "sandbox.body"
RESPONSE = "sandbox.response"  # the werkzeug Response, read by the journal after it is sent
OPERATION = "sandbox.operation"  # the operation name, None where no route matched

# Where prometheus_client's multiprocess mode keeps each worker's values (metrics.py, workers.py).
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def environ_key(header: str) -> str:
    """X-Sandbox-Delay -> HTTP_X_SANDBOX_DELAY: reading the environ directly is several times
    cheaper than werkzeug's Headers on the hot path."""
    return "HTTP_" + header.upper().replace("-", "_")
