"""Every scenario under steps/ runs on a driver chosen by --driver (see fixtures.plugin)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _driver_kind(driver_kind: str) -> str:
    return driver_kind
