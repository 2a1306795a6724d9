"""The pages every channel that is an app of its own (宁波税务APP, 电子税务局, 浙里办) has, written once: the way in
(the app opened, 注册, 登录) and, where its 社保缴费 pages are, (城乡养老)缴费, the result of a payment, 已缴费查询 and
the receipts. Each channel's templates are named ``<channel>_<page>.html``; what differs is its page maker, its
section and a little context."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from simulators import web
from simulators.account_api import AppChannel

Page = Callable[..., Response]
"""A channel's page maker: (request, template, *, signed_in=True, **context) → the page, or a redirect to where a
person must go first."""
NONE: Mapping[str, object] = {}
# (城乡养老)缴费's row of the amount the system sets (arrears, special status), as apppages.js names it; ticking it is
# how a person of these apps asks for that amount (they have no 缴费类型 【特殊缴费】).
SYSTEM_ITEM = "城乡居民社会养老保险(系统核定)"
# What 电子税务局 and 浙里办 tell a person who picks a tier where the system sets the amount (the guide: 勾选对应条目后
# 直接点击【缴费】).
TICK_AND_PAY = f"请勾选【{SYSTEM_ITEM}】条目后直接点击【缴费】,缴费金额由系统自动生成,无需选择"
# What the three apps tell a person with arrears who picks a tier: the arrears are that same item, paid first.
ARREARS_FIRST = f"请先勾选【{SYSTEM_ITEM}】条目缴纳补缴的养老保险费,再缴纳当年度养老保险费"


def page(
    pages: Jinja2Templates,
    app: AppChannel,
    request: Request,
    template: str,
    /,
    *,
    signed_in: bool = True,
    **context: object,
) -> Response:
    """A page of the app; one behind the login (``signed_in``) sends a person to 登录, or to the choice of the
    business, first."""
    if signed_in:
        target = app.signed_in(request)
        if target:
            return RedirectResponse(target, status_code=303)
    return web.page(pages, request, template, channel=app.channel, **context)


def add_pages(
    router: APIRouter,
    app: AppChannel,
    show: Page,
    *,
    section: str,
    launch: bool = True,
    receipts: str = "打印缴费回执单",
    register: Mapping[str, object] = NONE,
    pension: Mapping[str, object] = NONE,
    behind: Mapping[str, object] = NONE,
) -> None:
    """Register on ``router`` the app's common pages, each made by ``show``: /<channel>/ (``launch``: 登录 or
    注册, a person still logged in going on to /<channel>/home), /<channel>/register and /<channel>/login, and in
    ``section`` /cxyl, /result, /records (已缴费查询) and /receipts (titled ``receipts``). ``register`` and
    ``pension`` are more context for those pages; ``behind`` for the section's pages a person reaches only on the
    way through it."""
    c = app.channel

    if launch:

        @router.get(f"/{c}/", response_class=HTMLResponse, include_in_schema=False)
        def opened(request: Request) -> Response:
            """The app opened: 登录 or 注册; a person still logged in goes straight to the home page."""
            if not app.signed_in(request):
                return RedirectResponse(f"/{c}/home", status_code=303)
            return show(request, f"{c}_launch.html", signed_in=False)

    @router.get(f"/{c}/register", response_class=HTMLResponse, include_in_schema=False)
    def register_page(request: Request) -> Response:
        """注册: phone with its SMS code, password twice and the real-name check."""
        return show(request, f"{c}_register.html", signed_in=False, **register)

    @router.get(f"/{c}/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request) -> Response:
        return show(request, f"{c}_login.html", signed_in=False)

    @router.get(f"{section}/cxyl", response_class=HTMLResponse, include_in_schema=False)
    def pension_page(request: Request) -> Response:
        """(城乡养老)缴费: 本人 or 他人, the insured items, the choice, the amount and the way to pay."""
        return show(request, f"{c}_cxyl.html", **behind, **pension)

    @router.get(f"{section}/result", response_class=HTMLResponse, include_in_schema=False)
    def result_page(request: Request) -> Response:
        return show(request, f"{c}_result.html")

    @router.get(f"{section}/records", response_class=HTMLResponse, include_in_schema=False)
    def records_page(request: Request) -> Response:
        """已缴费查询: the payments of 本人 and of the 他人 verified in this login."""
        return show(request, f"{c}_records.html", **behind, title="已缴费查询")

    @router.get(f"{section}/receipts", response_class=HTMLResponse, include_in_schema=False)
    def receipts_page(request: Request) -> Response:
        """The same payments, each with its receipt (PDF)."""
        return show(request, f"{c}_records.html", **behind, title=receipts)


__all__ = ["ARREARS_FIRST", "SYSTEM_ITEM", "TICK_AND_PAY", "Page", "add_pages", "page"]
