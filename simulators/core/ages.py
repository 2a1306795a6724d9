"""Age in a contribution year, on either basis the eligibility rule may use (a setting: see DOMAIN.md)."""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["BASES", "age_in_year", "age_on", "birth_range_for_age"]

# jan1: completed age on 1 January of the year; dec31: on 31 December (the age reached that year).
BASES = ("jan1", "dec31")


def _check_basis(basis: str) -> None:
    if basis not in BASES:
        raise ValueError(f"unknown age basis {basis!r}, expected one of {BASES}")


def age_in_year(birth: date, year: int, basis: str = "jan1") -> int:
    """Completed age on the basis day of ``year``; negative when the person is not yet born on that day."""
    _check_basis(basis)
    age = year - birth.year
    if basis == "jan1" and (birth.month, birth.day) != (1, 1):
        age -= 1
    return age


def age_on(birth: date, day: date) -> int:
    """Completed years on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birth_range_for_age(age: int, year: int, basis: str = "jan1") -> tuple[date, date]:
    """Inclusive (earliest, latest) birth dates whose age in ``year`` is exactly ``age``."""
    _check_basis(basis)
    if age < 0:
        raise ValueError(f"age must not be negative, got {age}")
    born = year - age
    if basis == "dec31":
        return date(born, 1, 1), date(born, 12, 31)
    return date(born - 1, 1, 1) + timedelta(days=1), date(born, 1, 1)
