"""The /cliente request as seed 003's request table describes it."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ...errors import SandboxError, field_errors, field_path
from ...fastcheck import compile_check

CURP, MEMBER_NUMBER = 1, 2
DOCUMENT_TYPES = {CURP: "CURP", MEMBER_NUMBER: "member number (numero de socio)"}
_DOCUMENT_TYPE_VALUES = "1 (CURP) or 2 (member number)"
_MESSAGES = {"required": "is required", "null": "may not be null"}


class StrictInteger(fields.Integer):
    """A JSON integer: no numeric strings, and no booleans (Python counts True as 1)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class DocumentNumber(fields.Field):
    """A string, or an integer as the seed's own example sends it (25326461); kept as text."""

    default_error_messages = {"invalid": "must be a string or an integer",
                              "blank": "must not be blank"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if not value.strip():
            raise self.make_error("blank")
        return value


class ClienteRequest(Schema):
    class Meta:
        # The seed lists three fields; anything else a client sends is ignored, not refused.
        unknown = EXCLUDE

    tipo_documento_id = StrictInteger(
        required=True, strict=True, validate=validate.OneOf(DOCUMENT_TYPES, error="must be " + _DOCUMENT_TYPE_VALUES),
        error_messages={**_MESSAGES, "invalid": "must be an integer: " + _DOCUMENT_TYPE_VALUES},
        metadata={"description": "1 = CURP, 2 = member number", "example": 1})
    tipo_documento = fields.String(
        required=True, validate=validate.Length(min=1, error="must not be empty"),
        error_messages={**_MESSAGES, "invalid": "must be a string"},
        metadata={"description": "Name of the document type (free text, e.g. curp)",
                  "example": "curp"})
    numero_documento = DocumentNumber(
        required=True, error_messages=_MESSAGES,
        metadata={"description": "The document's number: string or integer", "example": "25326461",
                  "json_schema": {"oneOf": [{"type": "string", "minLength": 1},
                                            {"type": "integer"}]}})


CLIENTE_REQUEST = ClienteRequest()
# Nearly every request is valid: the compiled check passes those without marshmallow's
# machinery, and marshmallow is asked only to explain a refusal.
_PASSES = compile_check(CLIENTE_REQUEST)


def load_cliente_request(body: dict) -> dict:
    """The validated request, or a 400 naming every failing field."""
    if _PASSES(body):
        number = body["numero_documento"]
        return {"tipo_documento_id": body["tipo_documento_id"],
                "tipo_documento": body["tipo_documento"],
                "numero_documento": number if type(number) is str else str(number)}
    try:
        return CLIENTE_REQUEST.load(body)
    except ValidationError as exc:
        raise SandboxError(400, "Invalid request: " + "; ".join(
            f"{field_path(keys)}: {' '.join(messages)}"
            for keys, messages in field_errors(exc.messages))) from None
