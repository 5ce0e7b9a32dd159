"""Chaos: a flaky upstream on demand, per session, reproducibly (docs/qa.md, "Chaos").

`PUT /__sandbox/chaos {"rate": 0.2, "routes": [...], "errors": [...], "delay_ms": [min, max]}`
makes a share `rate` of the session's requests to `routes` answer one of `errors` in the route's
own envelope (X-Sandbox-Answered-By: chaos:<code>), after a delay picked in `delay_ms`.

The settings are a record of the session's store layer (CHAOS_KIND), so a reset ends them and
--state PATH keeps them; the session's switches record (engine.ACTIVE_KIND) says chaos is on, so
a session without chaos reads nothing more per request. Each pick is a function of the server's
--seed, the session and the request's place in the session's requests to chaos (the n-th one),
so the same seed, session and order of requests give the same picks: a failing run replays.
"""
from __future__ import annotations

import math
import random

from flask import g

from ..errors import SandboxError
from ..family import ORDER, Responder
from ..names import SESSION
from ..waits import once, wait
from .limits import MAX_DELAY_MS
from .respond import catalog_error

CHAOS_KIND, CHAOS_KEY = "_chaos", "settings"
FIELDS = ("rate", "routes", "errors", "delay_ms")
DEFAULT_STATUSES = (500, 503)  # where the route's family declares no chaos errors


class Chaos:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.store = sandbox.store
        self.scenarios = sandbox.scenarios  # whose switches record says chaos is on
        self.seed = sandbox.config.seed
        self._defaults: dict[str, list] = {}

    # -- settings -----------------------------------------------------------------------------
    def settings(self, session: str) -> dict | None:
        """What GET /__sandbox/chaos shows: the settings, the seed and how many requests chaos
        has seen; None when it is off."""
        if not self.scenarios.switches(session).get("chaos"):
            return None
        record = self.store.get(session, CHAOS_KIND, CHAOS_KEY)
        return {**record["settings"], "seed": self.seed, "requests": record["requests"]}

    def start(self, session: str, body) -> dict:
        settings = self.parse(body)
        with self.store.lock:
            # A new setting counts from the first request again: the same run replays.
            self.store.put(session, CHAOS_KIND, CHAOS_KEY, {"settings": settings, "requests": 0})
            self.scenarios.switch(session, chaos=True)
        return self.settings(session)

    def stop(self, session: str) -> None:
        self.scenarios.switch(session, chaos=False)

    def parse(self, body) -> dict:
        """The settings, or a 400 naming the field."""
        if not isinstance(body, dict):
            raise SandboxError(400, "The request body must be a JSON object, e.g. {\"rate\": 0.2}")
        unknown = sorted(set(body) - set(FIELDS))
        if unknown:
            raise SandboxError(400, f"{unknown[0]}: unknown field; chaos takes "
                                    f"{', '.join(FIELDS)} (only rate is required)")
        routes = self._routes(body.get("routes"))
        errors = self._errors(body.get("errors"), routes, "routes" in body)
        if errors is not None and "routes" not in body:
            routes = [name for name in routes if self.applicable(errors, name)]
        return {"rate": _rate(body.get("rate")), "routes": routes, "errors": errors,
                "delay_ms": _delay(body.get("delay_ms"))}

    def _routes(self, routes) -> list[str]:
        names = list(self.sandbox.operations)
        if routes is None:
            return names
        _listed("routes", routes, "operation names (leave it out for every route)")
        for index, name in enumerate(routes):
            if not isinstance(name, str) or name not in self.sandbox.operations:
                raise SandboxError(400, f"routes[{index}]: unknown operation {name!r}; "
                                        f"operations: {', '.join(names)}")
        return list(dict.fromkeys(routes))

    def _errors(self, errors, routes: list[str], routes_given: bool) -> list | None:
        if errors is None:
            return None
        _listed("errors", errors, "catalog codes or HTTP statuses (leave it out for each "
                                  "route's defaults)")
        for index, error in enumerate(errors):
            if isinstance(error, bool) or not isinstance(error, (str, int)) or not any(
                    self.applies(error, name) for name in routes):
                raise SandboxError(400, f"errors[{index}]: {error!r} is neither a catalog code "
                                        f"of these routes' families nor an HTTP status 400-599 "
                                        f"(for routes without a catalog); "
                                        f"GET /__sandbox/errors lists the codes")
        if routes_given:
            bare = [name for name in routes if not self.applicable(errors, name)]
            if bare:
                raise SandboxError(400, f"errors: none of them applies to {', '.join(bare)}; "
                                        f"routes with an error catalog take its codes, the "
                                        f"others HTTP statuses 400-599")
        return list(errors)

    def applies(self, error, name: str) -> bool:
        operation = self.sandbox.operations[name]
        catalog = self.sandbox.catalogs.get(operation.family)
        if catalog is not None:
            try:
                catalog.find(str(error), operation)
            except KeyError:
                return False
            return True
        return str(error).isdigit() and len(str(error)) == 3 and 400 <= int(error) <= 599

    def applicable(self, errors: list, name: str) -> list:
        return [error for error in errors if self.applies(error, name)]

    def defaults(self, operation) -> list:
        found = self._defaults.get(operation.name)
        if found is None:
            declared = self.sandbox.chaos_errors.get(operation.family)
            found = self._defaults[operation.name] = (
                declared(operation.name) if declared else list(DEFAULT_STATUSES))
        return found

    # -- per request --------------------------------------------------------------------------
    def pick(self, session: str, operation) -> tuple | None:
        """(error, delay in ms) when chaos picks this request, else None; the session's count
        of requests to chaos advances under the store's lock."""
        with self.store.lock:
            record = self.store.get(session, CHAOS_KIND, CHAOS_KEY)
            if record is None or operation.name not in record["settings"]["routes"]:
                return None
            nth = record["requests"]
            self.store.put(session, CHAOS_KIND, CHAOS_KEY, {**record, "requests": nth + 1})
        settings = record["settings"]
        chance = random.Random(f"{self.seed}:{session}:{nth}")
        if chance.random() >= settings["rate"]:
            return None
        errors = settings["errors"]
        error = chance.choice(self.applicable(errors, operation.name) if errors is not None
                              else self.defaults(operation))
        low, high = settings["delay_ms"] or (0, 0)
        return error, chance.randint(low, high)

    def error(self, operation, error) -> SandboxError:
        answered_by = f"chaos:{error}"
        if self.sandbox.catalogs.get(operation.family) is not None:
            return catalog_error(self.sandbox, operation, str(error), answered_by)
        return SandboxError(int(error), f"Chaos: a simulated upstream failure (HTTP {error}); "
                                        f"DELETE /__sandbox/chaos ends it",
                            answered_by=answered_by)


