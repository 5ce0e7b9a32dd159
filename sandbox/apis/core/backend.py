"""The core's rules: create or update a customer by its main document; open a product's accounts.

No web framework here: functions take the session's state and a parsed body, return plain values
and raise SandboxError (core_product's errors carry their `accounts_info` body).

Records:
- kind `core_customer`, key customer_number: {customer_number, main_document, wisenroll_code,
  client (the request body as posted, unknown fields included), accounts: [...]}.
- index `_core_customer_by_document`, key "TYPE|NUMBER|COUNTRY": {customer_number}.
- index `_core_customer_by_wisenroll`, key the wisenroll code: {customer_number}.
"""
from __future__ import annotations

from ...errors import SandboxError
from . import schemas

CUSTOMERS = "core_customer"
BY_DOCUMENT = "_core_customer_by_document"
BY_WISENROLL = "_core_customer_by_wisenroll"
CUSTOMER_COUNTER = "core_customer"


# -- customers --------------------------------------------------------------------------------
def main_document(client: dict) -> dict:
    """(type, number, issuing country) of the client's main document, in either layout.
    The body must have passed its schema (001: exactly one document with main 1)."""
    if "client_documents" in client:
        doc = next(d for d in client["client_documents"] if d.get("main") == 1)
    else:
        doc = client["client_info"]
    return {"document_type_code": doc["document_type_code"],
            "document_number": doc["document_number"],
            "issuing_country_code": doc["issuing_country_code"]}


def document_key(document_type: str, number: str, country: str) -> str:
    """Dashes, spaces and letter case do not make another document (402-1110100-0 = 40211101000)."""
    def clean(value):
        return "".join(str(value or "").split()).replace("-", "").upper()
    return f"{clean(document_type)}|{clean(number)}|{clean(country)}"


def key_of(document: dict) -> str:
    return document_key(document["document_type_code"], document["document_number"],
                        document["issuing_country_code"])


def customer_record(number: int, client: dict, accounts=()) -> dict:
    info = client.get("client_info") or {}
    return {"customer_number": number, "main_document": main_document(client),
            "wisenroll_code": info.get("wisenroll_code"), "client": client,
            "accounts": list(accounts)}


def index_entries(record: dict) -> dict[str, dict[str, dict]]:
    """The index rows that point at a customer record."""
    ref = {"customer_number": record["customer_number"]}
    rows = {BY_DOCUMENT: {key_of(record["main_document"]): ref}, BY_WISENROLL: {}}
    if record.get("wisenroll_code"):
        rows[BY_WISENROLL][wisenroll_key(record["wisenroll_code"])] = ref
    return rows


class CoreBackend:
    def __init__(self, first_customer_number: int, catalog: dict):
        self.first_customer_number = first_customer_number
        self.sub_products: dict = catalog["sub_products"]
        self.products: dict = catalog["products"]
        # A catalog typo fails at start, not on the request that meets it.
        for code, product in self.products.items():
            unknown = [sub for sub in product["opens"] if sub not in self.sub_products]
            if unknown or len(code) > 4:
                raise ValueError(f"core_products.yaml: product {code} (4 characters at most) opens "
                                 f"{product['opens']}, unknown sub-products: {unknown}")

    # POST /core_customer
    def save_customer(self, state, body: dict) -> int:
        """Create the client, or update the stored one with the same main document: its number."""
        message = schemas.problems(schemas.customer_schema(body), body)
        if message:
            raise SandboxError(400, message)
        document_key_ = key_of(main_document(body))
        # Lookup and insert under one lock: two concurrent posts of a new client make one customer.
        with state.lock:
            found = state.get(BY_DOCUMENT, document_key_)
            number = found["customer_number"] if found else None
            check_wisenroll(state, body, number)
            old = state.get(CUSTOMERS, number) or {} if found else {}
            if found:
                record = customer_record(number, body, old.get("accounts", ()))
            else:
                number = state.next_number(CUSTOMER_COUNTER, self.first_customer_number)
                record = customer_record(number, body)
            state.put(CUSTOMERS, number, record)
            release_wisenroll(state, old, record)
            for kind, rows in index_entries(record).items():
                for key, ref in rows.items():
                    state.put(kind, key, ref)
        return number

    # POST /core_product
    def open_product(self, state, body: dict) -> list[dict]:
        """The accounts the product opens for the customer (stored under the customer)."""
        code = body.get("product_code")
        message = schemas.problems(schemas.PRODUCT, body)
        if message:
            raise self.product_error(code, message)
        if code not in self.products:
            known = ", ".join(f"{c} ({p['description']})" for c, p in self.products.items())
            raise self.product_error(code, f"product_code {code} is not a product of the core; "
                                           f"known codes: {known}.")
        number = body["customer_number"]
        with state.lock:
            customer = state.get(CUSTOMERS, number)
            problems = [] if customer else [
                f"customer_number {number} is not a customer of the core "
                f"(create it first with POST /core_customer)"]
            related = self._related(state, body.get("related_client_info") or [], problems)
            if problems:
                raise self.product_error(code, "; ".join(problems) + ".")
            accounts = [self._account(state, sub, body, related) for sub in self.products[code]["opens"]]
            state.put(CUSTOMERS, number, {**customer, "accounts": [*customer["accounts"], *accounts]})
        return [{"action": "CREATE", "account_product": a["account_product"],
                 "account_number": a["account_number"]} for a in accounts]

    def _account(self, state, sub: str, body: dict, related: list[dict]) -> dict:
        spec = self.sub_products[sub]
        sequence = state.next_number(f"core_account:{sub}", spec["first_sequence"])
        return {"account_number": f"{spec['account_prefix']}{sequence:06d}", "account_product": sub,
                "product_code": body["product_code"], "currency": spec.get("currency"),
                "open_date": body["open_date"], "related_client_info": related}

    def _related(self, state, members: list[dict], problems: list[str]) -> list[dict]:
        """Each related client as stored, found by customer_number, wisenroll code or document;
        what does not exist or does not match goes into `problems`."""
        found = []
        for index, member in enumerate(members):
            where = f"related_client_info[{index}]"
            number, why = related_customer(state, member)
            if why:
                problems.append(f"{where}: {why}")
                continue
            found.append({
                "customer_number": number,
                "account_link_type": member.get("account_link_type") or member.get("account_link_type_code"),
                "authorized_signature": member.get("authorized_signature"),
            })
        return found

    def product_error(self, code, message: str, status: int = 400) -> SandboxError:
        """Seed 002's error answer: one ERROR entry per sub-product the code would have opened
        (the code itself when it opens nothing known)."""
        return SandboxError(status, message, body=product_error_body(self.opens(code), message))

    def opens(self, code) -> list[str]:
        product = self.products.get(code) if isinstance(code, str) else None
        if product:
            return list(product["opens"])
        return [code if isinstance(code, str) else ""]


