"""The reference data a QA team supplies (the year's tiers and subsidies, special-status amounts, payment season,
arrears window, batch days, order deadline, tax bureau names), read by the harness's own loader.

The harness ships its own copy (``fixtures/reference.json``, the same placeholder the simulator starts with); a QA
team points ``--reference`` at the official notice, the same file it gives the deployment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference.json"


@dataclass(frozen=True)
class Special:
    personal_fen: int
    government_fen: int


@dataclass(frozen=True)
class Year:
    year: int
    season: tuple[date, date]
    tiers: tuple[int, ...]  # yuan, in the order of the table
    subsidy: dict[int, int]  # tier yuan → the government's subsidy, yuan
    arrears_fen: int
    special: dict[str, Special]
    batch_days: tuple[date, ...]

    def in_season(self, day: date) -> bool:
        return self.season[0] <= day <= self.season[1]


@dataclass(frozen=True)
class Reference:
    min_age: int
    max_age_exclusive: int
    age_basis: str  # jan1 or dec31
    arrears_window_years: int
    order_ttl_minutes: int
    authority_district: str  # {district}
    authority_county: str  # {district}, for a county-level city or a county
    years: dict[int, Year]

    def season_year(self, day: date) -> Year | None:
        """The contribution year whose payment season holds ``day``."""
        year = self.years.get(day.year)
        return year if year is not None and year.in_season(day) else None

    def authority(self, district: str) -> str:
        """The tax bureau a payer of ``district`` pays to: 国家税务总局宁波市奉化区税务局, 国家税务总局余姚市税务局."""
        if not district or district == "宁波市":
            return self.authority_district.format(district="")
        county_level = district.endswith(("市", "县")) and self.authority_county
        return (self.authority_county if county_level else self.authority_district).format(district=district)


def _year(year: int, raw: dict[str, Any], batch: list[str]) -> Year:
    return Year(
        year=year,
        season=(date.fromisoformat(raw["season"]["start"]), date.fromisoformat(raw["season"]["end"])),
        tiers=tuple(int(t["yuan"]) for t in raw["tiers"]),
        subsidy={int(t["yuan"]): int(t["subsidy_yuan"]) for t in raw["tiers"]},
        arrears_fen=int(raw["arrears_yuan"]) * 100,
        special={
            status: Special(int(v["personal_yuan"]) * 100, int(v["government_yuan"]) * 100)
            for status, v in raw["special"].items()
        },
        batch_days=tuple(sorted(date.fromisoformat(d) for d in batch)),
    )


@cache
def load_reference(path: Path = DEFAULT_REFERENCE) -> Reference:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    batch = raw.get("batch_deduction", {}).get("days", {})
    return Reference(
        min_age=int(raw["eligibility"]["min_age"]),
        max_age_exclusive=int(raw["eligibility"]["max_age_exclusive"]),
        age_basis=str(raw["eligibility"]["age_basis"]),
        arrears_window_years=int(raw["arrears_window_years"]),
        order_ttl_minutes=int(raw["order_ttl_minutes"]),
        authority_district=str(raw["tax_authority"]),
        authority_county=str(raw.get("tax_authority_county", "")),
        years={int(y): _year(int(y), v, batch.get(y, [])) for y, v in raw["years"].items()},
    )
