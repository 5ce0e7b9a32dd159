"""The BCS answers a client can force, registered with the scenario engine's order of choice:
X-Sandbox-Error (a catalog row, by its code) and magic identification numbers (999 + a five-digit
catalog code wherever the route takes an identification number)."""
from __future__ import annotations

from ...errors import SandboxError
from ...family import ORDER, Responder
from ...names import environ_key

ERROR_HEADER = "X-Sandbox-Error"
_ERROR = environ_key(ERROR_HEADER)
MAGIC_PREFIX = "999"
SCENARIO_HEADER = "X-Sandbox-Scenario"


def responders(sandbox, family: str) -> list[Responder]:
    """The catalog is the one registered for the family, read per request."""
    catalogs = sandbox.catalogs

    def forced_error(operation, request):
        spec = request.environ.get(_ERROR)
        if spec is None:
            return None
        if operation.family != family:
            names = sandbox.scenarios.current.names_for(operation.name) if sandbox.scenarios else []
            raise SandboxError(400, f"{ERROR_HEADER} selects a row of the BCS error catalog and "
                                    f"applies to BCS routes only; {operation.name} is not one. "
                                    f"Use {SCENARIO_HEADER} with one of: "
                                    f"{', '.join(names) or '(no scenario for this route)'}")
        spec, catalog = spec.strip(), catalogs[family]
        try:
            row = catalog.find(spec, operation)
        except KeyError as exc:
            raise SandboxError(400, str(exc.args[0]) if exc.args else str(exc)) from None
        err = catalog.error(row, operation)
        err.answered_by = f"error:{spec}"
        raise err

    def magic_number(operation, request):
        if operation.family != family or operation.idents is None or not _may_hold_magic(request):
            return None
        try:
            idents = operation.idents(request)
        except SandboxError:  # a body the route itself will refuse, with its own message
            return None
        catalog = catalogs[family]
        for ident in idents or ():
            row = catalog.is_magic(str(ident), operation)
            if row is not None:
                err = catalog.error(row, operation)
                err.answered_by = f"magic:{row['code']}"
                raise err
        return None

    return [Responder("forced_error", ORDER["forced_error"], forced_error,
                      headers=(ERROR_HEADER,)),
            Responder("magic_number", ORDER["magic_number"], magic_number)]


def _may_hold_magic(request) -> bool:
    """Whether a magic number could be there: 999 in the path or query, or any body (a body may
    carry it encoded, e.g. sync-data-file's base64 file, which only the operation's idents()
    decodes). GET requests without 999 skip idents(), which parses all of those."""
    environ = request.environ
    if MAGIC_PREFIX in environ.get("PATH_INFO", "") or MAGIC_PREFIX in environ.get("QUERY_STRING", ""):
        return True
    return environ.get("CONTENT_LENGTH") not in (None, "", "0")
