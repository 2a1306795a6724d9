"""A bounded schema-driven fuzz run of the whole simulator: every operation of its OpenAPI document, a few generated
cases each (valid and invalid data, derandomized), every schemathesis check. No case may get a 5xx, or an answer
its operation's schema does not describe (status, content type, body, headers, Allow), or be let through when
invalid, or be refused when valid (save the rules ``benchmarks.fuzz.RULES_BEYOND_SCHEMA`` names).

One test per operation (``schema.parametrize``), so pytest-xdist spreads them; each worker fuzzes its own embedded
simulator. ``python -m benchmarks.fuzz`` (``make fuzz``) runs the same with a larger bound and schemathesis' coverage
phase too (every boundary and missing value: thousands of cases, built while collecting) and prints its figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis

from benchmarks import fuzz

MAX_EXAMPLES = 5
TARGET = fuzz.Target()
schema = fuzz.schema(TARGET, fuzz.examples(MAX_EXAMPLES), coverage=fuzz.with_coverage())


@pytest.fixture(scope="module")
def simulator_url() -> Iterator[str]:
    with TARGET.running() as url:
        yield url


@schema.parametrize()
def test_no_generated_case_breaks_the_schema_or_the_server(case: schemathesis.Case[Any], simulator_url: str) -> None:
    fuzz.call(case, simulator_url)
