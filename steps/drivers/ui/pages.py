"""What the page objects of the simulated channels share: the page and its site, the one message line,
buttons, links and sections found by their names, tables read as lines or records, and waiting for a section
or the reason it did not come. Lean: locators and reads, no assertions."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page

from steps.drivers.protocol import Line, Record


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

    def __repr__(self) -> str:  # a step parameter in the report: the page it is on
        return f"{type(self).__name__}({urlsplit(self.page.url).path})"

    def section(self, name: str) -> Locator:
        return self.page.get_by_role("region", name=name)

    def button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=name, exact=True)

    def link(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True)

    def message_shown(self) -> Locator:
        """The channel's message line, while it says something."""
        return self.page.locator(f"body.{self.SITE} #message:visible" if self.SITE else "#message:visible")

    def said(self) -> str:
        return self.message.inner_text().strip() if self.message.is_visible() else ""

    def wait_for(self, target: str | Locator) -> str:
        """Wait until ``target`` (a section by its name, or any locator) shows or the page says why not; returns the
        message ('' when it showed)."""
        if isinstance(target, str):
            shown, target = self.page.locator(f"section[aria-label='{target}']:visible"), self.section(target)
        else:
            shown = target
        shown.or_(self.message_shown()).first.wait_for()
        return "" if target.first.is_visible() else self.said()

    def table_lines(self, table: str, within: Locator | None = None) -> tuple[Line, ...]:
        """A table whose rows start with 年度, 类型, 金额."""
        rows = (within or self.page).get_by_role("table", name=table).locator("tbody tr")
        return tuple(Line(int(c[0]), c[1], c[2]) for c in (r.locator("td").all_inner_texts() for r in rows.all()))

    def table_records(self, table: str) -> tuple[Record, ...]:
        """A records table: 年度, 类型, 金额, 缴费时间, 电子税票号码."""
        rows = self.page.get_by_role("table", name=table).locator("tbody tr")
        cells = (r.locator("td").all_inner_texts() for r in rows.all())
        return tuple(Record(int(c[0]), c[1], c[2], c[4]) for c in cells)
