"""Nothing that identifies a person leaves the simulator unmasked: the journal keeps ID and phone numbers, openids,
Alipay user ids, account and agreement numbers masked; the landing page shows masked numbers with a copy button;
the channel pages show ID and phone numbers only through sim.maskId and sim.maskPhone."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from stdnum.cn import ric

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from fixtures.waiting import poll
from simulators.core.masking import (
    mask_account,
    mask_body,
    mask_form,
    mask_id,
    mask_json,
    mask_openid,
    mask_phone,
    mask_target,
    mask_text,
)
from simulators.journal import LIMIT
from steps.drivers.api.client import connect
from tests.alipay_user import AlipayUser
from tests.app_user import AppUser, app_user

if TYPE_CHECKING:
    from tests.conftest import Wechat

STATIC = Path(__file__).parents[1] / "simulators" / "static"
TOKEN18 = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
ID = "330203199001011236"  # valid: 海曙区, 1990-01-01
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def _valid_ids(text: str) -> list[str]:
    return [token for token in TOKEN18.findall(text) if ric.is_valid(token)]


def _shown_id(number: str) -> str:
    return f"{number[:6]}{'*' * 8}{number[-4:]}"


def _shown_phone(number: str) -> str:
    return f"{number[:3]}****{number[-4:]}"


# the mask functions -------------------------------------------------------------------------------------------
def test_each_kind_of_number_is_masked_as_real_channels_show_it() -> None:
    assert ric.is_valid(ID)
    assert mask_id(ID) == "330203********1236"
    assert mask_id("11010519491231002x") == "110105********002x"
    assert mask_id("330203900101123") == "330203******123"  # the old 15 digits: the birth date hidden too
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "+86138****5678"
    assert mask_openid(OPENID) == "oUpF***"
    assert mask_openid("2088123456789012") == "2088***"
    assert mask_account("6222021234567890123") == "***************0123"
    assert mask_account("332024030112345678") == "**************5678"
    assert mask_account("123") == "***" and mask_openid("oAb") == "***"


def test_free_text_is_masked_wherever_a_number_stands_and_other_numbers_are_left_alone() -> None:
    text = f"证件号码{ID}已注册,手机号码13812345678,用户2088123456789012,openid {OPENID}"
    assert mask_text(text) == "证件号码330203********1236已注册,手机号码138****5678,用户2088***,openid oUpF***"
    kept = (
        "NB20240301090005155123 金额300.00元 时间2024-03-01 09:00:00 票号3243312345678901234 "
        "wx0123456789abcdef0123456789ab 2024030122001123456789012345 CCB2024030109000012345678"
    )
    assert mask_text(kept) == kept


def test_json_is_masked_by_field_name_and_by_shape_and_stays_the_same_json() -> None:
    body = {
        "id_number": ID,
        "phone": "13812345678",
        "payer": {"openid": OPENID},
        "buyer_user_id": "2088123456789012",
        "agreement_no": "332024030112345678",
        "account": "6222 **** **** 0123",
        "taxpayer_id": "3302031990",
        "message": f"证件号码{ID}已注册",
        "mobile": 13812345678,
        "amount_fen": 30000,
        "order_no": "NB2024",
    }
    for ascii_only in (False, True):
        masked = json.loads(mask_json(json.dumps(body, ensure_ascii=ascii_only)))
        assert masked == {
            **body,
            "id_number": "330203********1236",
            "phone": "138****5678",
            "payer": {"openid": "oUpF***"},
            "buyer_user_id": "2088***",
            "agreement_no": "**************5678",
            "taxpayer_id": "**********",
            "message": "证件号码330203********1236已注册",
            "mobile": "138****5678",
        }
    untouched = '{"a": 1, "b": [true, null, "x"], "c": "NB20240301090005155123"}'
    assert mask_json(untouched) == untouched


def test_a_body_cut_short_keeps_nothing_whole_at_its_end() -> None:
    cut = json.dumps({"order_no": "NB1", "payer": {"openid": OPENID}})[:-8]
    assert OPENID[:10] not in mask_body(cut, cut=True) and '"openid": "oUpF***' in mask_body(cut, cut=True)
    assert mask_body('{"x": "张三 3302031990', cut=True) == '{"x": "张三 330*******'
    assert mask_body('{"x": "NB2024030109', cut=True) == '{"x": "NB2024030109'  # no digits standing alone


def test_forms_and_query_strings_stay_forms_with_their_values_masked() -> None:
    biz = json.dumps({"out_trade_no": "NB1", "buyer_id": "2088123456789012"})
    form = str(
        httpx.QueryParams({"app_id": "2021", "biz_content": biz, "buyer_id": "2088123456789012", "sign": "abc+/="})
    )
    shown = parse_qs(mask_body(form))
    assert shown["buyer_id"] == ["2088***"] and shown["sign"] == ["abc+/="]
    assert parse_qs(mask_form("seller_id=2088102146225135&buyer_id=2088123456789012")) == {
        "seller_id": ["2088102146225135"],
        "buyer_id": ["2088***"],
    }  # the merchant's own id is no person's
    assert json.loads(shown["biz_content"][0]) == {"out_trade_no": "NB1", "buyer_id": "2088***"}
    assert mask_form("mchid=1900&x=NB1") == "mchid=1900&x=NB1"  # nothing to mask: exactly as it came
    assert (
        mask_target(f"/x/{ID}", "phone=13812345678&sim_tenant=t-1")
        == "/x/330203********1236?phone=138****5678&sim_tenant=t-1"
    )


# the journal after real requests ------------------------------------------------------------------------------
@pytest.fixture
def alipay_phone(sim: EmbeddedSimulator, tenant: str) -> Iterator[AlipayUser]:
    with connect(sim.url, tenant) as http:
        yield AlipayUser(sim, tenant, http)


@pytest.fixture
def app(sim: EmbeddedSimulator, sim_control: SimControl, tenant: str) -> Iterator[AppUser]:
    with app_user(sim, sim_control, tenant, AppUser) as person:
        yield person


def test_the_journal_keeps_every_identifying_number_masked(
    sim_control: SimControl,
    tenant: str,
    wechat: Wechat,
    alipay_phone: AlipayUser,
    app: AppUser,
    enrol: Callable[..., Payer],
) -> None:
    by_wechat, by_alipay, by_app, other = enrol(), enrol(), enrol(), enrol()
    assert wechat.pay_through(by_wechat)["status"] == "PAID"

    agreement = sim_control.sign_agreement(tenant, by_alipay.id_number, balance="1000")
    alipay_phone.log_in(by_alipay)
    assert alipay_phone.call("GET", "/batch").json()["agreement"]["agreement_no"] == agreement["agreement_no"]
    order = alipay_phone.order(alipay_phone.own())
    assert order.status_code == 201, order.text
    cashier = alipay_phone.call("POST", f"/orders/{order.json()['order_no']}/pay", {"gateway": "alipay"})
    assert alipay_phone.http.post(cashier.json()["cashier_url"].split("?")[0] + "/pay", json={}).is_success

    app.sign_in(by_app)
    assert app.call("POST", "/others", app.other(other)).status_code == 200
    app_agreement = sim_control.sign_agreement(tenant, by_app.id_number, balance="1000")
    app.ok("POST", f"/orders/{app.order_no(by_app)}/pay", {"gateway": "agreement"})
    app.http.get("/taxapp/api/me", params={"id_number": other.id_number, "phone": other.phone})

    notified = ("/wechat/api/notify/wechatpay", "/alipay/api/notify/alipay")
    # A request's entry is written just after its answer is sent: wait for the last request's too.
    entries = poll(
        lambda: sim_control.journal(tenant),
        lambda got: (
            all(any(e["path"] == path for e in got) for path in notified)
            and any(e["path"].startswith("/taxapp/api/me?") for e in got)
        ),
    )
    text = "\n".join(f"{e['path']}\n{e['request']}\n{e['response']}" for e in entries)

    assert _valid_ids(text) == []
    assert MOBILE.findall(text) == []
    for payer in (by_wechat, by_alipay, by_app, other):
        assert payer.id_number not in text and payer.phone not in text
    for payer in (by_wechat, by_alipay, by_app, other):
        assert _shown_id(payer.id_number) in text
    for payer in (by_alipay, by_app, other):
        assert _shown_phone(payer.phone) in text
    assert alipay_phone.me is not None
    for identifier in (
        wechat.openid,
        alipay_phone.me["user_id"],
        agreement["agreement_no"],
        app_agreement["agreement_no"],
    ):
        assert identifier not in text
    assert f'"openid":"{wechat.openid[:4]}***"' in text.replace(" ", "")
    assert f'"user_id":"{alipay_phone.me["user_id"][:4]}***"' in text.replace(" ", "")
    assert f'"agreement_no":"{mask_account(agreement["agreement_no"])}"' in text.replace(" ", "")

    for entry in entries:  # what was JSON stays JSON; what was a form stays a form
        for body in (entry["request"], entry["response"]):
            if body[:1] in ("{", "[") and len(body.encode()) < LIMIT:
                json.loads(body)
    alipay_notice = next(e for e in entries if e["path"] == notified[1])
    assert parse_qs(alipay_notice["request"])["buyer_id"] == [alipay_phone.me["user_id"][:4] + "***"]
    asked = next(e for e in entries if urlsplit(e["path"]).path == "/taxapp/api/me" and "?" in e["path"])
    assert parse_qs(urlsplit(asked["path"]).query) == {
        "id_number": [mask_id(other.id_number)],
        "phone": [mask_phone(other.phone)],
    }


# the landing page ---------------------------------------------------------------------------------------------
class _Page(HTMLParser):
    """The text a person sees (and a screenshot holds), and every data-copy value."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.copies: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.copies += [value or "" for name, value in attrs if name == "data-copy"]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def test_the_landing_page_shows_demo_payers_masked_with_the_full_numbers_to_copy(sim: EmbeddedSimulator) -> None:
    with httpx.Client(base_url=sim.url, timeout=30, trust_env=False) as http:
        html = http.get("/").text
        payers: list[dict[str, Any]] = http.get("/__sim/tenants/demo/payers").json()["payers"]
    page = _Page()
    page.feed(html)
    visible = "".join(page.text)
    assert payers and _valid_ids(visible) == [] and MOBILE.findall(visible) == []
    for payer in payers:
        assert _shown_id(payer["id_number"]) in visible and _shown_phone(payer["phone"]) in visible
        assert payer["id_number"] in page.copies and payer["phone"] in page.copies
        assert payer["birth_date"] not in visible  # with it, the masked ID would be whole again
    assert visible.count("复制") >= 2 * len(payers)
    assert f'aria-label="复制{payers[0]["name"]}的证件号码"' in html


