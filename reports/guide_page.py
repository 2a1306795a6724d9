"""The report's guide-step × channel pages, written beside its index.html before Allure generates it.

    python -m reports.guide_page RESULTS_DIR REPORT_DIR [--guide GUIDE_TXT]

writes three files into REPORT_DIR, which `reports/allurerc.mjs` makes global attachments of the report
(its start page, tab 全局附件):

- 指南步骤矩阵.csv: step number × channel, each cell the verdict of the scenarios walking it; the report
  shows it as a table, also when opened from disk;
- 指南步骤明细.csv: one row per step of each channel, with the guide's words and the scenarios;
- guide-matrix.html: the same as one page (static HTML, no script); each step's row has the id
  ``guide_anchor(channel, number)``. A served report previews it in full; from disk the report's attachment
  frame is small, so open the file itself (it sits beside index.html).
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reports.guide_coverage import GUIDE_SECTIONS, GUIDE_STEPS, guide_anchor
from reports.guide_matrix import GUIDE_FILE, Matrix, build_matrix, guide_texts, status_of
from reports.summary import CHANNEL_NAMES, STATUS_TITLES, STATUSES, read_results

__all__ = ["DETAILS_CSV", "MATRIX_CSV", "PAGE_NAME", "details_csv", "main", "matrix_csv", "page_html", "write"]

PAGE_NAME = "guide-matrix.html"
MATRIX_CSV = "指南步骤矩阵.csv"
DETAILS_CSV = "指南步骤明细.csv"
TITLE = "指南步骤 × 渠道覆盖矩阵"
HEADLINE_META = "guide-matrix"  # <meta name=… content="38 步：通过 38">, read by allurerc.mjs
_VERDICT_CLASS = {"通过": "passed", "失败": "failed", "未执行": "skipped", "未覆盖": "uncovered"}
_ABSENT = "—"  # the channel's walk-through has no step of that number

Texts = dict[tuple[str, int], list[str]]


def _status_title(result: dict[str, Any]) -> str:
    return STATUS_TITLES[STATUSES.index(status_of(result))]


def _parameters(result: dict[str, Any]) -> str:
    shown = [
        f"{p.get('name')}={str(p.get('value', '')).strip(chr(39))}"
        for p in result.get("parameters") or []
        if not p.get("excluded")
    ]
    return "，".join(shown)


def _scenario_text(result: dict[str, Any]) -> str:
    parameters = _parameters(result)
    return f"{result.get('name') or '（无名场景）'}" + (f"（{parameters}）" if parameters else "")


def _cell_text(matrix: Matrix, channel: str, number: int) -> str:
    cell = matrix.cell(channel, number)
    return f"{cell.verdict} · {cell.tally}" if cell.results else cell.verdict


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def matrix_csv(matrix: Matrix) -> str:
    header = ["步骤", *(f"{GUIDE_SECTIONS[channel]}（{count} 步）" for channel, count in GUIDE_STEPS.items())]
    rows = [header]
    for number in range(1, max(GUIDE_STEPS.values()) + 1):
        rows.append(
            [
                f"第 {number} 步",
                *(
                    _cell_text(matrix, channel, number) if number <= count else _ABSENT
                    for channel, count in GUIDE_STEPS.items()
                ),
            ]
        )
    return _csv(rows)


def details_csv(matrix: Matrix, texts: Texts) -> str:
    rows = [["渠道", "步骤", "结论", "场景数", "指南原文", "走过这一步的场景"]]
    for channel, count in GUIDE_STEPS.items():
        for number in range(1, count + 1):
            cell = matrix.cell(channel, number)
            scenarios = "；".join(f"{_status_title(r)} {_scenario_text(r)}" for r in cell.results)
            rows.append(
                [
                    GUIDE_SECTIONS[channel],
                    f"第 {number} 步",
                    cell.verdict,
                    str(len(cell.results)),
                    " ".join(texts.get((channel, number), [])),
                    scenarios,
                ]
            )
    return _csv(rows)


_STYLE = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#1f2933;
background:#fff;font-size:14px;line-height:1.5}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
p.lead{color:#52606d;margin:0 0 12px}
.totals span{display:inline-block;margin-right:8px;padding:2px 10px;border-radius:10px}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #d9e2ec;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f0f4f8;font-weight:600}
th small{display:block;color:#52606d;font-weight:400}
td.matrix{width:19%}td.matrix a{display:block;color:inherit;text-decoration:none}
td.none{background:#f8f9fa;color:#9aa5b1;text-align:center}
.badge{display:inline-block;padding:0 8px;border-radius:8px;font-weight:600;margin-right:6px}
.passed{background:#e3f9e5}.badge.passed,.totals .passed{background:#31b237;color:#fff}
.failed,.broken,.unknown{background:#ffe3e3}
.badge.failed,.badge.broken,.badge.unknown,.totals .failed{background:#d64545;color:#fff}
.skipped{background:#fff3c4}.badge.skipped,.totals .skipped{background:#f0b429;color:#fff}
.uncovered{background:#f5f7fa}.badge.uncovered,.totals .uncovered{background:#7b8794;color:#fff}
.count{color:#3e4c59}.text{display:block;margin-top:4px;color:#3e4c59;font-size:13px}
ul{margin:0;padding-left:18px}li small{color:#52606d}
tr:target td,tr:target th{outline:2px solid #2680c2}
p.more{margin:4px 0 0;color:#52606d;font-size:13px}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _badge(verdict: str) -> str:
    return f'<span class="badge {_VERDICT_CLASS[verdict]}">{_e(verdict)}</span>'


def _scenario_item(result: dict[str, Any]) -> str:
    parameters = _parameters(result)
    extra = f" <small>（{_e(parameters)}）</small>" if parameters else ""
    badge = f'<span class="badge {status_of(result)}">{_status_title(result)}</span>'
    return f"<li>{badge}{_e(result.get('name') or '（无名场景）')}{extra}</li>"


def _notes(matrix: Matrix, texts: Texts, source: str) -> list[str]:
    notes = [
        "按官方指南《宁波市 如何线上自助缴纳城乡居民养老保险费》的编号步骤，列出走过每一步的场景"
        f"在本次运行中的结论；同一测试（historyId）重跑时只计最后一次。共读取 {matrix.results} 个测试结果"
        + (f"（另有 {matrix.retried} 个重跑前的结果未计入）" if matrix.retried else "")
        + "。"
    ]
    if source:
        notes.append(f"结果目录：{source}")
    if not texts:
        notes.append("未找到指南原文，表中只列步骤编号。")
    if matrix.unknown:
        notes.append("结果里标注了指南中没有的步骤：" + "、".join(matrix.unknown))
    if matrix.unreadable:
        notes.append(f"{len(matrix.unreadable)} 个结果文件无法读取：" + "、".join(matrix.unreadable))
    return notes


def _matrix_table(matrix: Matrix, texts: Texts) -> str:
    head = "".join(
        f"<th>{_e(CHANNEL_NAMES[c])}<small>{_e(GUIDE_SECTIONS[c])}（{n} 步）</small></th>"
        for c, n in GUIDE_STEPS.items()
    )
    rows = []
    for number in range(1, max(GUIDE_STEPS.values()) + 1):
        cells = []
        for channel, count in GUIDE_STEPS.items():
            if number > count:
                cells.append(f'<td class="none">{_ABSENT}</td>')
                continue
            cell = matrix.cell(channel, number)
            text = texts.get((channel, number), [""])[0]
            cells.append(
                f'<td class="matrix {_VERDICT_CLASS[cell.verdict]}">'
                f'<a href="#{guide_anchor(channel, number)}">{_badge(cell.verdict)}'
                f'<span class="count">{_e(cell.tally)}</span><span class="text">{_e(text)}</span></a></td>'
            )
        rows.append(f"<tr><th>第 {number} 步</th>{''.join(cells)}</tr>")
    return f'<table><tr><th style="width:5em">步骤</th>{head}</tr>{"".join(rows)}</table>'


def _channel_table(matrix: Matrix, texts: Texts, channel: str) -> str:
    lines = []
    for number in range(1, GUIDE_STEPS[channel] + 1):
        cell = matrix.cell(channel, number)
        paragraphs = texts.get((channel, number), [])
        text = (f"<p>{_e(paragraphs[0])}</p>" if paragraphs else "") + "".join(
            f'<p class="more">{_e(p)}</p>' for p in paragraphs[1:]
        )
        scenarios = "".join(_scenario_item(r) for r in cell.results) or "<li>没有场景走过这一步</li>"
        lines.append(
            f'<tr id="{guide_anchor(channel, number)}"><th>第 {number} 步</th><td>{text}</td>'
            f'<td>{_badge(cell.verdict)}<br><span class="count">{_e(cell.tally)}</span></td>'
            f"<td><ul>{scenarios}</ul></td></tr>"
        )
    return (
        f"<h2>{_e(GUIDE_SECTIONS[channel])} · {_e(CHANNEL_NAMES[channel])}</h2>"
        '<table><tr><th style="width:5em">步骤</th><th style="width:38%">指南原文</th>'
        '<th style="width:7em">结论</th><th>走过这一步的场景</th></tr>' + "".join(lines) + "</table>"
    )


def page_html(matrix: Matrix, texts: Texts, *, source: str = "") -> str:
    totals = "".join(f'<span class="{_VERDICT_CLASS[v]}">{_e(v)} {n}</span>' for v, n in matrix.verdicts().items() if n)
    return (
        "<!doctype html>\n"
        f'<html lang="zh-CN"><head><meta charset="utf-8"><title>{TITLE}</title>'
        f'<meta name="{HEADLINE_META}" content="{_e(matrix.headline)}"><style>{_STYLE}</style></head>'
        f"<body><h1>{TITLE}</h1>"
        + "".join(f'<p class="lead">{_e(note)}</p>' for note in _notes(matrix, texts, source))
        + f'<p class="totals">指南共 {len(matrix.cells)} 步：{totals}</p>'
        + _matrix_table(matrix, texts)
        + "".join(_channel_table(matrix, texts, channel) for channel in GUIDE_STEPS)
        + "</body></html>\n"
    )


def write(results_dir: Path, report_dir: Path, guide: Path = GUIDE_FILE) -> Matrix:
    results, unreadable = read_results(results_dir)
    matrix = build_matrix(results, unreadable)
    texts = guide_texts(guide)
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / MATRIX_CSV).write_text(matrix_csv(matrix), encoding="utf-8")
    (report_dir / DETAILS_CSV).write_text(details_csv(matrix, texts), encoding="utf-8")
    (report_dir / PAGE_NAME).write_text(page_html(matrix, texts, source=str(results_dir)), encoding="utf-8")
    return matrix


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.guide_page", description="生成报告的指南步骤 × 渠道矩阵")
    parser.add_argument("results", type=Path, help="结果目录，例如 reports/allure-results")
    parser.add_argument("report", type=Path, help="报告目录，例如 reports/allure-report")
    parser.add_argument("--guide", type=Path, default=GUIDE_FILE, help="指南原文（默认：features/guide/ 下的指南）")
    args = parser.parse_args(argv)
    if not args.results.is_dir():
        print(f"没有测试结果：目录 {args.results} 不存在。先运行测试（make e2e）。", file=sys.stderr)
        return 1
    matrix = write(args.results, args.report, args.guide)
    print(f"指南步骤矩阵（{matrix.headline}）：{args.report / PAGE_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
