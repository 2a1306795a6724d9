"""The harness and the simulator know resident ID numbers each in their own code, and agree; neither imports the
other (the embedded launcher fixtures/simulator.py aside)."""

from __future__ import annotations

import ast
import random
from datetime import date
from pathlib import Path

import pytest
from faker import Faker
from stdnum.cn import ric

from fixtures import counties
from fixtures.payers import NingboPayerProvider, with_check_char
from reports.masking import mask_text
from simulators.core import ages, idnumber, people

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2024, 6, 1)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def _importing(packages: tuple[str, ...], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            wrong = sorted(m for m in _imports(path) if m.split(".")[0] in forbidden)
            if wrong:
                found[str(path.relative_to(ROOT))] = wrong
    return found


def test_the_harness_imports_nothing_from_the_simulator_but_its_launcher() -> None:
    found = _importing(("steps", "fixtures"), ("simulators",))
    assert set(found) <= {"fixtures/simulator.py"}, found


def test_the_simulator_imports_nothing_from_the_harness() -> None:
    assert _importing(("simulators",), ("fixtures", "steps", "tests", "reports")) == {}


def test_the_channel_registry_is_read_by_both_sides_and_imports_neither() -> None:
    """``channels.py`` holds the guide's facts of each channel; it imports only the standard library."""
    assert {m.split(".")[0] for m in _imports(ROOT / "channels.py")} <= {
        "__future__",
        "collections",
        "dataclasses",
        "types",
        "typing",
    }
    readers = {
        side: sorted(str(p.relative_to(ROOT)) for p in (ROOT / side).rglob("*.py") if "channels" in _imports(p))
        for side in ("simulators", "steps", "fixtures", "reports")
    }
    assert all(readers.values()), readers


def test_the_county_tables_agree() -> None:
    def table(found: tuple[counties.County, ...] | tuple[idnumber.County, ...]) -> list[tuple[object, ...]]:
        return [(c.code, c.name, c.since, c.until) for c in found]

    assert table(counties.NINGBO_COUNTIES) == table(idnumber.NINGBO_COUNTIES)
    for county in counties.NINGBO_COUNTIES:
        district = idnumber.district_of(county.code)
        assert district is not None, county
        for year in range(1950, 2030):
            assert county.existed_in(year) == district.existed_in(year), (county, year)


def test_the_check_characters_agree_on_any_seventeen_digits() -> None:
    rng = random.Random(11643)
    for _ in range(5000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert with_check_char(first17) == first17 + idnumber.check_char(first17)


def test_the_check_characters_agree_on_generated_payers() -> None:
    fake = Faker("zh_CN")
    fake.seed_instance(1999)
    fake.add_provider(NingboPayerProvider)
    for payer in fake.ningbo_payers(2000):
        assert idnumber.check_char(payer.id_number[:17]) == payer.id_number[17]
        assert idnumber.parse(payer.id_number, today=TODAY).county_code == payer.county_code


def test_the_check_characters_agree_on_the_simulators_residents() -> None:
    for resident in people.generate(7, 500, 2024):
        assert with_check_char(resident.id_number[:17]) == resident.id_number


# The simulator's own residents


def test_the_simulators_residents_are_valid_eligible_ningbo_residents() -> None:
    residents = people.generate(2024, 500, 2024)
    assert len({r.id_number for r in residents}) == 500
    for resident in residents:
        info = idnumber.parse(resident.id_number, today=TODAY)
        assert ric.is_valid(resident.id_number)
        assert (info.birth_date, info.gender, info.county_code) == (
            resident.birth_date,
            resident.gender,
            resident.county_code,
        )
        county = idnumber.district_of(resident.county_code)
        assert county is not None and county.existed_in(resident.birth_date.year)
        assert 16 <= ages.age_in_year(resident.birth_date, 2024) <= 59
        assert len(resident.phone) == 11 and resident.phone.isdigit() and len(resident.name) >= 2
    assert {r.special_status for r in residents} == {None, *people.SPECIAL_STATUSES}
    assert [r.arrears_years for r in residents if r.arrears_years][0] == (2022, 2023)
    assert {ages.age_in_year(r.birth_date, 2024) for r in residents} == set(range(16, 60))


def test_the_same_seed_gives_the_same_residents() -> None:
    assert people.generate(5, 30, 2024) == people.generate(5, 30, 2024)
    assert people.generate(5, 30, 2024) != people.generate(6, 30, 2024)


def test_a_resident_round_trips_through_json() -> None:
    for resident in people.generate(3, 12, 2025):
        assert people.Resident.from_json(resident.to_json()) == resident


@pytest.mark.parametrize("year", [2024, 2025])
def test_the_residents_are_eligible_in_the_tenants_year(year: int) -> None:
    assert all(16 <= ages.age_in_year(r.birth_date, year) <= 59 for r in people.generate(year, 200, year))


def test_the_harness_masks_an_id_number_as_the_simulator_shows_it() -> None:
    numbers = [r.id_number for r in people.generate(11, 300, 2024)] + ["33020319900101123X", "33020319900101123x"]
    assert any(n.endswith("X") for n in numbers)
    for number in numbers:
        assert mask_text(number) == idnumber.mask(number) == number[:6] + "********" + number[-4:]
        assert mask_text(f"证件号码:{number}。") == f"证件号码:{idnumber.mask(number)}。"
