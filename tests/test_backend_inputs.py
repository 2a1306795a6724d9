"""Bad input to the WeChat back end: a 4xx, a Chinese message naming the field and the rule, nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.payers import Payer
from steps.language import wrong_check_char
from tests.conftest import Wechat


def _body(payer: Payer, **changes: Any) -> dict[str, Any]:
    body = {
        "name": payer.name,
        "id_type": "居民身份证",
        "id_number": payer.id_number,
        "insurance": "pension",
        "pay_type": "选档缴费",
        "year": 2024,
        "tier": 300,
        "idempotency_key": "k" * 16,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


CASES = [
    ("wrong check character", lambda p: {"id_number": wrong_check_char(p.id_number)}, 422, "证件号码", "校验位错误"),
    ("unknown person", lambda p: {"name": p.name + "某"}, 404, "证件号码", "未查询到该缴费人的有效参保信息"),
    ("tier not in the table", lambda p: {"tier": 350}, 422, "缴费档次", "缴费档次350元不在2024年度档次表中"),
    ("tampered amount", lambda p: {"expected_amount": "1.00"}, 422, "缴费金额", "与系统核定的应缴金额(300.00元)不一致"),
    ("year outside the season", lambda p: {"year": 2023}, 422, "缴费年度", "缴费年度应为当前缴费期的年度(2024年)"),
    ("missing name", lambda p: {"name": ...}, 422, "姓名", "姓名为必填项"),
    ("2,000-character name", lambda p: {"name": "张" * 2000}, 422, "姓名", "姓名不能超过50个字符"),
    ("unknown pay type", lambda p: {"pay_type": "随便缴"}, 422, "缴费类型", "缴费类型应为【选档缴费】或【特殊缴费】"),
    ("unknown ID type", lambda p: {"id_type": "护照"}, 422, "证件类型", "证件类型应为"),
    ("short submission key", lambda p: {"idempotency_key": "k"}, 422, "提交编号", "提交编号至少8个字符"),
    ("a client-chosen amount", lambda p: {"amount": "0.01"}, 422, "缴费金额", "不接受字段缴费金额"),
    ("text for the year", lambda p: {"year": "二〇二四"}, 422, "缴费年度", "缴费年度应为整数"),
]


@pytest.mark.parametrize(("case", "change", "status", "field", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_order_is_refused_and_writes_nothing(wechat: Wechat, enrol, case, change, status, field, message) -> None:
    payer = enrol()
    before = wechat.rows()
    response = wechat.call("POST", "/orders", _body(payer, **change(payer)))
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert message in error["message"]
    assert wechat.rows() == before


def test_lookup_without_authorization_is_401(wechat: Wechat, enrol) -> None:
    payer = enrol()
    wechat.token = ""
    wechat.http.cookies.clear()
    response = wechat.call(
        "POST", "/payer/items", _body(payer, pay_type=..., year=..., tier=..., insurance=..., idempotency_key=...)
    )
    assert response.status_code == 401
    assert "同意授权" in response.json()["error"]["message"]


def test_unknown_tenant_is_404(wechat: Wechat, enrol) -> None:
    payer = enrol()
    response = wechat.call("POST", "/orders", _body(payer), headers={"X-Sim-Tenant": "no-such"})
    assert response.status_code == 404
    assert "测试租户“no-such”不存在" in response.json()["error"]["message"]


def test_unknown_gateway_is_refused_and_the_order_stays_payable(wechat: Wechat, enrol) -> None:
    payer = enrol()
    order_no = wechat.order(payer).json()["order_no"]
    response = wechat.call("POST", f"/orders/{order_no}/pay", {"gateway": "bitcoin"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "缴费渠道"
    assert wechat.status(order_no)["status"] == "CREATED"
    assert wechat.pay_through(payer, idempotency_key="again-" + "k" * 10)["status"] == "PAID"


def test_records_of_an_unknown_person_are_404_not_empty(wechat: Wechat, fake) -> None:
    stranger = fake.ningbo_payer()
    response = wechat.call(
        "POST", "/records/query", {"name": stranger.name, "id_type": "居民身份证", "id_number": stranger.id_number}
    )
    assert response.status_code == 404
