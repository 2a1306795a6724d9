"""Failures that name the rule: a failing scenario says in Chinese which rule broke, what it expected and what it
saw; a channel's unreadable answer names the route and status; a missing 【label】 names the page and the label."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from fixtures.browser import CHROMIUM_ARGS, resolve_chromium
from steps.drivers.api.backend import Refused, UnreadableAnswer, answer
from steps.drivers.protocol import Line, Outcome
from steps.expect import RuleBroken, expect, lines, said, yuan

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]


# The helper ------------------------------------------------------------------------------------------------------
def test_expect_names_the_rule_the_expectation_and_what_was_seen() -> None:
    with pytest.raises(RuleBroken) as broken:
        expect("150.00", "100.00", "应缴金额", why="低保对象2024年度", show=yuan)
    assert str(broken.value) == "应缴金额应为100.00元(低保对象2024年度),实际为150.00元"
    assert expect("100.00", "100.00", "应缴金额") == "100.00"


def test_lines_and_outcomes_are_worded_as_a_person_reads_them() -> None:
    assert lines([Line(2024, "正常应缴", "300.00"), (2023, "补缴", "300.00")]) == (
        "[2024年度 正常应缴 300.00元、2023年度 补缴 300.00元]"
    )
    assert lines([]) == "[无]"
    assert said(Outcome("refused", "证件号码校验位错误")) == "被拒绝“证件号码校验位错误”"
    assert said(Outcome("paid", "缴费成功", amount="300.00")) == "缴费成功 300.00元"
    assert said(None) == "还没有任何缴费操作"


# A channel back end's answer -------------------------------------------------------------------------------------
def _response(status: int, *, text: str | None = None, json: object = None) -> httpx.Response:
    return httpx.Response(
        status, request=httpx.Request("POST", "http://sim.test/wechat/api/orders"), text=text, json=json
    )


def test_a_non_json_answer_names_the_route_the_status_and_the_start_of_the_body() -> None:
    with pytest.raises(UnreadableAnswer) as unreadable:
        answer(_response(502, text="<html><body>Bad Gateway from nginx 330203199001011236</body></html>"))
    assert str(unreadable.value) == (
        "渠道接口 POST /wechat/api/orders 应答复JSON,实际答复状态码502,"
        "内容开头:<html><body>Bad Gateway from nginx 330203********1236</body></html>"
    )


def test_an_error_without_its_message_is_unreadable_too() -> None:
    with pytest.raises(UnreadableAnswer, match="应答复带错误说明的JSON,实际答复状态码422"):
        answer(_response(422, json={"detail": [{"msg": "field required"}]}))


def test_a_refusal_and_an_answer_read_as_before() -> None:
    with pytest.raises(Refused, match="^证件号码校验位错误$"):
        answer(_response(422, json={"error": {"code": "invalid_input", "message": "证件号码校验位错误"}}))
    assert answer(_response(200, json={"order_no": "N1"})) == {"order_no": "N1"}


# A failing scenario, run as a QA engineer runs it ----------------------------------------------------------------
FAILING = """\
# language: zh-CN
@wechat
功能: 故意写错期望的规则

  场景: 金额写错
    假如 一位已参保、没有补缴费款的缴费人
    当 他在微信公众号选择2024年度300元档次缴费
    那么 缴费成功,金额为100.00元

  场景: 扣款写错
    假如 一位已参保、没有补缴费款的缴费人
    当 他在微信公众号选择2024年度300元档次缴费
    那么 只有一笔100.00元的扣款

  场景: 记录写错
    假如 一位已参保、没有补缴费款的缴费人
    当 他在微信公众号选择2024年度300元档次缴费
    那么 他在微信公众号的缴费记录中有2024年度“正常应缴”100.00元
"""


def test_a_failing_scenario_says_which_rule_broke_in_chinese(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", failing=FAILING)
    pytester.makepyfile(test_failing="from pytest_bdd import scenarios\n\nscenarios('failing.feature')\n")
    autouse = "@pytest.fixture(autouse=True)\ndef _driver_kind(driver_kind):\n    return driver_kind\n"
    pytester.makeconftest((ROOT / "conftest.py").read_text(encoding="utf-8") + f"\n\nimport pytest\n\n\n{autouse}")
    pytester.makeini(f"[pytest]\npythonpath = {ROOT}\nbdd_features_base_dir = .\n")
    run = pytester.runpytest_subprocess("--driver", "api", "-p", "no:randomly", "-p", "no:cacheprovider")
    run.assert_outcomes(failed=3)
    out = run.stdout.str()
    assert "RuleBroken: 应缴金额应为100.00元(普通缴费人2024年度),实际为300.00元" in out
    assert "RuleBroken: 只应有一笔100.00元的扣款,实际有1笔:300.00元(" in out
    assert "RuleBroken: 微信公众号的缴费记录应为[2024年度 正常应缴 100.00元],实际为[2024年度 正常应缴 300.00元]" in out
    assert "assert '300.00' == '100.00'" not in out and "AssertionError: assert" not in out


# A missing 【label】, on a page of our own ----------------------------------------------------------------------
PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>选择缴费类型</title></head>
<body><button>下一步</button><script>
setTimeout(() => { const b = document.createElement("button"); b.textContent = "确认"; document.body.append(b); }, 300);
</script></body></html>"""


