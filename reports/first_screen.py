"""What the report's first screen says, written before Allure generates it:

    python -m reports.first_screen RESULTS_DIR REPORT_DIR

writes REPORT_DIR/first-screen.json, which `reports/allurerc.mjs` reads: the report's name ends with the run's
verdict, and its 变量 block (under the totals, above the tree) holds one line per channel — 通过/不通过 with its
counts — and the total. They come from `reports.summary`, the code that prints the verdicts in the terminal at the end
of `make report`, on the same results, so the two cannot differ.

    python -m reports.first_screen --keep-top REPORT_DIR/index.html

after Allure: when a test failed, the report scrolls its tree to the first failed test as it opens, which scrolls the
verdicts out of sight just when they matter. A short script added to the page brings it back to its top, until the
reader scrolls, clicks or types, or a link opened one test (``#…``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from reports.summary import conclusion, first_screen, short_name, summarize

__all__ = ["FILE_NAME", "KEEP_TOP", "keep_top", "main", "write"]

FILE_NAME = "first-screen.json"
KEEP_TOP = """<script id="keep-first-screen">
/* reports.first_screen: the first screen holds the verdicts. Allure reveals the first failed test in its tree as the
   report opens; until the reader acts (or for four seconds), keep the report at its top. */
(() => {
  if (location.hash) return;
  let acted = false;
  for (const kind of ["wheel", "keydown", "mousedown", "touchstart"]) {
    addEventListener(kind, () => { acted = true; }, { capture: true, once: true });
  }
  const until = Date.now() + 4000;
  const top = () => {
    if (acted || Date.now() > until) return;
    for (const box of document.querySelectorAll("[data-tree-scroll-container]")) if (box.scrollTop) box.scrollTop = 0;
    requestAnimationFrame(top);
  };
  requestAnimationFrame(top);
})();
</script>
"""


def write(results_dir: Path, report_dir: Path) -> dict[str, object]:
    summary = summarize(results_dir)
    content: dict[str, object] = {
        "verdict": conclusion(summary, short_name),
        "variables": first_screen(summary),
    }
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / FILE_NAME).write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    return content


def keep_top(index: Path) -> bool:
    """Add ``KEEP_TOP`` to the generated report's page (once); False when the page has no ``</body>``."""
    page = index.read_text(encoding="utf-8")
    if 'id="keep-first-screen"' in page:
        return True
    if "</body>" not in page:
        return False
    at = page.rindex("</body>")
    index.write_text(page[:at] + KEEP_TOP + page[at:], encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) == 2 and args[0] == "--keep-top":
        if keep_top(Path(args[1])):
            return 0
        print(f"报告页面 {args[1]} 没有 </body>：无法让它打开时停在首屏。", file=sys.stderr)
        return 1
    if len(args) != 2:
        print(
            "用法: python -m reports.first_screen 结果目录 报告目录（或 --keep-top 报告目录/index.html）",
            file=sys.stderr,
        )
        return 2
    results_dir, report_dir = Path(args[0]), Path(args[1])
    if not results_dir.is_dir():
        print(f"没有测试结果：目录 {results_dir} 不存在。先运行测试（make e2e）。", file=sys.stderr)
        return 1
    content = write(results_dir, report_dir)
    print(f"报告首屏的结论：{content['verdict']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
