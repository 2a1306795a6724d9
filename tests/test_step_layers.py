"""The layers of the harness hold: a step module (steps/*.py) says what the guide says and calls the verbs of the
page objects and drivers (steps/drivers/); it never drives the browser or the network itself. Read with ``ast``, a
step module imports neither playwright nor httpx, reaches through no ``.page.``, asks for no ``locator`` or
``get_by_*``, and calls no method only a Playwright locator has (``click``, ``inner_text``, ``first`` …); and no
fixture anywhere in the project is named ``page``, which is pytest-playwright's."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from playwright.sync_api import Locator

ROOT = Path(__file__).resolve().parent.parent
STEPS = ROOT / "steps"
DRIVERS = STEPS / "drivers"
FORBIDDEN_IMPORTS = ("playwright", "httpx")
PLAYWRIGHT_FIXTURE = "page"


def defined_names(folder: Path) -> set[str]:
    """The names the drivers' classes define: their methods, class attributes and ``self.`` attributes."""
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.ClassDef):
                names.update(
                    t.id
                    for s in node.body
                    if isinstance(s, ast.Assign | ast.AnnAssign)
                    for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
                    if isinstance(t, ast.Name)
                )
    return names


VERBS = defined_names(DRIVERS)
LOCATOR_MEMBERS = {name for name in dir(Locator) if not name.startswith("_")}
LOCATOR_ONLY = LOCATOR_MEMBERS - VERBS  # click, fill, inner_text, first, filter …
SHARED = LOCATOR_MEMBERS & VERBS  # wait_for, press: a page object's verb, or a locator's when called on one


def layer_breaches(source: str, where: str = "") -> list[str]:
    """Where a step module's source drives Playwright or httpx itself, one line each (``where``: its file)."""
    found: list[str] = []

    def breach(node: ast.AST, what: str) -> None:
        found.append(f"{where}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] in FORBIDDEN_IMPORTS:
                    breach(node, f"imports {module}")
        elif isinstance(node, ast.Attribute):
            if node.attr == "page":
                breach(node, "reaches through .page. (the Playwright page behind a page object)")
            elif node.attr == "locator" or node.attr.startswith("get_by_"):
                breach(node, f"asks for a locator itself (.{node.attr})")
            elif node.attr in LOCATOR_ONLY:
                breach(node, f"calls a Playwright locator's .{node.attr}")
            elif node.attr in SHARED and isinstance(node.value, ast.Call):
                breach(node, f"calls .{node.attr} on what a call returned (a locator), not on a page object")
    return found


def fixture_name(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The name a function is a pytest fixture under, or None when it is not one."""
    for decorator in function.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        target = call.func if call else decorator
        if (isinstance(target, ast.Attribute) and target.attr == "fixture") or (
            isinstance(target, ast.Name) and target.id == "fixture"
        ):
            named = [k.value for k in (call.keywords if call else []) if k.arg == "name"]
            if named and isinstance(named[0], ast.Constant) and isinstance(named[0].value, str):
                return named[0].value
            return function.name
    return None


def page_fixtures(source: str, where: str = "") -> list[str]:
    return [
        f"{where}:{node.lineno}: fixture {PLAYWRIGHT_FIXTURE!r} ({node.name}) shadows pytest-playwright's"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and fixture_name(node) == PLAYWRIGHT_FIXTURE
    ]


def project_files() -> list[Path]:
    return sorted(
        p
        for p in ROOT.rglob("*.py")
        if not any(part.startswith(".") or part == "node_modules" for part in p.relative_to(ROOT).parts)
    )


STEP_MODULES = sorted(STEPS.glob("*.py"))


def test_there_are_step_modules_and_driver_verbs_to_check() -> None:
    assert any(p.name.startswith("test_guide_") for p in STEP_MODULES), STEP_MODULES
    assert {"wait_for", "section", "button"} <= VERBS
    assert {"click", "fill", "inner_text", "first", "filter", "is_visible"} <= LOCATOR_ONLY


@pytest.mark.parametrize("module", STEP_MODULES, ids=lambda p: p.name)
def test_a_step_module_calls_page_object_verbs_only(module: Path) -> None:
    breaches = layer_breaches(module.read_text(encoding="utf-8"), str(module.relative_to(ROOT)))
    assert not breaches, "步骤模块应只调用页面对象的动作,不应直接操作Playwright或httpx:\n" + "\n".join(breaches)


def test_no_fixture_shadows_pytest_playwrights_page() -> None:
    shadows = [
        line
        for path in project_files()
        for line in page_fixtures(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not shadows, "项目中不应再定义名为page的fixture(它是pytest-playwright的):\n" + "\n".join(shadows)


# the checks themselves catch what they are for ------------------------------------------------------------------
@pytest.mark.parametrize(
    "source, what",
    [
        ("from playwright.sync_api import Page", "imports playwright.sync_api"),
        ("import httpx", "imports httpx"),
        ("screen.page.wait_for_url(x)", "reaches through .page."),
        ("screen.section('缴费结果').locator('dd')", "(.locator)"),
        ("screen.page_region().get_by_role('button')", "(.get_by_role)"),
        ("screen.result_title().inner_text()", ".inner_text"),
        ("screen.items().first", ".first"),
        ("screen.login_form().wait_for()", "calls .wait_for on what a call returned"),
    ],
)
def test_the_layer_check_finds_a_step_driving_playwright(source: str, what: str) -> None:
    breaches = layer_breaches(source)
    assert any(what in b for b in breaches), breaches


def test_the_layer_check_lets_page_object_verbs_pass() -> None:
    source = (
        "reached(screen.wait_for('缴费信息'), '应进入【缴费信息】')\n"
        "screen.press('去支付')\nexpect(screen.result_title_text(), title, '页面显示的缴费结果')\n"
    )
    assert layer_breaches(source) == []


@pytest.mark.parametrize(
    "source",
    [
        "@pytest.fixture\ndef page(ui): return ui.pages",
        "@fixture()\ndef page(ui): return ui.pages",
        "@pytest.fixture(name='page')\ndef screen(ui): return ui.pages",
    ],
)
def test_the_fixture_check_finds_a_page_fixture(source: str) -> None:
    assert page_fixtures(source)


def test_the_fixture_check_lets_other_fixtures_and_functions_named_page_pass() -> None:
    assert page_fixtures("@pytest.fixture\ndef screen(ui): return ui.pages\ndef page(x): return x") == []
