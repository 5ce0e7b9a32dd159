"""Seeded Faker instances: the same seed gives the same people, per locale.

Each (locale, purpose) pair gets its own generator seeded from the sandbox seed, so adding fixtures
for one API never shifts the data another API generates.
"""
from __future__ import annotations

import hashlib
from importlib import import_module
from importlib.util import find_spec

from faker import Faker
from faker.config import DEFAULT_LOCALE

# What the fixture generators call (person, address, company, internet, ssn, job, date_time, bank,
# misc, phone_number). Each provider Faker loads scans its package for locales; loading only these
# halves the cost of each locale at start. Scenario templates get every provider (ALL_PROVIDERS).
FIXTURE_PROVIDERS = tuple(f"faker.providers.{name}" for name in (
    "person", "address", "company", "internet", "ssn", "job", "date_time", "bank", "misc",
    "phone_number"))
ALL_PROVIDERS = None


def _localized(providers, locale: str) -> list[str]:
    """Each provider as its module for `locale`, or for the provider's default locale when it has
    none, as Faker itself chooses. Given a provider package, Faker finds that out by listing the
    package's folders (~50 ms for the four locales at start); given the module, it does not."""
    paths = []
    for path in providers:
        package = import_module(path)
        if getattr(package, "localized", False):
            found = locale if find_spec(f"{path}.{locale}") is not None else \
                getattr(package, "default_locale", "") or DEFAULT_LOCALE
            path = f"{path}.{found}"
        paths.append(path)
    return paths


def _int_seed(*parts) -> int:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


class Fakes:
    def __init__(self, seed: int):
        self.seed = seed

    def faker(self, locale: str, purpose: str = "fixtures",
              providers=FIXTURE_PROVIDERS) -> Faker:
        fake = Faker(locale, providers=_localized(providers, locale) if providers else None)
        fake.seed_instance(_int_seed(self.seed, locale, purpose))
        return fake

    def random_seed(self, *parts) -> int:
        """A stable integer for seeding a random.Random where Faker is not needed."""
        return _int_seed(self.seed, *parts)
