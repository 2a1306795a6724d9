"""The defect catalogue: its control API (list, set, replace, clear, refuse an unknown name, keep the set across a
restart), and for every defect a check through the channel back ends that it changes what a channel does when it is
on and nothing when it is off. The ledger stays the oracle whatever is on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures.payers import Payer
from fixtures.receipts import pdf_text
from fixtures.simulator import ControlError, EmbeddedSimulator, SimControl, embedded
from fixtures.waiting import poll
from simulators.core import defects
from simulators.core.errors import label
from simulators.core.idnumber import mask
from steps.drivers.api.client import connect
from tests.alipay_user import AlipayUser
from tests.app_user import AppUser, tenant_client
from tests.conftest import Wechat

AREAS = {"参考数据", "缴费规则", "为他人缴费", "账户", "缴费记录与回执", "支付通知", "批量扣款", "页面"}


# the control API ------------------------------------------------------------------------------------------------
def test_the_catalogue_lists_every_defect_with_its_area_rule_and_surface(sim_control: SimControl) -> None:
    listed = sim_control.defects()["catalogue"]
    assert [d["name"] for d in listed] == list(defects.CATALOGUE)
    assert len(listed) == 41
    for entry in listed:
        assert set(entry) == {"name", "area", "rule", "description", "surface"}, entry
        assert entry["area"] in AREAS and entry["rule"] and entry["description"], entry
        assert entry["surface"] == ("page" if entry["area"] == "页面" else "rule"), entry


def test_defects_are_set_replaced_and_cleared_per_tenant(sim_control: SimControl, tenant: str) -> None:
    other = f"{tenant}-other"
    sim_control.create_tenant(other, 8)
    assert sim_control.defects(tenant)["active"] == []
    shown = sim_control.set_defects(tenant, ["tier_missing", "sms_code_reusable", "tier_missing"])
    assert shown["active"] == ["tier_missing", "sms_code_reusable"]  # once each, in catalogue order
    assert [d["name"] for d in shown["catalogue"]] == list(defects.CATALOGUE)
    assert sim_control.set_defects(tenant, ["record_amount_wrong"])["active"] == ["record_amount_wrong"]
    assert sim_control.defects(tenant)["active"] == ["record_amount_wrong"]
    assert sim_control.defects(other)["active"] == []  # another tenant's channels are untouched
    sim_control.reset(tenant)
    assert sim_control.defects(tenant)["active"] == ["record_amount_wrong"]  # a reset keeps what is switched on
    assert sim_control.set_defects(tenant, [])["active"] == []


def test_an_unknown_defect_is_refused_naming_it_and_changes_nothing(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str
) -> None:
    sim_control.set_defects(tenant, ["tier_missing"])
    with connect(sim.url) as http:
        answer = http.post(f"/__sim/tenants/{tenant}/defects", json={"defects": ["tier_missing", "no_such_bug"]})
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["field"] == "defects" and "no_such_bug" in error["message"], error
        assert "缺陷目录中没有" in error["message"], error
        malformed = http.post(f"/__sim/tenants/{tenant}/defects", json={"defects": "tier_missing"})
        assert malformed.status_code == 422, malformed.text
    assert sim_control.defects(tenant)["active"] == ["tier_missing"]
    with pytest.raises(ControlError):
        sim_control.set_defects("no-such-tenant", [])


def test_the_defects_switched_on_survive_a_restart_on_the_same_database(tmp_path: Path) -> None:
    db = tmp_path / "sim.db"
    with embedded(db) as first:
        control = SimControl(first.url)
        control.create_tenant("kept", 3)
        control.set_defects("kept", ["receipt_id_unmasked"])
        control.close()
    with embedded(db) as again:
        control = SimControl(again.url)
        assert control.defects("kept")["active"] == ["receipt_id_unmasked"]
        control.close()


def _defects_in_use(sim: EmbeddedSimulator) -> object:
    """What the app knows of defects being on in its database (read afresh: a switch changes it)."""
    return sim.app.state.defects_in_use


def test_a_page_defect_shows_after_a_restart_and_pages_read_no_tenant_while_none_is_on(tmp_path: Path) -> None:
    """Pages read the tenant's defects only once some tenant of the database has one on: a fresh simulator knows it
    from the database, and one where none was ever on renders its pages without that read."""
    db = tmp_path / "sim.db"
    with embedded(db) as first:
        control = SimControl(first.url)
        for tenant in ("plain", "relabelled"):
            control.create_tenant(tenant, 3)
        with connect(first.url, "plain") as http:
            assert "查记录" in _page(http, "/wechat/sbjf")
        assert _defects_in_use(first) is False
        control.set_defects("relabelled", ["wechat_label_changed"])
        assert _defects_in_use(first) is True
        control.close()
    with embedded(db) as again:
        for tenant, label_ in (("relabelled", "查纪录"), ("plain", "查记录")):
            with connect(again.url, tenant) as http:
                assert label_ in _page(http, "/wechat/sbjf"), tenant


# the world a defect is tried in ------------------------------------------------------------------------------------
@dataclass
class World:
    sim: EmbeddedSimulator
    control: SimControl
    tenant: str
    wechat: Wechat
    enrol: Callable[..., Payer]
    stack: ExitStack
    on: bool

    def expect(self, response: httpx.Response, *refused: int) -> None:
        """Let through when the defect is on; refused (with one of these statuses) when it is off."""
        if self.on:
            assert response.is_success, response.text
        else:
            assert response.status_code in refused, response.text

    def app(self, channel: str = "taxapp") -> AppUser:
        http = self.stack.enter_context(tenant_client(self.sim, self.tenant))
        return AppUser(self.sim, self.tenant, http, channel=channel, control=self.control)

    def alipay(self, payer: Payer) -> AlipayUser:
        http = self.stack.enter_context(connect(self.sim.url, self.tenant))
        return AlipayUser(self.sim, self.tenant, http).log_in(payer)

    # the WeChat channel's back end --------------------------------------------------------------------------------
    def items(self, payer: Payer) -> dict[str, Any]:
        answer = self.wechat.call("POST", "/payer/items", _named(payer))
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items[0]

    def quote(self, payer: Payer, **choice: Any) -> httpx.Response:
        return self.wechat.call(
            "POST",
            "/quote",
            {**_named(payer), "insurance": "pension", "pay_type": "选档缴费", "year": 2024, "tier": 300, **choice},
        )

    def pay(self, payer: Payer, **choice: Any) -> dict[str, Any]:
        return self.wechat.pay_through(payer, **choice)

    def pay_special(self, payer: Payer) -> dict[str, Any]:
        paid = self.pay(payer, pay_type="特殊缴费", year=None, tier=None)
        assert paid["status"] == "PAID", paid
        return paid

    def records(self, payer: Payer) -> list[dict[str, Any]]:
        answer = self.wechat.call("POST", "/records/query", _named(payer))
        assert answer.status_code == 200, answer.text
        return list(answer.json()["records"])

    def ledger(self) -> dict[str, Any]:
        return self.control.ledger(self.tenant)

    def delivered(self) -> None:
        poll(lambda: self.ledger()["notifications"], lambda notes: not {"pending", "sending"} & set(notes))


def _named(payer: Payer) -> dict[str, str]:
    return {"name": payer.name, "id_type": "居民身份证", "id_number": payer.id_number}


@pytest.fixture
def world(
    request: pytest.FixtureRequest,
    sim: EmbeddedSimulator,
    sim_control: SimControl,
    tenant: str,
    wechat: Wechat,
    enrol: Callable[..., Payer],
) -> Iterator[World]:
    name, on = request.param
    if on:
        sim_control.set_defects(tenant, [name])
    with ExitStack() as stack:
        yield World(sim, sim_control, tenant, wechat, enrol, stack, on)


# 参考数据 ---------------------------------------------------------------------------------------------------------
def tier_extra_offered(w: World) -> None:
    payer = w.enrol()
    assert (250 in w.items(payer)["tiers"]) is w.on
    w.expect(w.quote(payer, tier=250), 422)


def tier_missing(w: World) -> None:
    payer = w.enrol()
    assert (2000 in w.items(payer)["tiers"]) is not w.on
    assert w.quote(payer, tier=2000).status_code == (422 if w.on else 200)


def tier_outside_accepted(w: World) -> None:
    w.expect(w.quote(w.enrol(), tier=350), 422)


# 缴费规则 ---------------------------------------------------------------------------------------------------------
def special_amount_wrong(w: World) -> None:
    dues = w.items(w.enrol(special_status="低保对象"))["system_dues"]
    assert [d["amount"] for d in dues] == (["150.00"] if w.on else ["100.00"])


def government_share_wrong(w: World) -> None:
    payer = w.enrol(special_status="特困人员")
    w.pay_special(payer)
    assert [(r["amount"], r["government"]) for r in w.records(payer)] == [("50.00", "250.00" if w.on else "150.00")]


def special_age_limit(w: World) -> None:
    assert bool(w.items(w.enrol(special_status="低保对象", age=60))["system_dues"]) is w.on


def age_upper_off_by_one(w: World) -> None:
    w.expect(w.quote(w.enrol(age=60)), 409)


def age_lower_off_by_one(w: World) -> None:
    w.expect(w.quote(w.enrol(age=15)), 409)


def arrears_not_first(w: World) -> None:
    w.expect(w.quote(w.enrol(arrears_years=(2023,))), 409)


def arrears_recorded_as_normal(w: World) -> None:
    payer = w.enrol(arrears_years=(2023,))
    w.pay_special(payer)
    assert [(r["year"], r["kind"]) for r in w.records(payer)] == [(2023, "正常应缴" if w.on else "补缴")]


def current_year_twice(w: World) -> None:
    payer = w.enrol()
    assert w.pay(payer)["status"] == "PAID"
    again = w.wechat.order(payer, tier=500)
    w.expect(again, 409)
    if w.on:  # the channel took it: the provider charges, and the merchant gives the charge back
        order_no = again.json()["order_no"]
        w.wechat.confirm_at_cashier(w.wechat.pay(order_no).json()["cashier_url"])
        assert w.wechat.status(order_no)["status"] == "CLOSED"
    assert [r["amount"] for r in w.records(payer)] == ["300.00"]
    assert w.ledger()["ok"], w.ledger()["verdict"]


# 为他人缴费 -------------------------------------------------------------------------------------------------------
def _verifying(w: World) -> tuple[AppUser, Payer]:
    family, payer = w.enrol(), w.enrol()
    return w.app().sign_in(family), payer


def others_phone_unchecked(w: World) -> None:
    app, payer = _verifying(w)
    w.expect(app.call("POST", "/others", app.other(payer, phone=w.enrol().phone)), 422)


def others_name_unchecked(w: World) -> None:
    app, payer = _verifying(w)
    w.expect(app.call("POST", "/others", app.other(payer, name="欧阳" + payer.name)), 404, 422)


def others_captcha_unchecked(w: World) -> None:
    app, payer = _verifying(w)
    form = app.other(payer)
    wrong = "".join("B" if c == "A" else "A" for c in form["captcha"])
    w.expect(app.call("POST", "/others", {**form, "captcha": wrong}), 422)


def others_captcha_reusable(w: World) -> None:
    app, payer = _verifying(w)
    form = app.other(payer)
    assert app.call("POST", "/others", {**form, "phone": w.enrol().phone}).status_code == 422
    w.expect(app.call("POST", "/others", form), 422)


def alipay_other_name_unchecked(w: World) -> None:
    family, payer = w.enrol(), w.enrol()
    phone = w.alipay(family)
    w.expect(phone.call("POST", "/payer/items", {**phone.named(payer), "name": "欧阳" + payer.name}), 404)


# 账户 -------------------------------------------------------------------------------------------------------------
def sms_code_reusable(w: World) -> None:
    app, payer = w.app(), w.enrol()
    assert app.register(payer).status_code == 201
    again = app.register(payer, sms_code=app.code_of(payer.phone))
    assert again.status_code == (409 if w.on else 422), again.text  # on: past the code, stopped by the account
    assert (again.json()["error"]["field"] == label("sms_code")) is not w.on


def sms_code_never_expires(w: World) -> None:
    app, payer = w.app(), w.enrol()
    code = app.send_code(payer.phone)
    w.control.advance(w.tenant, 6 * 60)
    w.expect(app.register(payer, sms_code=code), 422)


def sms_attempts_unlimited(w: World) -> None:
    app, payer = w.app(), w.enrol()
    code = app.send_code(payer.phone)
    for _ in range(5):
        assert app.register(payer, sms_code=f"{(int(code) + 1) % 10**6:06d}").status_code == 422
    w.expect(app.register(payer, sms_code=code), 422)


def sms_code_any_phone(w: World) -> None:
    app, payer = w.app(), w.enrol()
    code = app.send_code(w.enrol().phone)
    w.expect(app.register(payer, sms_code=code), 422)


def _wrong_passwords(w: World, times: int) -> tuple[AppUser, Payer, list[httpx.Response]]:
    app, payer = w.app(), w.enrol()
    app.sign_in(payer)
    tries = [app.call("POST", "/sessions", {"phone": payer.phone, "password": "Wrong1234"}) for _ in range(times)]
    return app, payer, tries


def _right_password(app: AppUser, payer: Payer) -> httpx.Response:
    return app.call("POST", "/sessions", {"phone": payer.phone, "password": "Abc12345"})


def password_lock_late(w: World) -> None:
    app, payer, tries = _wrong_passwords(w, 5)
    assert ("已锁定" in tries[-1].json()["error"]["message"]) is not w.on
    w.expect(_right_password(app, payer), 409)


def password_lock_ignored(w: World) -> None:
    app, payer, _tries = _wrong_passwords(w, 6)
    w.expect(_right_password(app, payer), 409)


def password_lock_short(w: World) -> None:
    app, payer, _tries = _wrong_passwords(w, 5)
    w.control.advance(w.tenant, 4 * 60)
    w.expect(_right_password(app, payer), 409)


# 缴费记录与回执 ---------------------------------------------------------------------------------------------------
def record_year_shifted(w: World) -> None:
    payer = w.enrol(arrears_years=(2023,))
    w.pay_special(payer)
    assert [r["year"] for r in w.records(payer)] == ([2024] if w.on else [2023])
    assert [r["year"] for r in w.ledger()["records"]] == [2023]  # the ledger keeps the truth


def record_amount_wrong(w: World) -> None:
    payer = w.enrol()
    w.pay(payer)
    assert [r["amount"] for r in w.records(payer)] == (["330.00"] if w.on else ["300.00"])


def _receipt(w: World) -> tuple[Payer, str]:
    app, payer = w.app(), w.enrol(county_code="330203")
    app.sign_in(payer)
    paid = app.pay_through(payer)
    assert paid["status"] == "PAID", paid
    receipt = app.http.get(f"/taxapp/api/orders/{paid['order_no']}/receipt", headers={"X-App-Token": app.token})
    assert receipt.status_code == 200, receipt.text
    return payer, pdf_text(receipt.content)


def receipt_authority_wrong(w: World) -> None:
    _payer, text = _receipt(w)
    assert ("国家税务总局宁波市海曙区税务局" in text) is not w.on
    assert ("国家税务总局宁波市税务局" in text) is w.on


def receipt_id_unmasked(w: World) -> None:
    payer, text = _receipt(w)
    assert (payer.id_number in text) is w.on
    assert (mask(payer.id_number) in text) is not w.on


def record_not_unique(w: World) -> None:
    payer = w.enrol()
    first, second = (w.wechat.order(payer).json()["order_no"] for _ in range(2))
    for order_no in (first, second):
        cashier = w.wechat.pay(order_no)
        if cashier.status_code == 200:
            w.wechat.confirm_at_cashier(cashier.json()["cashier_url"])
            w.wechat.status(order_no)
    assert [r["year"] for r in w.records(payer)] == ([2024, 2024] if w.on else [2024])
    assert w.ledger()["ok"], w.ledger()["verdict"]  # the second charge was given back


# 支付通知 ---------------------------------------------------------------------------------------------------------
def notify_twice_applied(w: World) -> None:
    payer = w.enrol()
    w.control.plan_faults(w.tenant, [{"kind": "notify_twice", "gateway": "wechatpay"}])
    assert w.pay(payer)["status"] == "PAID"
    w.delivered()
    assert (len(w.records(payer)) > 1) is w.on
    assert [r["year"] for r in w.ledger()["records"]] == [2024]


def decline_recorded(w: World) -> None:
    payer = w.enrol()
    w.control.plan_faults(w.tenant, [{"kind": "decline"}])
    assert w.pay(payer)["status"] == ("PAID" if w.on else "FAILED")
    assert len(w.records(payer)) == (1 if w.on else 0)
    assert w.ledger()["ok"] is not w.on  # a record with no charge: the ledger says so


def notify_forged_accepted(w: World) -> None:
    payer = w.enrol()
    w.control.plan_faults(w.tenant, [{"kind": "notify_forged"}, {"kind": "decline"}])
    assert w.pay(payer)["status"] == ("PAID" if w.on else "FAILED")
    refused = [e for e in w.control.journal(w.tenant) if e["path"] == "/wechat/api/notify/wechatpay"]
    assert [e["status"] for e in refused] == [204 if w.on else 401], refused  # WeChat Pay's 204: received
    assert ("签名验证失败" in refused[0]["response"]) is not w.on
    assert w.ledger()["ok"] is not w.on


# 批量扣款 ---------------------------------------------------------------------------------------------------------
def _batch_payer(w: World, *, agreement: bool = True) -> tuple[Payer, AlipayUser]:
    payer = w.enrol()
    if agreement:
        w.control.sign_agreement(w.tenant, payer.id_number, balance="1000")
    return payer, w.alipay(payer)


def batch_second_run(w: World) -> None:
    payer, phone = _batch_payer(w)
    assert phone.enrol(500).status_code == 201
    assert [e["status"] for e in w.control.run_batch_deductions(w.tenant)] == ["已扣款"]
    assert len(w.control.run_batch_deductions(w.tenant)) == (1 if w.on else 0)
    assert len([c for c in w.ledger()["charges"] if c["paid"]]) == (2 if w.on else 1)
    balance = next(a["balance"] for a in w.control.agreements(w.tenant) if a["id_number"] == payer.id_number)
    assert balance == ("0.00" if w.on else "500.00")
    assert w.ledger()["ok"] is not w.on


def batch_tier_appended(w: World) -> None:
    _payer, phone = _batch_payer(w)
    assert phone.enrol(300).status_code == 201 and phone.enrol(800).status_code == 201
    assert [e["tier"] for e in w.control.batch_deductions(w.tenant)] == ([300, 800] if w.on else [800])


def batch_without_agreement(w: World) -> None:
    _payer, phone = _batch_payer(w, agreement=False)
    w.expect(phone.enrol(500), 409)


# 页面 -------------------------------------------------------------------------------------------------------------
def _page(http: httpx.Client, path: str, **headers: str) -> str:
    page = http.get(path, headers=headers)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"], page.text[:300]
    return page.text


def _relabelled(w: World, html: str, label_: str, changed: str) -> None:
    assert (changed in html) is w.on and (f"{label_}" in html) is not w.on


def wechat_label_changed(w: World) -> None:
    _relabelled(w, _page(w.wechat.http, "/wechat/sbjf"), "查记录", "查纪录")


def alipay_label_changed(w: World) -> None:
    phone = w.alipay(w.enrol())
    _relabelled(w, _page(phone.http, "/alipay/sbjf", **{"X-Alipay-Token": phone.token}), "我帮他人缴", "我帮她人缴")


def _signed_in(w: World, channel: str) -> AppUser:
    return w.app(channel).sign_in(w.enrol())


def taxapp_label_changed(w: World) -> None:
    app = _signed_in(w, "taxapp")
    _relabelled(w, _page(app.http, "/taxapp/sbjf", **{"X-App-Token": app.token}), "打印缴费回执单", "打印缴款回执单")


def etax_label_changed(w: World) -> None:
    with connect(w.sim.url, w.tenant) as http:
        _relabelled(w, _page(http, "/etax/login"), "社保缴费", "社保交费")


def zheliban_label_changed(w: World) -> None:
    app = _signed_in(w, "zheliban")
    app.ok("POST", "/district", {"district": "海曙区"})
    _relabelled(
        w,
        _page(app.http, "/zheliban/sbf", **{"X-App-Token": app.token}),
        "城乡居民社会保险费申报缴费",
        "城乡居民社会保险费申报交费",
    )


def alipay_step_merged(w: World) -> None:
    payer = w.enrol()
    phone = w.alipay(payer)
    order = phone.order(phone.own())
    assert order.status_code == 201, order.text
    cashier = phone.call("POST", f"/orders/{order.json()['order_no']}/pay", {"gateway": "alipay"}).json()["cashier_url"]
    html = _page(phone.http, cashier)
    assert ('type="button" hidden>确认付款</button>' in html) is w.on
    assert ('document.getElementById("pay").click();' in html) is w.on


def taxapp_step_merged(w: World) -> None:
    app = _signed_in(w, "taxapp")
    html = _page(app.http, "/taxapp/sbjf/cxyl", **{"X-App-Token": app.token})
    assert ('<button id="tier-ok" class="btn" type="button" hidden>' in html) is w.on


CHECKS: dict[str, Callable[[World], None]] = {name: globals()[name] for name in defects.CATALOGUE}


def test_every_defect_has_a_check() -> None:
    assert set(CHECKS) == set(defects.CATALOGUE)


@pytest.mark.parametrize(
    "world",
    [(name, on) for name in defects.CATALOGUE for on in (False, True)],
    ids=[f"{name}-{'on' if on else 'off'}" for name in defects.CATALOGUE for on in (False, True)],
    indirect=True,
)
def test_a_defect_changes_the_channel_only_when_on(world: World, request: pytest.FixtureRequest) -> None:
    name = request.node.callspec.id.rsplit("-", 1)[0]
    CHECKS[name](world)


def test_no_defect_function_runs_when_none_is_on(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    """With nothing switched on a seam hands its value straight back: the same answers, and no defect function runs."""
    ran: list[str] = []
    saved = {seam: list(found) for seam, found in defects._AT.items()}
    try:
        for found in defects._AT.values():
            found[:] = [_spy(d, ran) for d in found]
        payer = enrol(arrears_years=(2023,))
        assert wechat.call("POST", "/payer/items", _named(payer)).status_code == 200
        assert wechat.pay_through(payer, pay_type="特殊缴费", year=None, tier=None)["status"] == "PAID"
        assert wechat.http.get("/wechat/sbjf").status_code == 200
    finally:
        for seam, found in saved.items():
            defects._AT[seam][:] = found
    assert ran == []


def _spy(found: defects.Defect, ran: list[str]) -> defects.Defect:
    def change(value: Any, **context: Any) -> Any:
        ran.append(found.name)
        return found.change(value, **context)

    return defects.Defect(found.name, found.area, found.rule, found.description, found.surface, found.seam, change)
