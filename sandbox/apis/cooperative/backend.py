"""The cooperative's member lookup: which member a document names (seed 003)."""
from __future__ import annotations

from ...store import SessionState
from .schemas import MEMBER_NUMBER

# Members by num_socio; the CURP index points a CURP document at its member's num_socio.
MEMBERS = "cooperative_member"
BY_CURP = "_cooperative_member_by_curp"
# The seed's es_socio "0" (no es socio): the whole answer for a document that names no member.
# Shared and never mutated: responses only serialise it.
NOT_A_MEMBER = {"es_socio": "0"}


def cliente(state: SessionState, tipo_documento_id: int, numero_documento: str) -> dict:
    """The `data` POST /cliente answers: the member's data, or NOT_A_MEMBER."""
    member = find_member(state, tipo_documento_id, numero_documento)
    return member["data"] if member else NOT_A_MEMBER


def find_member(state: SessionState, tipo_documento_id: int, numero_documento: str) -> dict | None:
    """The stored member record `{"curp", "data"}` a document names, or None.

    Exact match on the document as sent (a CURP in another case is another document).
    """
    if tipo_documento_id == MEMBER_NUMBER:
        num_socio = numero_documento
    else:
        entry = state.get(BY_CURP, numero_documento)
        num_socio = entry["num_socio"] if entry else None
    return state.get(MEMBERS, num_socio) if num_socio else None


def fixtures(members: list[dict]) -> dict[str, dict[str, dict]]:
    """Store records for members `{"curp", "data"}`: the members and their CURP index."""
    return {
        MEMBERS: {m["data"]["num_socio"]: m for m in members},
        BY_CURP: {m["curp"]: {"num_socio": m["data"]["num_socio"]} for m in members},
    }
