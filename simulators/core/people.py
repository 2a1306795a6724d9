"""The residents a tenant is seeded with: a small generator of Ningbo residents with valid ID numbers, and the
shape a resident is given in (the control API, a tenant's initial payers)."""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from faker import Faker

from simulators.core import ages, idnumber

__all__ = ["ENROLMENT_STATUSES", "ID_TYPE", "SPECIAL_STATUSES", "Resident", "generate"]

# 特殊缴费 groups (the guide) and 参保状态 (see DOMAIN.md).
SPECIAL_STATUSES = ("残疾人员", "低保对象", "低保边缘户", "特困人员")
ENROLMENT_STATUSES = ("未参保", "正常", "暂停", "终止")
ID_TYPE = "居民身份证"

ELIGIBLE_AGES = (16, 59)  # in the contribution year, on 1 January
MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "158", "159", "186", "187", "188", "189", "199")


@dataclass(frozen=True)
class Resident:
    name: str
    id_number: str
    phone: str
    gender: str
    birth_date: date
    county_code: str
    id_type: str = ID_TYPE
    special_status: str | None = None
    arrears_years: tuple[int, ...] = ()
    enrolment: str = "正常"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["birth_date"] = self.birth_date.isoformat()
        data["arrears_years"] = list(self.arrears_years)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Resident:
        values = dict(data)
        values["birth_date"] = date.fromisoformat(values["birth_date"])
        values["arrears_years"] = tuple(values.get("arrears_years", ()))
        return cls(**values)


def _resident(rng: random.Random, fake: Faker, year: int, **traits: Any) -> Resident:
    earliest, latest = ages.birth_range_for_age(rng.randint(*ELIGIBLE_AGES), year)
    birth = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
    gender = rng.choice(("男", "女"))
    county = rng.choice([c.code for c in idnumber.NINGBO_COUNTIES if c.existed_in(birth.year)])
    sequence = rng.randrange(1 if gender == "男" else 2, 996, 2)  # odd for men, even for women
    first17 = f"{county}{birth:%Y%m%d}{sequence:03d}"
    given = fake.first_name_male() if gender == "男" else fake.first_name_female()
    return Resident(
        name=fake.last_name() + given,
        id_number=first17 + idnumber.check_char(first17),
        phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
        gender=gender,
        birth_date=birth,
        county_code=county,
        **traits,
    )


def generate(seed: int, count: int, year: int) -> list[Resident]:
    """A seeded mix eligible in ``year``: six ordinary residents first, then each special status and arrears in
    turn. The same seed gives the same residents."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    residents: list[Resident] = []
    numbers: set[str] = set()
    for i in range(count):
        kind = i % 6
        if kind < 4 and i >= 6:
            traits: dict[str, Any] = {"special_status": SPECIAL_STATUSES[kind]}
        elif kind == 4 and i >= 6:
            traits = {"arrears_years": (year - 2, year - 1)}
        else:
            traits = {}
        resident = _resident(rng, fake, year, **traits)
        while resident.id_number in numbers:  # a tenant holds an ID number once
            resident = _resident(rng, fake, year, **traits)
        numbers.add(resident.id_number)
        residents.append(resident)
    return residents