def _on_the_page() -> tuple[str, str, str]:
    """(the name of a label that came late, what a missing 【label】 says, what a section that never comes says):
    Playwright in a thread of its own, as a pytest-playwright worker keeps an event loop running in this one."""
    from playwright.sync_api import sync_playwright

    from steps.drivers.ui.pages import ChannelPage

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=resolve_chromium().executable_path, args=list(CHROMIUM_ARGS)
        )
        try:
            page = browser.new_page()
            page.route("http://sim.test/**", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
            page.goto("http://sim.test/wechat/pay")
            channel = ChannelPage(page, "http://sim.test")
            came = channel.button("确认").inner_text()
            channel.button("下一步").click()
            said = []
            for missing in (lambda: channel.button("确认提交"), lambda: channel.wait_for("缴费结果")):
                try:
                    missing()
                except RuleBroken as broken:
                    said.append(str(broken))
            label, section = said
            return came, label, section
        finally:
            browser.close()


def test_a_missing_label_names_the_page_and_the_label() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        came, label, section = pool.submit(_on_the_page).result(timeout=120)
    assert came == "确认"
    assert label == "页面“选择缴费类型(/wechat/pay)”上应有指南中的【确认提交】,没有找到"
    assert section == "页面“选择缴费类型(/wechat/pay)”上应出现【缴费结果】或说明原因的提示,都没有出现"


# A missing field or tab, and a cashier that went on without its pay button --------------------------------------
PAGES = {
    "/etax/login": """<title>登录</title><div role="tablist"><button role="tab">短信验证</button></div>
<label for="phone">手机号码</label><input id="phone">""",
    "/alipay/pay": '<title>支付界面</title><a href="/pay/alipay/cashier/T1">去支付</a>',
    "/pay/alipay/cashier/T1": """<title>支付宝</title><main aria-label="支付宝"><button hidden>确认付款</button></main>
<script>setTimeout(() => location.replace("/alipay/result"), 50);</script>""",
    "/alipay/result": '<title>缴费结果</title><p role="status">缴费成功</p>',
}


def _fields_tabs_and_cashier() -> list[str]:
    """What a field, a tab and a cashier's pay button say when the page lacks them (and a field that is there)."""
    from urllib.parse import urlsplit

    from playwright.sync_api import Route, sync_playwright

    from steps.drivers.ui.cashier import AlipayCashier
    from steps.drivers.ui.pages import ChannelPage

    def serve(route: Route) -> None:
        body = PAGES[urlsplit(route.request.url).path]
        route.fulfill(
            body=f'<!doctype html><html lang="zh-CN"><meta charset="utf-8">{body}</html>', content_type="text/html"
        )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=resolve_chromium().executable_path, args=list(CHROMIUM_ARGS)
        )
        try:
            page = browser.new_page()
            page.route("http://sim.test/**", serve)
            page.goto("http://sim.test/etax/login")
            channel = ChannelPage(page, "http://sim.test")
            channel.field("手机号码").fill("13800000000")
            channel.tab("短信验证").click()
            said = [channel.field("手机号码").input_value()]
            for missing in (lambda: channel.field("短信验证码"), lambda: channel.tab("税务APP扫码")):
                try:
                    missing()
                except RuleBroken as broken:
                    said.append(str(broken))
            page.goto("http://sim.test/alipay/pay")
            channel.link("去支付").click()
            cashier = AlipayCashier(page)
            said.append(cashier.came(channel))
            try:
                cashier.pay()
            except RuleBroken as broken:
                said.append(str(broken))
            return said
        finally:
            browser.close()


def test_a_missing_field_tab_or_pay_button_names_the_page_and_the_label() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        said = pool.submit(_fields_tabs_and_cashier).result(timeout=120)
    assert said == [
        "13800000000",
        "页面“登录(/etax/login)”上应有指南中的【短信验证码】,没有找到",
        "页面“登录(/etax/login)”上应有指南中的【税务APP扫码】,没有找到",
        "",
        "页面“支付宝(/pay/alipay/cashier/T1)”上应有指南中的【确认付款】,没有找到",
    ]
