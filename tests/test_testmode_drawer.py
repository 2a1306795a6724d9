"""The test-mode drawer of ``make serve`` (--test-mode): in Chromium, a person registers at the 电子税务局 with the
SMS code the drawer shows, logs in by scanning the login QR code from the drawer as the 税务APP, reads the
随机验证码 there and moves the tenant's clock. Without test mode no page has it, and the harness never looks into
it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from faker import Faker
from playwright.sync_api import Locator, Page, expect

from benchmarks.mutation.pages import page_files
from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl, embedded
from simulators.__main__ import options

ROOT = Path(__file__).resolve().parents[1]
DRAWER = "模拟器测试模式(非渠道页面)"
MARKS = ("sim-testmode", "模拟器测试模式", "testmode", "test_mode", "test-mode")  # what names the drawer
NOW = "2024-09-01 10:00:00"
PASSWORD = "Abc12345"
# One page of each root template (phone pages, cashier-like scanner pages, the 电子税务局, the landing page).
PAGES = ("/", "/wechat/", "/alipay/", "/taxapp/", "/etax/", "/etax/login", "/etax/register", "/zheliban/", "/etax/scan")


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedSimulator]:
    """The simulator as ``make serve`` starts it: in test mode."""
    with embedded(tmp_path_factory.mktemp("testmode") / "sim.db", test_mode=True) as running:
        yield running


@pytest.fixture(scope="module")
def control(serve: EmbeddedSimulator) -> Iterator[SimControl]:
    client = SimControl(serve.url)
    yield client
    client.close()


def drawer(page: Page) -> Locator:
    return page.get_by_role("complementary", name=DRAWER)


def open_drawer(page: Page) -> Locator:
    found = drawer(page)
    found.get_by_role("button", name="模拟器测试模式").click()
    expect(found.locator("#sim-testmode-panel")).to_be_visible()
    return found


def close_drawer(page: Page) -> None:
    drawer(page).get_by_role("button", name="收起模拟器测试模式").click()
    expect(drawer(page).locator("#sim-testmode-panel")).to_be_hidden()
    expect(drawer(page).locator("#sim-testmode-panel *")).to_have_count(0)  # closed, it is its tab alone


def test_a_person_gets_through_the_etax_with_the_drawer_alone(
    page: Page, serve: EmbeddedSimulator, control: SimControl, fake: Faker
) -> None:
    tenant = "testmode-etax"
    control.create_tenant(tenant, 5, now=NOW, frozen=True)
    payer: Payer = fake.ningbo_payer()
    control.add_payers(tenant, [payer.to_json()])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_default_timeout(10_000)

    # 用户注册: the SMS code read in the drawer, typed into the page
    page.goto(f"{serve.url}/etax/register?sim_tenant={tenant}")
    page.get_by_label("姓名").fill(payer.name)
    page.get_by_label("证件号码").fill(payer.id_number)
    page.get_by_label("手机号码").fill(payer.phone)
    page.get_by_role("button", name="获取验证码").click()
    shown = open_drawer(page).locator("#stm-sms li").first
    expect(shown.locator(".stm-code")).to_have_text(re.compile(r"^\d{6}$"))
    code = shown.locator(".stm-code").inner_text()
    assert code == control.sms(tenant, payer.phone)[-1]["code"]
    expect(shown).to_contain_text(f"{payer.phone[:3]}****{payer.phone[-4:]}")
    close_drawer(page)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="注册", exact=True).click()
    page.wait_for_url(re.compile(r"/etax/login\?registered=1"))

    # 登录 → 登录验证 by 税务APP扫码: the drawer scans the QR code the page shows
    page.get_by_label("居民身份证号码/手机号码/用户名").fill(payer.id_number)
    page.get_by_label("个人用户密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/etax/login/verify"))
    page.get_by_role("tab", name="税务APP扫码").click()
    qr_panel = page.get_by_role("tabpanel", name="税务APP扫码")
    expect(qr_panel.get_by_role("status")).to_have_text("请使用税务APP扫描二维码")
    found = open_drawer(page)
    expect(found.locator("#stm-qr")).to_have_text("页面上的二维码:税务APP扫码")
    found.get_by_role("button", name="用税务APP扫码并确认").click()
    expect(found.locator("#stm-scan")).to_contain_text("已在税务APP上确认登录")
    close_drawer(page)
    expect(qr_panel.get_by_role("status")).to_contain_text("已在税务APP上确认登录")
    qr_panel.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/etax/$"))
    expect(page.get_by_role("group", name="用户").get_by_role("button", name="退出")).to_be_visible()

    # 他人: the 随机验证码 picture's text, as the control API reads it
    page.goto(f"{serve.url}/etax/bszx/sbjf/cxyl")
    page.get_by_role("radio", name="他人").check()
    picture = page.get_by_role("img", name="随机验证码图片")
    expect(picture).to_have_attribute("src", re.compile(r"/captchas/\w+\.png$"))
    captcha_id = re.search(r"/captchas/(\w+)\.png$", picture.get_attribute("src") or "")
    assert captcha_id
    found = open_drawer(page)
    expect(found.locator("#stm-captcha .stm-code")).to_have_text(control.captcha(tenant, captcha_id[1])["text"])

    # the tenant's clock, shown and moved on
    expect(found.locator("#stm-clock")).to_have_text(f"{NOW}(已冻结)")
    found.get_by_role("button", name="拨快1小时").click()
    expect(found.locator("#stm-clock")).to_have_text("2024-09-01 11:00:00(已冻结)")
    assert control.clock(tenant)["now"] == "2024-09-01 11:00:00"


def test_the_drawer_is_an_aside_of_its_own_on_every_page_in_test_mode(serve: EmbeddedSimulator) -> None:
    for path in PAGES:
        html = httpx.get(f"{serve.url}{path}", trust_env=False, follow_redirects=True).text
        aside = re.search(r"<aside id=\"sim-testmode\"[^>]*>", html)
        assert aside and f'aria-label="{DRAWER}"' in aside[0] and "data-sim-testmode" in aside[0], path
        assert '<script src="/static/testmode.js" defer></script>' in html, path
        assert "</main>" not in html or html.rindex("</main>") < aside.start(), path  # outside the page's main


def test_without_test_mode_no_page_has_the_drawer(sim: EmbeddedSimulator) -> None:
    """The embedded simulator of the tests and of the harness is not in test mode: no drawer, no script."""
    assert not sim.settings.test_mode
    for path in PAGES:
        html = httpx.get(f"{sim.url}{path}", trust_env=False, follow_redirects=True).text
        assert "sim-testmode" not in html and "testmode" not in html and "模拟器测试模式" not in html, path


def test_the_harness_never_names_the_drawer() -> None:
    """Steps, drivers (the page objects), fixtures and features know nothing of the drawer or of test mode."""
    files = [ROOT / "conftest.py", *(ROOT / "steps").rglob("*.py"), *(ROOT / "fixtures").rglob("*.py")]
    files += [*(ROOT / "features").rglob("*.feature")]
    assert len(files) > 20
    named = {str(f.relative_to(ROOT)): m for f in files for m in MARKS if m in f.read_text(encoding="utf-8")}
    assert not named, named


def test_the_page_mutants_leave_the_drawer_alone() -> None:
    """No run of the harness shows the drawer: a mutant of it could only survive, and would count against the
    features."""
    pages = page_files(ROOT)
    assert "simulators/templates/phone.html" in pages and not [p for p in pages if "testmode" in p]


def test_only_make_serve_turns_test_mode_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIM_TOKEN", raising=False)
    assert options(["--test-mode"])[1].test_mode
    assert not options([])[1].test_mode
    assert "--test-mode" in (ROOT / "Makefile").read_text(encoding="utf-8").split("\nserve:", 1)[1].split("\n\n")[0]
    with pytest.raises(SystemExit):
        options(["--test-mode", "--host", "0.0.0.0"])  # it shows SMS codes: never beyond this machine
    with pytest.raises(SystemExit):
        options(["--test-mode", "--token", "t"])  # the drawer calls the control API without a token
