"""Place names from their codes, from one table (bcs_fixtures.yaml `cities`: DANE city code, city,
department code, department): an answer never shows a city beside another city's code.

Records keep codes (cityId, stateProv, expCityId); a name a client sent beside a code is not
shown, the table's is, and a code the table does not know has no name (""). Only a place sent
without any code keeps the name it was sent with, as there is nothing to derive it from.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

from . import fixtures


class City(NamedTuple):
    name: str
    state: str       # the department's DANE code
    state_name: str


@functools.lru_cache(maxsize=1)
def cities() -> dict[str, City]:
    return {code: City(name, state, state_name)
            for code, name, state, state_name in fixtures.data()["cities"]}


@functools.lru_cache(maxsize=1)
def departments() -> dict[str, str]:
    return {city.state: city.state_name for city in cities().values()}


def city_name(code: str | None, sent: str | None = "") -> str:
    """The table's name for a city code; without a code, the name as it was sent."""
    if code:
        return cities()[code].name if code in cities() else ""
    return sent or ""


def department_name(code: str | None, sent: str | None = "") -> str:
    if code:
        return departments().get(code, "")
    return sent or ""


def located(address: dict) -> dict:
    """The address with its city's and department's names from their codes (the department's
    code from its city's, where the record has none: a DANE city code says its department)."""
    city_id = address.get("cityId", "")
    known = cities().get(city_id)
    state = address.get("stateProv") or (known.state if known else "")
    return {**address, "city": city_name(city_id, address.get("city")), "stateProv": state,
            "stateProvDesc": department_name(state, address.get("stateProvDesc"))}
