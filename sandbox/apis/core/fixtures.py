"""The core's data at start: the seed customers and the product catalog (YAML under
scenarios/data), plus generated Dominican and US customers (seeded Faker: same seed, same people)."""
from __future__ import annotations

import functools
from datetime import date


from ...fakes import Fakes
from ...resources import shipped_data

DATA = "data"
# Fixed ranges, not ages relative to today: the same seed gives the same people on any day.
BIRTH_DATES = (date(1945, 1, 1), date(2005, 12, 31))
ENTRY_DATES = (date(2008, 1, 1), date(2024, 12, 31))


def load_yaml(name: str) -> dict:
    return shipped_data(f"{DATA}/{name}")


@functools.lru_cache(maxsize=None)
def seed_customers() -> tuple[dict, ...]:
    """[{customer_number, source, client}] from core_customers.yaml (read once per process)."""
    return tuple(load_yaml("core_customers.yaml")["customers"])


@functools.lru_cache(maxsize=None)
def product_catalog() -> dict:
    return load_yaml("core_products.yaml")


@functools.lru_cache(maxsize=None)
def generation_spec() -> dict:
    return load_yaml("core_generated.yaml")


@functools.lru_cache(maxsize=8)
def generated_customers(seed: int) -> tuple[dict, ...]:
    """[{customer_number, source, client}] for the generated people of this seed. Cached per seed:
    every app of a process with that seed gets the same (read-only) records without re-running Faker."""
    spec = generation_spec()
    fakes = Fakes(seed)
    number = spec["first_customer_number"]
    out = []
    dominican = DominicanPeople(fakes, spec["dominican"])
    for _ in range(spec["count"]["dominican"]):
        out.append({"customer_number": number, "source": "generated (Dominican Republic)",
                    "client": dominican.client()})
        number += 1
    us = UsPeople(fakes, spec["us"])
    for _ in range(spec["count"]["us"]):
        out.append({"customer_number": number, "source": "generated (United States)",
                    "client": us.client()})
        number += 1
    return tuple(out)


def luhn_digit(digits: str) -> str:
    """The check digit the Dominican cédula's last position carries (Luhn, weights 1,2,1,2...)."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (1 if index % 2 == 0 else 2)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


class People:
    """What both countries' generated clients share: names, money, references."""

    locale = ""
    country_code = ""

    def __init__(self, fakes: Fakes, spec: dict):
        self.fake = fakes.faker(self.locale, "core_customers")
        self.spec = spec

    def person(self) -> dict:
        fake = self.fake
        sex = fake.random_element(("M", "F"))
        first = fake.first_name_male() if sex == "M" else fake.first_name_female()
        return {
            "first_name": first.upper()[:30],
            "middle_name": None,
            "last_name": fake.last_name().upper()[:30],
            "middle_last_name": fake.last_name().upper()[:30],
            "sex": sex,
            "birth_date": fake.date_between_dates(*BIRTH_DATES).isoformat(),
            "civil_status_id": fake.random_element((1, 2)),
        }

    def money(self) -> tuple[float, float]:
        salary = float(self.fake.random_int(25, 400) * 1000 if self.spec["currency"] == "DOP"
                       else self.fake.random_int(20, 150) * 100)
        return salary, round(salary * 0.85, 2)

    def transactionality(self, salary: float) -> dict:
        return {"inc_transactionality": salary, "inc_monthly_movements": self.fake.random_int(1, 10),
                "out_transactionality": round(salary * 0.8, 2),
                "out_monthly_movements": self.fake.random_int(1, 15)}

    def branch(self) -> dict:
        code, name = self.fake.random_element(self.spec["branches"])
        return {"branch_code": code, "branch_name": name}

    def housing(self, owner_phone: str) -> dict:
        """Rented homes carry the rent and the owner, as seed 000 example 2 does."""
        if self.fake.boolean(chance_of_getting_true=70):
            return {"housing_type": "Propia", "rent_amount": None, "owner": None, "owner_phone": None}
        return {"housing_type": "Alquilada", "rent_amount": float(self.fake.random_int(8, 60) * (
                    1000 if self.spec["currency"] == "DOP" else 50)),
                "owner": self.fake.name().upper()[:80], "owner_phone": owner_phone}

    def email(self, person: dict) -> str:
        return (f"{person['first_name']}.{person['last_name']}{self.fake.random_int(1, 99)}"
                f"@{self.fake.free_email_domain()}").lower()


