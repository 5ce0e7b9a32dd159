"""Helpers the core tests share."""
from sandbox.store import SessionState
from tests.conftest import seed_example


def same_shape(actual, expected) -> bool:
    """Same keys, nesting and value types (numbers: int and float alike)."""
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and actual.keys() == expected.keys()
                and all(same_shape(actual[k], v) for k, v in expected.items()))
    if isinstance(expected, list):
        return isinstance(actual, list) and all(same_shape(a, expected[0]) for a in actual)
    if isinstance(expected, bool):
        return isinstance(actual, bool)
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float)) and not isinstance(actual, bool)
    return type(actual) is type(expected)


def stored(sandbox, number, session="default"):
    """A customer record as the session sees it."""
    return SessionState(sandbox.store, session).get("core_customer", number)


def new_client(layout="000", document_number="99900011122", **info):
    """A seed example turned into a client the core does not hold yet."""
    if layout == "000":
        body = seed_example("000_request_2")
        body["client_info"]["document_number"] = document_number
    else:
        body = seed_example("001_request_2")
        main = next(d for d in body["client_documents"] if d["main"] == 1)
        main["document_number"] = document_number
        body["client_info"]["wisenroll_code"] = "NEW" + document_number[-3:]
    body["client_info"].update(info)
    return body
