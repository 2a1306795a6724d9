"""The page mutants (benchmarks.mutation.pages): what each operator changes in a script and a template, that
comments are left alone, which channels show a page, and that a page mutant meets its channels' UI scenarios (the
guide walk-through and the rule rows by turns)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import mutants
from benchmarks.mutation.pages import channels_of, page_files, page_mutants, text_mutants

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """// a comment: "缴费成功" === x && y
function show(o) {
  if (!o.ok) return;
  title.textContent = o.status === "PAID" ? "缴费成功" : "缴费未完成";
  button.disabled = true;
  sim.show("step-result");
  if (a.length > 2 || b) go();
}
"""
TEMPLATE = """{# a comment: <button id="x">缴费</button> #}
<section aria-label="缴费结果">
  <h2 id="result-title" role="status">缴费结果</h2>
  <button id="next" type="button">下一步</button>
</section>
"""


def _changes(module: str, source: str) -> set[tuple[str, str]]:
    return {(m.operator, m.apply(source).splitlines()[m.line - 1].strip()) for m in text_mutants(module, source)}


def test_script_operators_change_one_token_and_leave_comments_alone() -> None:
    changes = _changes("simulators/static/x.js", SCRIPT)
    assert ("bool", "if (o.ok) return;") in changes
    assert ("cmp", 'title.textContent = o.status !== "PAID" ? "缴费成功" : "缴费未完成";') in changes
    assert ("const", 'title.textContent = o.status === "PAID" ? "" : "缴费未完成";') in changes
    assert ("const", "button.disabled = false;") in changes
    assert ("stmt", ";") in changes
    assert ("cmp", "if (a.length >= 2 || b) go();") in changes
    assert ("bool", "if (a.length > 2 && b) go();") in changes
    assert not any(line.startswith("//") for _, line in changes)
    assert all(m.surface == "page" and m.line > 1 for m in text_mutants("simulators/static/x.js", SCRIPT))


def test_template_operators_drop_text_rename_a_hook_and_drop_a_control() -> None:
    changes = _changes("simulators/templates/x.html", TEMPLATE)
    assert ("text", '<h2 id="result-title" role="status"></h2>') in changes
    assert ("attr", '<h2 id="result-title" role="status-x">缴费结果</h2>') in changes
    assert ("attr", '<section aria-label="缴费结果-x">') in changes
    assert ("elem", "") in changes
    assert not any("{#" in line for _, line in changes)


def test_ids_are_stable_and_unique() -> None:
    first = text_mutants("simulators/static/x.js", SCRIPT)
    again = text_mutants("simulators/static/x.js", "\n\n" + SCRIPT)
    assert [m.id for m in first] == [m.id for m in again]
    assert len({m.id for m in first}) == len(first)
    real = page_mutants(ROOT)
    assert len({m.id for m in real}) == len(real) > 300


def test_a_page_is_shown_by_the_channels_that_name_it() -> None:
    shown = channels_of(ROOT)
    assert set(page_files(ROOT)) == set(shown)
    assert set(shown["simulators/static/mp.js"]) == {"wechat", "alipay"}
    assert set(shown["simulators/templates/mp_result_step.html"]) == {"wechat", "alipay"}
    assert set(shown["simulators/gateways/ccb/templates/ccb_cashier.html"]) >= {"taxapp", "etax"}
    assert "wechat" not in shown["simulators/gateways/ccb/templates/ccb_cashier.html"]
    assert shown["simulators/etax/routes.py"] == ("etax",)
    assert set(shown["simulators/templates/app_base.html"]) >= {"taxapp", "zheliban"}


def test_a_page_mutant_meets_its_channels_walk_through_and_rule_rows_by_turns() -> None:
    mutant = next(m for m in page_mutants(ROOT, ["simulators/static/mp.js"]))
    rows = [
        "steps/test_guide_wechat.py::test_a[ui]",
        "steps/test_guide_alipay.py::test_a[ui]",
        "steps/test_guide_etax.py::test_a[ui]",
        "steps/test_rules.py::test_r[ui-微信公众号]",
        "steps/test_rules.py::test_r[ui-支付宝小程序]",
        "steps/test_rules.py::test_r[ui-电子税务局]",
        "steps/test_rules.py::test_s[ui-微信公众号]",
    ]
    met = mutants.page_scenarios(mutant, {mutant.module: ("wechat", "alipay")}, rows)
    assert met[:4] == [
        "steps/test_guide_wechat.py::test_a[ui]",
        "steps/test_guide_alipay.py::test_a[ui]",
        "steps/test_rules.py::test_r[ui-微信公众号]",
        "steps/test_rules.py::test_r[ui-支付宝小程序]",
    ]
    assert "steps/test_rules.py::test_r[ui-电子税务局]" not in met
    assert set(met) == {rows[0], rows[1], rows[3], rows[4], rows[6]}
