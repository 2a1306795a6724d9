"""Which UI rows of the rule features a run takes: every one, one per outline, or one per feature file (make test);
the API driver keeps every row whatever is chosen."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULE_FEATURES = sorted(path.name for path in (ROOT / "features" / "rules").glob("*.feature"))


def collected(*args: str) -> list[str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "steps/test_rules.py",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return [line for line in done.stdout.splitlines() if line.startswith("steps/test_rules.py::")]


@pytest.fixture(scope="module")
def every_row() -> list[str]:
    return collected("--driver", "ui", "--ui-rows", "all")


def outline(node: str) -> str:
    return re.sub(r"\[.*\]$", "", node)


def test_one_row_per_outline_and_one_per_feature(every_row: list[str]) -> None:
    per_outline = collected("--driver", "ui", "--ui-rows", "one")
    assert sorted(map(outline, per_outline)) == sorted(set(map(outline, every_row)))  # each outline once
    per_feature = collected("--driver", "ui", "--ui-rows", "feature")
    assert len(per_feature) == len(RULE_FEATURES)
    assert set(per_feature) <= set(every_row)


def test_the_api_driver_keeps_every_row(every_row: list[str]) -> None:
    """Whatever UI rows are chosen, the API driver runs every row: each UI row's, and the @api_only ones."""
    api_rows = collected("--driver", "api", "--ui-rows", "feature")
    assert api_rows == collected("--driver", "api", "--ui-rows", "all")
    assert {node.replace("[ui-", "[api-") for node in every_row} <= set(api_rows)
