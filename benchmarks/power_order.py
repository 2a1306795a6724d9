"""pytest plugin of the harness-power benchmark: run the scenarios of some features first (``--power-first
tier_table,special_status``), the rest after them in their usual order. With ``-x`` a defect is then usually
caught by the features of its own area within seconds; every feature still runs when none of those catches it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--power-first", default="", help="先运行这些特性文件(不含扩展名,逗号分隔)中的场景")


def feature_stem(item: pytest.Item) -> str:
    """The name of the feature file a pytest-bdd scenario comes from ('' for any other test)."""
    obj = getattr(item, "obj", None)
    template = scenario_wrapper_template_registry.get(obj) if callable(obj) else None
    return Path(template.feature.filename).stem if template is not None else ""


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    first = {stem.strip() for stem in str(config.getoption("--power-first")).split(",") if stem.strip()}
    if first:
        items.sort(key=lambda item: feature_stem(item) not in first)  # stable: each group keeps its order
