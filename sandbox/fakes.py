"""Seeded Faker instances: the same seed gives the same people, per locale.

Each (locale, purpose) pair gets its own generator seeded from the sandbox seed, so adding fixtures
for one API never shifts the data another API generates.
"""
from __future__ import annotations

import hashlib

from faker import Faker

# The countries the upstreams serve, as Faker locales.
CORE_LOCALES = ("es_ES", "en_US")          # Dominican Republic (Spanish names) and the US
COOPERATIVE_LOCALE = "es_MX"
BCS_LOCALE = "es_CO"


def _int_seed(*parts) -> int:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


class Fakes:
    def __init__(self, seed: int):
        self.seed = seed

    def faker(self, locale: str, purpose: str = "fixtures") -> Faker:
        fake = Faker(locale)
        fake.seed_instance(_int_seed(self.seed, locale, purpose))
        return fake

    def random_seed(self, *parts) -> int:
        """A stable integer for seeding a random.Random where Faker is not needed."""
        return _int_seed(self.seed, *parts)