# the channel pages --------------------------------------------------------------------------------------------
def test_the_page_helpers_mask_ids_and_phones_and_keep_masked_ones() -> None:
    script = (
        "globalThis.document = { addEventListener() {} };\n"
        + (STATIC / "sim.js").read_text(encoding="utf-8")
        + "\nconsole.log(JSON.stringify([sim.maskId(process.argv[1]), sim.maskId('330203900101123'),"
        " sim.maskId('330203********1236'), sim.maskPhone('13812345678'), sim.maskPhone('138****5678'),"
        " sim.maskId(undefined)]));"
    )
    done = subprocess.run(["node", "-e", script, ID], capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(done.stdout) == [
        "330203********1236",
        "330203******123",
        "330203********1236",
        "138****5678",
        "138****5678",
        "",
    ]


SHOWN = re.compile(r"textContent|sim\.(?:text|kv|note|say)\(|\$\{")  # a line that puts text on the page
FIELD = re.compile(r"\.(?:id_number|masked_id|phone)\b")
MASKED = re.compile(r"sim\.mask(?:Id|Phone)\([^()]*\.(?:id_number|masked_id|phone)\b")


@pytest.mark.parametrize("script", sorted(p.name for p in STATIC.glob("*.js")))
def test_pages_show_id_and_phone_numbers_only_through_the_mask_helpers(script: str) -> None:
    unmasked = [
        f"{script}:{number}: {line.strip()}"
        for number, line in enumerate((STATIC / script).read_text(encoding="utf-8").splitlines(), 1)
        if SHOWN.search(line) and len(FIELD.findall(line)) > len(MASKED.findall(line))
    ]
    assert unmasked == []
