"""Generated cooperative members: realistic Mexicans with valid CURPs, the same for the same seed.

Each member is `{"curp": ..., "data": {...}}`, where `data` is what POST /cliente answers: the
seed's response example's keys, spelling and nesting (the seed member is the template), every
value a string as the example has them. Dates are drawn against a fixed day, not today, so a seed
gives the same members whenever the sandbox starts.
"""
from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from faker import Faker

from .curp import CurpRules
from .spanish import amount_in_words

REFERENCE_DAY = date(2025, 1, 1)


def generate_members(fake: Faker, template: dict, vocabulary: dict, states: list[dict],
                     count: int, first_number: int) -> list[dict]:
    """`count` members numbered from `first_number`, each shaped like `template` (the seed
    member's data); some of them name each other in relaciones_socios."""
    factory = MemberFactory(fake, vocabulary, states)
    members = [factory.member(str(first_number + index)) for index in range(count)]
    for member in members:
        member["data"]["relaciones_socios"] = factory.relations(member, members)
    return [{"curp": m["curp"], "data": {key: m["data"][key] for key in template}}
            for m in members]


class MemberFactory:
    """Draws one member's parts from one seeded Faker (its `random` drives every choice)."""

    def __init__(self, fake: Faker, vocabulary: dict, states: list[dict]):
        self.fake = fake
        self.rng = fake.random
        self.words = vocabulary
        self.states = states
        self.curp_rules = CurpRules.from_data(vocabulary["curp"])

    # -- small draws ---------------------------------------------------------------------------
    def pick(self, list_name: str) -> str:
        return self.rng.choice(self.words[list_name])

    def amount(self, low: int, high: int, step: int = 100) -> int:
        return self.rng.randrange(low // step, high // step + 1) * step

    def day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def digits(self, count: int) -> str:
        return str(self.rng.randint(10 ** (count - 1), 10 ** count - 1))

    def phone(self, lada: str) -> str:
        """10 digits: the city's lada, then a local number that does not start with 0."""
        return lada + self.digits(10 - len(lada))

    def place(self, state: dict | None = None) -> dict:
        state = state or self.rng.choice(self.states)
        city, lada = self.rng.choice(state["cities"])
        low, high = state["cp"]
        postal_code = f"{self.rng.randint(low, high):02d}{self.rng.randint(0, 999):03d}"
        return {"state": state["name"], "city": city, "lada": lada, "cp": postal_code,
                "street": self.fake.street_name(), "number": str(self.rng.randint(1, 999)),
                "colonia": self.colonia(city)}

    def colonia(self, city: str) -> str:
        return self.rng.choice(["Centro", f"Jardines de {city}", f"Lomas de {self.fake.last_name()}",
                                f"Fraccionamiento {self.fake.last_name()}",
                                f"Ampliación {self.fake.last_name()}"])

    def full_name(self) -> str:
        return f"{self.fake.first_name()} {self.fake.last_name()} {self.fake.last_name()}"

    @staticmethod
    def address(place: dict) -> str:
        return f"{place['street']} {place['number']}, Col. {place['colonia']}"

    # -- one member ----------------------------------------------------------------------------
    def member(self, num_socio: str) -> dict:
        sex = self.rng.choice("HM")
        given = self.fake.first_name_male() if sex == "H" else self.fake.first_name_female()
        paternal, maternal = self.fake.last_name(), self.fake.last_name()
        birth = self.day(date(1955, 1, 1), date(2005, 12, 31))
        birth_state = self.rng.choice(self.states)
        home = self.place(birth_state if self.rng.random() < 0.7 else None)
        homoclave = str(self.rng.randint(0, 9)) if birth.year < 2000 else self.rng.choice(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        curp = self.curp_rules.build(given, paternal, maternal, birth, sex, birth_state["curp"],
                                     homoclave)
        person = {"num_socio": num_socio, "given": given, "paternal": paternal,
                  "maternal": maternal, "sex": sex, "birth": birth, "home": home,
                  "curp": curp, "birth_state": birth_state["name"]}
        data = {}
        for part in (self.identity, self.household, self.work, self.business, self.finances,
                     self.people, self.loan):
            data.update(part(person, data))
        return {"curp": curp, "name": f"{given} {paternal} {maternal}", "data": data}

    def identity(self, p: dict, data: dict) -> dict:
        home = p["home"]
        email_name = _ascii(f"{p['given'].split()[0]}.{p['paternal']}").lower()
        return {
            "es_socio": "1", "num_socio": p["num_socio"], "primer_nombre": p["given"],
            "apellidos": f"{p['paternal']} {p['maternal']}", "numero_documento": p["curp"],
            "telefono_Celular": self.phone(home["lada"]),
            "fecha_nacimiento": p["birth"].isoformat(), "lugar_nacimiento": p["birth_state"],
            "estado": home["state"], "ciudad": home["city"],
            "direccion": f"{home['street']} {home['number']}", "codigo_postal": home["cp"],
            "email": f"{email_name}{self.rng.randint(1, 99)}@{self.fake.free_email_domain()}",
            "sexo": "Masculino" if p["sex"] == "H" else "Femenino",
            "ultimo_estudio_cursado": self.pick("education"),
            "telefono_auxiliar": self.phone(home["lada"]),
            "telefono_recados": self.phone(home["lada"]),
        }

    def household(self, p: dict, data: dict) -> dict:
        age = (REFERENCE_DAY - p["birth"]).days // 365
        married = age >= 22 and self.rng.random() < 0.6
        children = self.rng.randint(0, 4) if age >= 20 else 0
        p.update(age=age, married=married)
        return {
            "personas_viven_en_casa": str(1 + int(married) + children + self.rng.randint(0, 2)),
            "jubilado": "1" if age >= 62 and self.rng.random() < 0.7 else "0",
            "propiedad_vivienda": self.pick("housing"),
            "antiguedad_domicilio": str(self.rng.randint(6, 240)),
            "num_socio_conyugue": "",
            "cant_hijos": str(children), "numero_dependientes": str(children + int(married)),
            "regimen_patrimonial": self.pick("property_regime") if married else "no aplica",
            "conyugue": self.spouse(p) if married else dict.fromkeys(_SPOUSE_KEYS, ""),
        }

    def spouse(self, p: dict) -> dict:
        place = self.place()
        return {
            "edad": str(max(18, p["age"] + self.rng.randint(-6, 6))),
            "direccion": self.address(p["home"]), "ocupacion": self.pick("occupations"),
            "cp": p["home"]["cp"], "ciudad": p["home"]["city"], "estado": p["home"]["state"],
            "lugar_trabajo": self.fake.company(), "antiguedad": str(self.rng.randint(6, 240)),
            "domicilio_empleo": self.address(place), "telefono_empleo": self.phone(place["lada"]),
            "historial": self.pick("spouse_history"),
        }

    def work(self, p: dict, data: dict) -> dict:
        start = self.day(p["birth"] + timedelta(days=18 * 366), REFERENCE_DAY)
        first = self.job(p["home"])
        second = self.job(self.place(), second=True) if self.rng.random() < 0.3 else dict.fromkeys(
            _SECOND_JOB_KEYS, "")
        return {"fecha_ingreso_laboral": start.isoformat(), "rubro_laboral": self.pick("work_sectors"),
                "telefono_trabajo": first["telefono"], "primer_empleo": first,
                "segundo_empleo": second}

    def job(self, place: dict, second: bool = False) -> dict:
        job = {"ocupacion": self.pick("occupations"), "puesto": self.pick("positions"),
               "telefono": self.phone(place["lada"])}
        if second:
            job.update(nombre_empresa=self.fake.company(),
                       antiguedad=str(self.rng.randint(3, 120)))
        job.update(giro=self.pick("work_sectors"), codigo_postal=place["cp"],
                   calle=place["street"], numero_exterior=place["number"],
                   numero_interior=self.rng.choice(["", "", "A", "B", str(self.rng.randint(1, 20))]),
                   colonia=place["colonia"], municipio=place["city"], estado=place["state"])
        return job

    def business(self, p: dict, data: dict) -> dict:
        if self.rng.random() >= 0.4:
            return {"es_socio_comercial": "0", "comercio": dict.fromkeys(_COMMERCE_KEYS, ""),
                    "negocio": dict.fromkeys(_BUSINESS_KEYS, "")}
        line, address = self.pick("business_lines"), self.address(p["home"])
        income, other = self.amount(8000, 80000), self.amount(0, 10000)
        # Purchases, wages, rent, credits, other: shares of income that leave a profit.
        costs = [self.amount(0, income * share // 100) for share in (40, 20, 10, 10, 5)]
        commerce = {"giro": line, "fecha_comienzo": self.day(date(1995, 1, 1), REFERENCE_DAY).isoformat(),
                    "domicilio ": address, "telefono": self.phone(p["home"]["lada"]),
                    "ingreso_mensual": str(income), "otros_ingresos": str(other),
                    "fuente_otros_ingresos": self.pick("other_income_sources") if other else ""}
        business = dict(zip(["ingresos", "compras", "pago_sueldos", "pago_renta", "pago_creditos",
                             "otros"], map(str, [income, *costs])))
        business.update(total_negocio=str(income - sum(costs)),
                        horario_dias_laborables=self.pick("business_hours"), domicilio=address,
                        fuentes_otros_negocios=self.pick("business_lines") if other else "")
        return {"es_socio_comercial": "1", "comercio": commerce, "negocio": business}

    def finances(self, p: dict, data: dict) -> dict:
        fixed, variable = self.amount(6000, 45000), self.amount(0, 12000)
        other = int(data["comercio"]["ingreso_mensual"] or 0)
        total = fixed + variable + other
        expenses = {"alimentacion": self.amount(2000, 8000), "vestido_calzado": self.amount(300, 2000),
                    "servicios_vivienda": self.amount(800, 4000), "transporte": self.amount(300, 3000),
                    "escuela": self.amount(0, 4000), "deudas": self.amount(0, 6000)}
        properties = [self.property(p) for _ in range(self.rng.randint(1, 3))]
        return {
            "ingresos_mensuales": str(fixed), "fuentes_ingresos_fijos": self.pick("fixed_income_sources"),
            "monto_ingresos_fijos": str(fixed),
            "fuentes_ingresos_variables": self.pick("variable_income_sources") if variable else "",
            "monto_ingresos_variables": str(variable),
            "gastos_alimentacion": str(expenses["alimentacion"]),
            "gastos_pagos_servicios": str(expenses["servicios_vivienda"]),
            "total_ingresos": str(total), "otros_ingresos": str(other),
            "fuentes_otros_ingresos": "negocio propio" if other else "",
            "gatos": {**{k: str(v) for k, v in expenses.items()},
                      "total_gastos": str(sum(expenses.values()))},
            "propiedades": properties,
            "total_valor_propiedades": str(sum(int(item["valor"]) for item in properties)),
            "monto_maximo_a_prestar": str(min(total * 6, 300000) // 1000 * 1000),
        }

    def property(self, p: dict) -> dict:
        value = self.amount(150000, 2500000, 10000)
        debt = self.amount(0, value // 2, 10000) if self.rng.random() < 0.4 else 0
        return {"valor": str(value), "adeudo": str(debt), "saldo": str(value - debt),
                "ubicacion": self.address(self.place())}

    def people(self, p: dict, data: dict) -> dict:
        lada = p["home"]["lada"]
        reference = {"nombre": self.full_name(), "direccion": self.address(self.place()),
                     "parentesco": self.pick("relatives"), "telefono": self.phone(lada)}
        personal = [{"nombre": self.full_name(), "direccion": self.address(p["home"]),
                     "parentesco": self.pick("acquaintances"), "telefono": self.phone(lada)}
                    for _ in range(2)]
        guarantor = self.place()
        return {
            "referencias": reference, "referencias_personales": personal,
            "referencias_laborales": {"nombre": self.full_name(),
                                      "direccion": self.address(self.place()),
                                      "tiempo_conocerlo": str(self.rng.randint(12, 240)),
                                      "telefono": self.phone(lada)},
            "aval": {"nombre": self.full_name(), "direccion": self.address(guarantor),
                     "ciudad": guarantor["city"]},
            "codeudor": {"ciudad": p["home"]["city"], "direccion": self.address(self.place())},
            "relaciones_socios": [],
        }

    def loan(self, p: dict, data: dict) -> dict:
        joined = self.day(max(p["birth"] + timedelta(days=18 * 366), date(1995, 1, 1)), REFERENCE_DAY)
        credit_line = int(data["monto_maximo_a_prestar"])
        savings = self.amount(500, 60000)
        guarantee = credit_line // 10
        reca = f"{self.digits(4)}-{self.digits(3)}-{self.digits(6)}"
        return {
            "numero_cuenta": self.digits(10), "fecha_ingreso_caja": joined.isoformat(),
            "reca_completo": f"{reca}/{self.digits(2)}-{self.digits(5)}-{joined:%m%y}",
            "reca_recortado": reca, "ogs": self.digits(6), "opa": self.digits(6),
            "cat": f"{self.rng.randint(280, 790) / 10}% sin IVA", "numero_producto": self.digits(3),
            "clasificacion_cartera": self.pick("portfolio_class"),
            "id_solicitud_siscore": self.digits(7), "folio_prestamo": f"PR-{self.digits(8)}",
            "numero_folio_poliza": f"POL-{self.digits(8)}", "numero_pagare": self.digits(6),
            "fecha_vencimiento_pagare": self.day(REFERENCE_DAY, date(2029, 12, 31)).isoformat(),
            "resumen_calificacion": self.pick("rating_summary"),
            "monto_ahorro": str(savings), "proteccion_ahorro_prestamo": str(min(savings, 25000)),
            "garantia_liquida": str(guarantee), "tipo_garantia": self.pick("guarantee_types"),
            "deposito_garantia_letras": amount_in_words(guarantee),
            "antiguedad_socio": str((REFERENCE_DAY - joined).days // 30),
            "parte_social": "500", "fideicomiso": f"FID-{self.digits(5)}",
            "historial_cooperativa": self.pick("cooperative_history"),
            "linea_credito": str(credit_line), "linea_credito_letras": amount_in_words(credit_line),
            "aseguradora": self.pick("insurers"),
            "clausulas": "Cláusulas generales del contrato de crédito vigentes",
            "modalidad_pago": self.pick("payment_modes"), "tipo_operacion": self.pick("operation_types"),
            "datos_del_poder": "no aplica",
            "disponibilidad": str(self.amount(0, credit_line)) if credit_line else "0",
            "porcentaje_capacidad": str(self.rng.randint(10, 45)),
            "idauxiliar": self.digits(6), "idorigenp": self.digits(5),
        }

    def relations(self, member: dict, members: list[dict]) -> list[dict]:
        others = [other for other in members if other is not member]
        chosen = self.rng.sample(others, k=min(len(others), self.rng.randint(1, 2)))
        return [{"nombre": other["name"], "numero_socio": other["data"]["num_socio"],
                 "parentesco": self.pick("relatives")} for other in chosen]


def _ascii(text: str) -> str:
    """For e-mail addresses: no accents, no spaces (Ñ becomes N)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace(" ", "")


_SPOUSE_KEYS = ("edad", "direccion", "ocupacion", "cp", "ciudad", "estado", "lugar_trabajo",
                "antiguedad", "domicilio_empleo", "telefono_empleo", "historial")
_SECOND_JOB_KEYS = ("ocupacion", "puesto", "telefono", "nombre_empresa", "antiguedad", "giro",
                    "codigo_postal", "calle", "numero_exterior", "numero_interior", "colonia",
                    "municipio", "estado")
_COMMERCE_KEYS = ("giro", "fecha_comienzo", "domicilio ", "telefono", "ingreso_mensual",
                  "otros_ingresos", "fuente_otros_ingresos")
_BUSINESS_KEYS = ("ingresos", "compras", "pago_sueldos", "pago_renta", "pago_creditos", "otros",
                  "total_negocio", "horario_dias_laborables", "domicilio", "fuentes_otros_negocios")
