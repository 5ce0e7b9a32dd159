"""What a loaded scenario is: its match conditions, its response, and the set the engine keeps.
The loader (loader.py) builds these from the YAML, once; the engine reads them per request."""
from __future__ import annotations

from dataclasses import dataclass, field

from .templates import Compiled


@dataclass(frozen=True)
class Condition:
    """One match condition: where (headers/query/body), the key (a dotted path in the body),
    and either an expected value or a compiled regex."""
    where: str
    key: str
    path: tuple
    expected: object = None
    regex: object = None  # a compiled RE2 pattern (matching.py)

    def holds(self, actual) -> bool:
        if actual is None:
            return False
        if self.regex is not None:
            return self.regex.search(actual if isinstance(actual, str) else str(actual)) is not None
        if actual == self.expected:
            return True
        # Headers and query values are always text: `1234` in YAML matches "1234" on the wire.
        return not isinstance(actual, (dict, list)) and _text(actual) == _text(self.expected)


def dig(value, path):
    """The value at a dotted path's parts (("trn", "depAcctIdTo", "acctId"), a list index as
    its digits) in a JSON body, or None where the body has nothing there."""
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Response:
    status: int = 200
    headers: list = field(default_factory=list)      # [(name, Compiled | str)]
    body: object = None                              # a render tree (see render_tree)
    body_static: bool = True
    body_template: Compiled | None = None
    message: object = None                           # str | Compiled: an error in the envelope
    error: str | None = None                         # catalog spec "50628" / "50628:2"
    error_row: dict | None = None
    delay_ms: int = 0
    fault: str | None = None

    @property
    def passthrough(self) -> bool:
        """Only a delay: wait, then let the route answer (a slow upstream)."""
        return (self.body is None and self.body_template is None and self.message is None
                and self.error is None and self.fault is None and not self.has_status)

    has_status: bool = False


@dataclass
class Scenario:
    name: str
    description: str
    routes: tuple
    file: str
    line: int
    conditions: tuple
    response: Response | None   # None when it has a sequence or is made of others (any_of)
    names: frozenset            # context names its templates use (customer, fake, now...)
    any_of: tuple = ()          # made of these scenarios (compose.py); then response is None
    sequence: tuple | None = None  # its steps: a Response each, None for `route`
    then: str = "repeat_last"   # after the last step: repeat_last, cycle or route

    def step_at(self, served: int) -> int:
        """The index of the step the request after `served` answered ones gets;
        len(sequence) when that is the route (`then: route`, past the end)."""
        count = len(self.sequence)
        if served < count:
            return served
        if self.then == "cycle":
            return served % count
        return count - 1 if self.then == "repeat_last" else count

    def matches(self, view) -> bool:
        return all(condition.holds(view.value(condition)) for condition in self.conditions)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class ScenarioSet:
    by_name: dict = field(default_factory=dict)
    by_route: dict = field(default_factory=dict)

    def names_for(self, route: str) -> list[str]:
        return [s.name for s in self.by_route.get(route, ())]
