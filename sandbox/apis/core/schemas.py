"""The core's request tables (seeds 000, 001, 002) as marshmallow schemas, built once at import.

Rules every table shares (the seeds' notes under each table):
- a field marked `*` is required: present, and not null unless a seed example sends it null;
  a required text field must not be empty either;
- a field without `*` may be null, empty ("") or absent;
- fields the tables do not list are kept (unknown=INCLUDE at every level), because the seeds'
  own examples send many (`bonding_type`, `industry_code`, `customer_number`...).
Where a seed example contradicts its table, the example wins and a comment says where.

The tables live in their own modules: columns.py (the column types and `Table`),
customer_common.py (what both customer layouts share), customer_000.py and customer_001.py (the
two layouts), product_002.py (core_product). This one builds the schemas and answers with them.
"""
from __future__ import annotations

from marshmallow import Schema

from ... import fastcheck
from ...errors import field_errors, field_path
from .customer_000 import CoreCustomer000
from .customer_001 import CoreCustomer001
from .product_002 import CoreProduct


# Built once: validation is the only per-request work.
CUSTOMER_000 = CoreCustomer000()
CUSTOMER_001 = CoreCustomer001()
PRODUCT = CoreProduct()
# A valid body (the common case) is recognised by a compiled check; marshmallow's full report is
# asked for only when that check finds a fault.
_PASSES = {id(schema): fastcheck.compile_check(schema)
           for schema in (CUSTOMER_000, CUSTOMER_001, PRODUCT)}


def customer_schema(body: dict) -> Schema:
    """Seed 001's layout carries `client_documents`; seed 000's keeps documents in client_info."""
    return CUSTOMER_001 if "client_documents" in body else CUSTOMER_000


def problems(schema: Schema, body: dict) -> str | None:
    """Every failing field of `body`, each with its path, or None when the body is valid."""
    passes = _PASSES.get(id(schema))
    if passes is not None and passes(body):
        return None
    errors = schema.validate(body)
    if not errors:
        return None
    return "Invalid request: " + "; ".join(
        f"{field_path(keys, brackets=True)}: {', '.join(m.rstrip('.') for m in messages)}"
        for keys, messages in field_errors(errors)) + "."