def save_reads(args, body: dict) -> list[tuple[str, str]]:
    """What save_customer reads first, from the body as posted (Parts.reads: a round reads its
    creates' together): the main document's index entry, and the wisenroll code's."""
    reads = [(BY_DOCUMENT, key_of(main_document(body)))]
    code = (body.get("client_info") or {}).get("wisenroll_code")
    return reads + [(BY_WISENROLL, wisenroll_key(code))] if code else reads


def wisenroll_holder(state, code) -> int | None:
    """The customer a wisenroll code names now (a released code names none)."""
    return (state.get(BY_WISENROLL, wisenroll_key(code)) or {}).get("customer_number")


def wisenroll_key(code) -> str:
    """The wisenroll index's key: letter case does not make another code."""
    return str(code).upper()


def check_wisenroll(state, body: dict, number: int | None) -> None:
    """A wisenroll code names one client: the core refuses a second client that brings one
    another client holds, rather than re-point related_wisenroll_code lookups at it."""
    code = (body.get("client_info") or {}).get("wisenroll_code")
    if not code:
        return
    holder = wisenroll_holder(state, code)
    if holder is not None and holder != number:
        raise SandboxError(400, f"client_info.wisenroll_code: {code} already belongs to customer "
                                f"{holder}; a wisenroll code names one client")


def release_wisenroll(state, old: dict, record: dict) -> None:
    """A client whose update changes its wisenroll code gives the old one up: it finds no one."""
    previous = old.get("wisenroll_code")
    if previous and str(previous).upper() != str(record.get("wisenroll_code") or "").upper():
        state.put(BY_WISENROLL, wisenroll_key(previous), {})


def product_error_body(account_products: list[str], message: str) -> dict:
    return {"accounts_info": [{"action": "ERROR", "account_product": product, "message": message}
                              for product in account_products]}


def related_customer(state, member: dict) -> tuple[int | None, str | None]:
    """(customer number, None) for a related client that exists and matches what the member says
    about it; (None, why not) otherwise."""
    wisenroll = member.get("related_wisenroll_code")
    document = member.get("main_document") or {}
    doc_key = None
    if document.get("document_number"):
        doc_key = document_key(document.get("document_type_code"), document["document_number"],
                               document.get("issuing_country_code") or document.get("issuing_number_code"))
    number = member.get("customer_number")
    if number is not None:
        if state.get(CUSTOMERS, number) is None:
            return None, f"customer_number {number} is not a customer of the core"
    elif wisenroll:
        number = wisenroll_holder(state, wisenroll)
        if number is None:
            return None, f"related_wisenroll_code {wisenroll} is not a customer of the core"
    elif doc_key:
        number = (state.get(BY_DOCUMENT, doc_key) or {}).get("customer_number")
        if number is None:
            return None, (f"main_document {document.get('document_type_code')} "
                          f"{document['document_number']} is not a customer of the core")
    else:
        return None, "name the related client by customer_number, related_wisenroll_code or main_document"
    stored = state.get(CUSTOMERS, number)
    if wisenroll and str(stored.get("wisenroll_code") or "").upper() != str(wisenroll).upper():
        return None, f"related_wisenroll_code {wisenroll} is not customer {number}'s"
    if doc_key and key_of(stored["main_document"]) != doc_key:
        return None, f"main_document {document['document_number']} is not customer {number}'s main document"
    return number, None
