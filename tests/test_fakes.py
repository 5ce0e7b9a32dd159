"""Seeded Faker instances: the providers the sandbox names for each locale are the ones Faker
itself would choose, so skipping Faker's folder listing at start changes no generated data."""
import pytest
from faker import Faker

from sandbox.apis import FAMILIES
from sandbox.fakes import FIXTURE_PROVIDERS, Fakes

# Every family's locale, and en_US (the core's generated US clients).
LOCALES = sorted({"en_US", *(family.locale for family in FAMILIES)})


@pytest.mark.parametrize("locale", LOCALES)
def test_each_provider_is_the_one_faker_resolves_for_the_locale(locale):
    ours = Fakes(42).faker(locale)
    theirs = Faker(locale, providers=list(FIXTURE_PROVIDERS))
    assert [type(p) for p in ours.providers] == [type(p) for p in theirs.providers]


def test_the_same_seed_and_purpose_give_the_same_people():
    first, second = Fakes(7).faker("es_MX", "x"), Fakes(7).faker("es_MX", "x")
    assert [first.name() for _ in range(5)] == [second.name() for _ in range(5)]
