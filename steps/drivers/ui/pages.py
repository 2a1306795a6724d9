"""What the page objects of the simulated channels share: the page and its site, the one message line,
sections found by their names, tables read as lines or records, and waiting for a section or the reason
it did not come. Lean: locators and reads, no assertions."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from steps.drivers.protocol import Line, Record


class ChannelPage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page, self.base_url = page, base_url.rstrip("/")
        self.message = page.locator("#message")

    def section(self, name: str) -> Locator:
        return self.page.get_by_role("region", name=name)

    def wait_for(self, section: str) -> str:
        """Wait until the section shows or the page says why not; returns the message ('' when shown)."""
        self.page.locator(f"section[aria-label='{section}']:visible, #message:visible").first.wait_for()
        return "" if self.section(section).is_visible() else self.message.inner_text().strip()

    def table_lines(self, table: str) -> tuple[Line, ...]:
        """A table whose rows start with 年度, 类型, 金额."""
        rows = self.page.get_by_role("table", name=table).locator("tbody tr")
        return tuple(Line(int(c[0]), c[1], c[2]) for c in (r.locator("td").all_inner_texts() for r in rows.all()))

    def table_records(self, table: str) -> tuple[Record, ...]:
        """A records table: 年度, 类型, 金额, 缴费时间, 电子税票号码."""
        rows = self.page.get_by_role("table", name=table).locator("tbody tr")
        cells = (r.locator("td").all_inner_texts() for r in rows.all())
        return tuple(Record(int(c[0]), c[1], c[2], c[4]) for c in cells)