class DominicanPeople(People):
    locale = "es_ES"  # Spanish names; the places, documents and phones are Dominican (YAML)
    country_code = "DO"

    def phone(self) -> str:
        return self.fake.random_element(self.spec["phone_area_codes"]) + self.fake.numerify("%######")

    def cedula(self) -> str:
        body = self.fake.random_element(self.spec["cedula_offices"]) + self.fake.numerify("#######")
        return body + luhn_digit(body)

    def reference(self, relationship: str) -> dict:
        return {"name": f"{self.fake.first_name()} {self.fake.last_name()}".upper(),
                "relationship": relationship, "phone": self.phone(),
                "address": f"{self.fake.random_element(self.spec['streets'])} no. {self.fake.random_int(1, 400)}",
                "document_number": self.cedula(), "document_type_code": "CEDU"}

    def client(self) -> dict:
        fake = self.fake
        person = self.person()
        province = fake.random_element(self.spec["provinces"])
        locality_code, locality, postal = fake.random_element(province["localities"])
        ciiu, occupation = fake.random_element(self.spec["occupations"])
        salary, net = self.money()
        civil = {1: "Soltero(a)", 2: "Casado(a)"}[person["civil_status_id"]]
        return {
            "client_info": {
                **person, "civil_status_description": civil, "nationality_code": "DO",
                "other_nationality_code": None, "document_type_code": "CEDU",
                "document_number": self.cedula(), "issuing_country_code": "DO",
                "other_document_type_code": None, "other_document_number": None,
                "other_issuing_country_code": None, "person_type_code": None,
                "product_request_type": {"description": "Solicitud de Producto", "code": "product_request"},
                "related_accounts": [], "spouse_info": None,
                "immigration_status": None,
            },
            "client_location": {
                "city_description": province["name"][:30], "province_code": province["code"],
                "province_description": province["name"], "country_description": "República Dominicana",
                "locality_code": locality_code, "locality_description": locality, "country_code": "DO",
                "address": f"{fake.random_element(self.spec['streets'])} no. {fake.random_int(1, 400)}",
                "neighbourhood_description": fake.random_element(province["neighbourhoods"]),
                **self.housing(self.phone()), "postal_code": postal,
            },
            "client_contact": {
                "email": self.email(person), "cell_phone": self.phone(), "home_phone": None,
                "buss_phone": self.phone(), "fax": None, "social_network_name": None,
                "social_network_username": None,
            },
            "client_job_info": {
                "salary": salary, "net_income": net, "currency_code": "DOP",
                "work_address": f"{fake.random_element(self.spec['streets'])} no. {fake.random_int(1, 400)}",
                "ciiu": ciiu, "company_name": fake.company()[:100], "other_job_info": None,
                "occupation": occupation,
            },
            "client_references": {
                "first_bank_reference": {
                    "country_code": "DO", "bank_name": fake.random_element(self.spec["banks"]),
                    "account_type_description": "Ahorros", "account_number": fake.numerify("##########"),
                    "officer": fake.name()},
                "second_bank_reference": None,
                "first_personal_reference": self.reference("Familiar"),
                "second_personal_reference": self.reference("No Familiar"),
            },
            "client_transactionality": self.transactionality(salary),
            "client_entity_branch": self.branch(),
        }


class UsPeople(People):
    locale = "en_US"
    country_code = "US"

    def place(self) -> tuple[dict, str, str, list]:
        state = self.fake.random_element(self.spec["states"])
        city, zip_prefix, area_codes = self.fake.random_element(state["cities"])
        return state, city, zip_prefix + self.fake.numerify("##"), area_codes

    def phone(self, area_codes) -> str:
        return self.fake.random_element(area_codes) + self.fake.numerify("%######")

    def ssn(self) -> str:
        return self.fake.ssn().replace("-", "")

    def reference(self, relationship: str, unique: str, area_codes) -> dict:
        state, city, zip_code, _ = self.place()
        return {"name": self.fake.name().upper(), "relationship": relationship,
                "reference_relationship_unique_description": unique, "country": "Estados Unidos",
                "phone": self.phone(area_codes), "document_type_code": "SSN",
                "document_number": self.ssn(),
                "address": f"{self.fake.street_address()}, {city}, {state['code']} {zip_code}",
                "email": self.fake.email()}

    def client(self) -> dict:
        fake = self.fake
        person = self.person()
        state, city, zip_code, area_codes = self.place()
        occupation_code, occupation = fake.random_element(self.spec["occupations"])
        salary, net = self.money()
        civil = {1: ("Soltero(a)", "single"), 2: ("Casado(a)", "married")}[person["civil_status_id"]]
        return {
            "client_info": {
                **person, "civil_status_description": civil[0],
                "civil_status_unique_description": civil[1], "nationality_code": "US",
                "wisenroll_code": fake.bothify("??####", letters="ABCDEFGHJKLMNPQRSTUVWXYZ")[:6],
            },
            "client_documents": [
                {"document_type_code": "DL", "document_number": fake.bothify("?###########").upper(),
                 "main": 0, "issuing_country_code": "US"},
                {"document_type_code": "SSN", "document_number": self.ssn(), "main": 1,
                 "issuing_country_code": "US"},
            ],
            "client_location": {
                "city_description": city, "country_code": "US", "country_description": "Estados Unidos",
                "locality_code": zip_code, "locality_description": city.upper(),
                "address": fake.street_address(), **self.housing(self.phone(area_codes)), "rent_currency": "USD",
                "postal_code": zip_code,
                "province_description": state["name"],
            },
            "client_contact": {"email": self.email(person), "cell_phone": self.phone(area_codes),
                               "buss_phone": self.phone(area_codes)},
            "client_job_info": {
                "salary": salary, "annual_gross_salary": salary * 12, "net_income": net,
                "currency_code": "USD", "company_name": fake.company()[:100],
                "company_country_code": "US", "company_country_description": "United States",
                "work_address": f"{fake.street_address()}, {city}, {state['code']} {zip_code}",
                "entry_date": fake.date_between_dates(*ENTRY_DATES).isoformat(),
                "professional_position": fake.job()[:100], "occupation_code": occupation_code,
                "occupation_description": occupation,
            },
            "client_references": {
                "first_bank_reference": {
                    "country_code": "US", "bank_name": fake.random_element(self.spec["banks"]),
                    "account_type_description": "Corriente", "account_number": fake.numerify("#########"),
                    "aba_code": fake.aba(), "canceled": 0},
                "first_personal_reference": self.reference("Familiar", "cousin", area_codes),
                "second_personal_reference": self.reference("No Familiar", "coworker", area_codes),
            },
            "client_transactionality": {
                **self.transactionality(salary), "inc_transactionality_currency": "USD",
                "out_transactionality_currency": "USD", "funds_country_code": "US",
                "funds_country_description": "Estados Unidos"},
            "client_entity_branch": self.branch(),
        }