def _listed(field: str, value, what: str) -> None:
    if not isinstance(value, list) or not value:
        raise SandboxError(400, f"{field}: must be a non-empty list of {what}")


def _rate(rate) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) \
            or not 0 <= rate <= 1:
        raise SandboxError(400, f"rate: required, the share of requests that fail, a number "
                                f"from 0 to 1 (got {rate!r})")
    return float(rate)


def _delay(delay) -> list[int] | None:
    if delay is None:
        return None
    if not isinstance(delay, list) or len(delay) != 2 or any(
            isinstance(d, bool) or not isinstance(d, int) for d in delay) \
            or not 0 <= delay[0] <= delay[1] <= MAX_DELAY_MS:
        raise SandboxError(400, f"delay_ms: [min, max], whole milliseconds with "
                                f"0 <= min <= max <= {MAX_DELAY_MS} (got {delay!r})")
    return list(delay)


def responder(sandbox) -> Responder:
    """Chaos in the order of choice: after forced errors, named scenarios and magic numbers,
    before the active scenario. Its may_wait is the engine's active_in, which reads the same
    switches record."""
    chaos: Chaos = sandbox.chaos

    def answer(operation, request):
        environ = request.environ
        if not sandbox.scenarios.switches_of(environ).get("chaos"):
            return None
        session = environ.get(SESSION) or g.session
        # Picked on the request's first run: a run after its delay answers the same pick.
        picked = once(environ, "chaos", lambda: chaos.pick(session, operation))
        if picked is None:
            return None
        error, delay = picked
        g.answered_by = f"chaos:{error}"
        if delay:
            wait(environ, delay)
        raise chaos.error(operation, error)

    return Responder("chaos", ORDER["chaos"], answer)
