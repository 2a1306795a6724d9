"""What the page objects of the simulated channels share: the page and its site, the one message line,
buttons, links and sections found by their names, tables read as lines or records, and waiting for a section
or the reason it did not come. Lean: locators and reads, no assertions; but a 【label】 of the guide that is not
on the page fails at once, naming the page and the label, rather than after a bare timeout."""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, Request
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from fixtures import patience
from steps.drivers.protocol import Line, Outcome, Record
from steps.expect import fail

LABEL_WAIT = patience.seconds(patience.LABEL)  # at most for a label to come, while the page is still busy
QUIET = patience.seconds(patience.QUIET)  # a page that loaded nothing this long brings no new label (redirects: 1.5 s)
LOOK_MS = 250  # how long each look for a label waits
RESULT = re.compile("缴费|确认中")  # what the title of a 缴费结果 says once the result shows


class Traffic:
    """What a page is loading: its requests in flight, when the last one started or ended, and the documents it
    was sent to, in order."""

    _of: weakref.WeakKeyDictionary[Page, Traffic] = weakref.WeakKeyDictionary()

    def __init__(self, page: Page) -> None:
        self.in_flight: set[Request] = set()
        self.last = time.monotonic()
        self.documents: list[str] = []
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    @classmethod
    def of(cls, page: Page) -> Traffic:
        if page not in cls._of:
            cls._of[page] = cls(page)
        return cls._of[page]

    def _started(self, request: Request) -> None:
        self.in_flight.add(request)
        self.last = time.monotonic()
        try:
            if request.is_navigation_request() and request.frame.parent_frame is None:
                self.documents.append(request.url)
        except PlaywrightError:  # a service worker's request has no frame
            pass

    def _ended(self, request: Request) -> None:
        self.in_flight.discard(request)
        self.last = time.monotonic()

    def quiet(self, since: float) -> bool:
        """Nothing loading, and nothing loaded for ``QUIET`` seconds, counting from ``since`` at the earliest."""
        return not self.in_flight and time.monotonic() - max(self.last, since) >= QUIET


class Described:
    """A UI driver as a step parameter in the report shows it: its channel, not its address in memory."""

    channel: str

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.channel})"


