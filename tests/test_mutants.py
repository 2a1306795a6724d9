"""The generated-mutant benchmark (benchmarks.mutants): the mutator, the ids, the sample, the equivalents file, and
one real run of a toy mutant killed by a toy test and one surviving it (no feature runs here)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from benchmarks import mutants
from benchmarks.mutation.linecov import OUTSIDE
from benchmarks.mutation.mutator import OPERATORS, Mutant, mutants_of

TOY = '''"""A toy module: every operator has something to change."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["due", "names"]
log = logging.getLogger(__name__)
LIMIT = 3


def due(amount: int, paid: bool, year: int = 2024) -> int:
    """What is still due: an amount unless it is paid."""
    log.info("due %s", amount)
    if paid and amount > 0 or not year:
        return 0
    total: int = amount + LIMIT * 2
    notify(total)
    return total if year in (2024, 2025) else total // 2


def names(items: list[str], n: int) -> str:
    first = items[:n]
    return "、".join(first) + items[n]


def notify(total: int) -> None:
    print("sent", total)
'''


@pytest.fixture(scope="module")
def real() -> list[Mutant]:
    return mutants.all_mutants()


def test_the_mutator_is_deterministic_and_ids_survive_moved_lines() -> None:
    first = mutants_of("simulators/toy.py", TOY)
    again = mutants_of("simulators/toy.py", TOY)
    assert [m.id for m in first] == [m.id for m in again]
    assert len({m.id for m in first}) == len(first)
    moved = TOY.replace("LIMIT = 3\n", "LIMIT = 3\n\n\n# a comment that moves every line below\n")
    assert {m.id for m in mutants_of("simulators/toy.py", moved)} == {m.id for m in first}
    assert all(m.id.startswith(f"simulators/toy.py:{m.qualname}:{m.operator}:") for m in first)


def test_every_operator_yields_code_that_compiles_and_changes_one_line() -> None:
    found = mutants_of("simulators/toy.py", TOY)
    assert {m.operator for m in found} == set(OPERATORS)
    original = ast.dump(ast.parse(TOY))
    for m in found:
        changed = m.apply(TOY)
        compile(changed, "toy.py", "exec")
        assert ast.dump(ast.parse(changed)) != original, m.id
        assert len(changed.splitlines()) == len(TOY.splitlines()), m.id
        diff = [line for line in m.diff(TOY).splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        assert len(diff) == 2, (m.id, diff)


def test_docstrings_logging_annotations_all_and_type_checking_are_left_alone() -> None:
    lines = TOY.splitlines()
    touched = {lines[m.span[0] - 1].strip() for m in mutants_of("simulators/toy.py", TOY)}
    for untouched in (
        '"""A toy module: every operator has something to change."""',
        '"""What is still due: an amount unless it is paid."""',
        'log.info("due %s", amount)',
        "if TYPE_CHECKING:",
        '__all__ = ["due", "names"]',
        "log = logging.getLogger(__name__)",
        'print("sent", total)',
    ):
        assert untouched not in touched
    annotated = [m for m in mutants_of("simulators/toy.py", TOY) if m.one_line(TOY).startswith("- total: int")]
    assert annotated and all("total: int =" in m.apply(TOY) for m in annotated)


def test_the_operators_make_the_expected_changes() -> None:
    shown = {m.one_line(TOY).split("→  + ", 1)[1] for m in mutants_of("simulators/toy.py", TOY)}
    for expected in (
        "if paid and (amount >= 0) or not year:",
        "if (paid or amount > 0) or not year:",
        "if paid and amount > 0 or year:",
        "total: int = amount - LIMIT * 2",
        "total: int = amount + (LIMIT // 2)",
        "LIMIT = 4",
        "pass",
        "return None",
        "if True:",
        "if False:",
        "return total if (year not in (2024, 2025)) else total // 2",
        "first = items[:(n + 1)]",
        'return "、".join(first) + items[(n + 1)]',
        "return ''.join(first) + items[n]",
        "def due(amount: int, paid: bool, year: int = 2025) -> int:",
    ):
        assert expected in shown, expected


def test_the_sample_is_reproducible_stratified_and_over_300(real: list[Mutant]) -> None:
    assert {m.module for m in real} == set(mutants.TARGETS)
    chosen = mutants.sample(real, 300, mutants.DEFAULT_SEED)
    assert len(chosen) == 300 == len({m.id for m in chosen})
    assert [m.id for m in chosen] == [m.id for m in mutants.sample(real, 300, mutants.DEFAULT_SEED)]
    assert [m.id for m in chosen] != [m.id for m in mutants.sample(real, 300, mutants.DEFAULT_SEED + 1)]
    per_module, everywhere = Counter(m.module for m in chosen), Counter(m.module for m in real)
    assert set(per_module) == set(everywhere)
    for module, count in everywhere.items():
        assert abs(per_module[module] - 300 * count / len(real)) <= 1.5, module
    receipts = [m for m in real if m.module == "simulators/core/receipts.py"]
    assert receipts and not {m.qualname.split(".")[0] for m in receipts} & {"render", "find_font", "_fontconfig"}


def test_the_equivalents_file_parses_and_names_existing_mutants(real: list[Mutant]) -> None:
    assert mutants.EQUIVALENTS.exists()
    known = mutants.equivalents()
    ids = {m.id for m in real}
    assert not set(known) - ids, "等价变异体文件中有不存在的变异体"
    assert all(reason.strip() and any("\u4e00" <= ch <= "\u9fff" for ch in reason) for reason in known.values())


def test_a_module_constant_meets_the_scenarios_that_read_it(tmp_path: Path) -> None:
    (tmp_path / "simulators").mkdir()
    (tmp_path / "simulators" / "toy.py").write_text(TOY, "utf-8")
    uses = mutants.name_uses(tmp_path)
    limit = next(m for m in mutants_of("simulators/toy.py", TOY) if m.qualname == "<module>")
    reading = next(line for line, text in enumerate(TOY.splitlines(), 1) if "LIMIT * 2" in text)
    lines = mutants.LineMap(
        {"t.py::reads[a]": {"simulators/toy.py": {reading}}, "t.py::other": {"simulators/toy.py": {1}}},
        {"t.py::reads[a]": 0.1, "t.py::other": 0.1},
        set(),
    )
    assert limit.names == ("LIMIT",)
    assert lines.scenarios(limit, uses) == ["t.py::reads[a]"]


def test_scenarios_are_taken_in_turn_from_each_outline_and_import_time_lines_meet_all() -> None:
    notify = next(m for m in mutants_of("simulators/toy.py", TOY) if m.one_line(TOY).endswith("+ pass"))
    seconds = {"t.py::a[1]": 0.3, "t.py::a[2]": 0.1, "t.py::b[1]": 0.2, "t.py::c": 0.1, "t.py::broken": 0.1}
    reach = {"simulators/toy.py": {notify.line}}
    tests = {node: reach for node in seconds if node != "t.py::c"} | {"t.py::c": {}}
    lines = mutants.LineMap(tests, seconds, {"t.py::broken"})
    assert lines.scenarios(notify) == ["t.py::a[2]", "t.py::b[1]", "t.py::a[1]"]
    only_at_import = mutants.LineMap({"t.py::c": {}, OUTSIDE: reach}, {"t.py::c": 0.1}, set())
    assert only_at_import.scenarios(notify) == ["t.py::c"]
    assert mutants.LineMap({"t.py::c": {}}, {"t.py::c": 0.1}, set()).scenarios(notify) == []


def _toy_runner(folder: Path, scenarios: list[str], junit: Path, timeout: float) -> bool:
    command = [sys.executable, "-m", "pytest", *scenarios, "-q", "-x", "-p", "no:cacheprovider"]
    command += [f"--junitxml={junit}", "-o", "junit_family=xunit2"]
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # a bare pytest: the toy needs no plugin
    subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=timeout, env=env)
    return True


def test_a_toy_mutant_is_killed_by_a_toy_test_and_another_survives(tmp_path: Path) -> None:
    pristine, work = tmp_path / "pristine", tmp_path / "work"
    (pristine / "simulators").mkdir(parents=True)
    work.mkdir()
    (pristine / "channels.py").write_text("", "utf-8")
    (pristine / "simulators" / "__init__.py").write_text("", "utf-8")
    source = (
        "def fee(years: int) -> int:\n    return years * 100\n\n\ndef floor(x: int) -> int:\n    return max(0, x)\n"
    )
    (pristine / "simulators" / "toy.py").write_text(source, "utf-8")
    (pristine / "simulators" / "test_toy.py").write_text(
        "from simulators.toy import fee, floor\n\n\ndef test_fee():\n    assert fee(2) == 200\n\n\n"
        "def test_floor():\n    assert floor(5) == 5\n",
        "utf-8",
    )
    found = {m.one_line(source): m for m in mutants_of("simulators/toy.py", source)}
    killed = found["- return years * 100  →  + return years // 100"]
    survivor = found["- return max(0, x)  →  + return max(1, x)"]
    tests = ["simulators/test_toy.py::test_fee", "simulators/test_toy.py::test_floor"]
    run = [mutants.judge(m, tests, 1.0, work, pristine, _toy_runner) for m in (killed, survivor)]
    assert [o.verdict for o in run] == ["killed", "survived"]
    assert run[0].scenario == "simulators/test_toy.py::test_fee" and "assert" in run[0].message
    assert run[1].ran == tuple(tests)
    assert mutants.judge(killed, [], 1.0, work, pristine, _toy_runner).verdict == "uncovered"
    assert (pristine / "simulators" / "toy.py").read_text("utf-8") == source  # the sources are never edited