class ChannelPage:
    SITE = ""  # the class of the channel's own <body>, where a provider's pages have a #message of their own

    def __init__(self, page: Page, base_url: str) -> None:
        self.page, self.base_url = page, base_url.rstrip("/")
        self.message = page.locator("#message")
        self.traffic = Traffic.of(page)

    def __repr__(self) -> str:  # a step parameter in the report: the page it is on
        return f"{type(self).__name__}({self.path()})"

    def path(self) -> str:
        """Where the page is (/etax/login)."""
        return urlsplit(self.page.url).path

    def section(self, name: str) -> Locator:
        return self.page.get_by_role("region", name=name)

    # the verbs every channel's pages share --------------------------------------------------------------------
    def press(self, name: str, *, wait: bool = True, exact: bool = True, within: Locator | None = None) -> None:
        """Press the button named ``name`` (``wait``: for what the click starts, a navigation say)."""
        self.button(name, exact=exact, within=within).click(no_wait_after=not wait)

    def open_link(self, name: str) -> None:
        self.link(name).click()

    def open_tab(self, name: str) -> None:
        self.tab(name).click()

    def provider_page(self, name: str) -> Locator:
        """The page of a provider the channel sent the person to, by the name it shows (微信支付, 中国建设银行)."""
        return self.page.get_by_role("main", name=name)

    def result_title(self) -> Locator:
        """The title of the 缴费结果: 缴费成功, 缴费失败 …"""
        return self.section("缴费结果").get_by_role("status")

    def result_text(self) -> str:
        """What the title of the 缴费结果 says, once it shows (缴费成功, 缴费失败, 缴费确认中)."""
        title = self.result_title().filter(has_text=RESULT).first
        title.wait_for()
        return title.inner_text().strip()

    def result_terms(self) -> dict[str, str]:
        """What the 缴费结果 says of the payment, term by term (缴费人, 缴费年度, 金额, 订单号 …)."""
        terms = self.section("缴费结果").locator("dl")
        return dict(zip(terms.locator("dt").all_inner_texts(), terms.locator("dd").all_inner_texts(), strict=False))

    def result_outcome(self, order_no: str, quoted: Outcome) -> Outcome:
        """How the payment ended, as the 缴费结果 says: its title (缴费成功, 支付结果确认中, or 缴费未完成 and why) and
        the amount it shows ("" when it shows none: a paid result must say what was paid)."""
        text = self.result_text()
        status = "paid" if text == "缴费成功" else ("pending" if "确认中" in text else "failed")
        if status == "failed":
            text = f"{text}({self.result_reason()})"
        amount = self.result_terms().get("金额", "").strip().removesuffix("元")
        return Outcome(status, text, order_no, amount if status == "paid" else quoted.amount, quoted.lines)

    def result_details(self) -> str:
        """All the 缴费结果 says: the title, and the reason where there is one."""
        return self.section("缴费结果").inner_text().strip()

    def result_reason(self) -> str:
        return self.section("缴费结果").locator("dd").last.inner_text()

    def button(self, name: str, *, exact: bool = True, within: Locator | None = None) -> Locator:
        """The button named ``name``, once it is on the page (see ``labelled``)."""
        return self.labelled((within or self.page).get_by_role("button", name=name, exact=exact), name)

    def link(self, name: str, *, exact: bool = True, within: Locator | None = None) -> Locator:
        """The link named ``name``, once it is on the page (see ``labelled``)."""
        return self.labelled((within or self.page).get_by_role("link", name=name, exact=exact), name)

    def field(self, label: str, *, exact: bool = True, within: Locator | None = None) -> Locator:
        """The input, list or box labelled ``label`` (输入手机号码, 选择证件类型), once it is on the page (see
        ``labelled``)."""
        return self.labelled((within or self.page).get_by_label(label, exact=exact), label)

    def tab(self, name: str, *, within: Locator | None = None) -> Locator:
        """The tab named ``name`` (【自然人业务】, 短信验证), once it is on the page (see ``labelled``)."""
        return self.labelled((within or self.page).get_by_role("tab", name=name, exact=True), name)

    def labelled(self, control: Locator, label: str, *, on: str = "") -> Locator:
        """``control``, once it is on the page; when it is not there by the time the page has gone quiet (nothing
        loading for ``QUIET`` seconds), or after ``LABEL_WAIT`` at most, the step fails saying which 【label】 the
        guide expects on which page (``on``: the page as named when the person looked, for a page that may have
        gone on without them). A label already there costs one look."""
        if not self._came(control):
            fail(f"页面“{on or self.name()}”上应有指南中的【{label}】,没有找到")
        return control

    def name(self) -> str:
        """The page as a person names it: its title, and where it is."""
        try:
            title = self.page.title().strip()
        except PlaywrightError:  # a page closing or navigating has no title to give
            title = ""
        path = urlsplit(self.page.url).path
        return f"{title}({path})" if title else path

    def _came(self, target: Locator, past: Callable[[], bool] = lambda: False) -> bool:
        """Whether ``target`` shows (or comes) on the page before the page goes quiet without it, bounded; or
        whether ``past`` says it came and the page has gone on."""
        start = time.monotonic()
        while not past():
            try:
                target.first.wait_for(timeout=LOOK_MS)
                return True
            except PlaywrightTimeoutError:
                if time.monotonic() - start >= LABEL_WAIT or (self.traffic.quiet(start) and self._idle()):
                    return target.first.is_visible() or past()  # one last look, after all the page was given ran
        return True

    def _idle(self) -> bool:
        """Whether the page has run what it was given (a round trip through its event loop, however busy the
        machine) and shows itself (a simulated page stays hidden, html.loading, until its scripts ran)."""
        try:
            return bool(
                self.page.evaluate(
                    "() => new Promise((ran) => setTimeout(() => "
                    "ran(!document.documentElement.classList.contains('loading')), 0))"
                )
            )
        except PlaywrightError:  # between two documents
            return False

    def message_shown(self) -> Locator:
        """The channel's message line, while it says something."""
        return self.page.locator(f"body.{self.SITE} #message:visible" if self.SITE else "#message:visible")

    def messages(self) -> Locator:
        """Where the channel's pages say what they refuse: its message line."""
        return self.page.locator(f"body.{self.SITE} #message" if self.SITE else "#message")

    def message_saying(self, text: str) -> Locator:
        """The channel's message line, once it says ``text``."""
        return self.messages().filter(has_text=text)

    def said(self) -> str:
        return self.message.inner_text().strip() if self.message.is_visible() else ""

    def wait_for_message(self, text: str, *, without: str = "") -> str:
        """Wait until the channel's message line says ``text`` (and not ``without``), or until the page has gone
        quiet without it; returns what the page says then ('' when it says nothing)."""
        saying = self.message_saying(text)
        if without:
            saying = saying.filter(has_not_text=without)
        if self._came(saying):
            return saying.first.inner_text().strip()
        return " ".join(t.strip() for t in self.messages().filter(visible=True).all_inner_texts())

    def wait_for(self, target: str | Locator, *, past: Callable[[], bool] = lambda: False) -> str:
        """Wait until ``target`` (a section by its name, or any locator) shows or the page says why not; returns the
        message ('' when it showed, or when ``past`` says the page has been there and gone on)."""
        if isinstance(target, str):
            what = f"【{target}】"
            shown, target = self.page.locator(f"section[aria-label='{target}']:visible"), self.section(target)
        else:
            found = re.search(r"selector='(.*)'>$", repr(target))
            what, shown = f"要找的内容({found.group(1) if found else target})", target
        if not self._came(shown.or_(self.message_shown()), past):
            fail(f"页面“{self.name()}”上应出现{what}或说明原因的提示,都没有出现")
        return "" if past() or target.first.is_visible() else self.said()

    def table_lines(self, table: str, within: Locator | None = None) -> tuple[Line, ...]:
        """A table whose rows start with 年度, 类型, 金额."""
        rows = (within or self.page).get_by_role("table", name=table).locator("tbody tr")
        return tuple(Line(int(c[0]), c[1], c[2]) for c in (r.locator("td").all_inner_texts() for r in rows.all()))

    def table_records(self, table: str) -> tuple[Record, ...]:
        """A records table: 年度, 类型, 金额, 缴费时间, 电子税票号码."""
        rows = self.page.get_by_role("table", name=table).locator("tbody tr")
        cells = (r.locator("td").all_inner_texts() for r in rows.all())
        return tuple(Record(int(c[0]), c[1], c[2], c[4], paid_at=c[3] or None) for c in cells)


def tiers_of(labels: tuple[str, ...] | list[str]) -> tuple[int, ...]:
    """Tiers as a page lists them (100元) in yuan."""
    return tuple(int(label.strip().removesuffix("元")) for label in labels)


def tier_not_offered(offered: tuple[int, ...], year: int, tier: int) -> str:
    """What a person at a page finds when its tier list lacks ``tier``: the page lets no one choose it, which is how
    a page refuses a tier outside the year's table (worded as the back end's rule); '' when the page offers it."""
    if tier in offered:
        return ""
    return f"页面上没有{tier}元可选:缴费档次{tier}元不在{year}年度档次表中(可选:{'、'.join(str(t) for t in offered)}元)"
