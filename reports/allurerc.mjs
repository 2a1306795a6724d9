// Allure Report 3 configuration. The CLI looks for allurerc.* in its working directory, or takes
// --config; `make report` passes --config, so paths here are resolved from this file, not the cwd.
// Categories live in categories.json (Allure 2 format): Allure 3's awesome plugin reads categories
// only from this config, Allure 2 and the classic plugin read the copy that reports.environment
// writes into the results directory.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
// ALLURE_REPORT_DIR (tests) puts the report, and the pages written beside it before Allure runs, elsewhere.
const output = process.env.ALLURE_REPORT_DIR ? resolve(process.env.ALLURE_REPORT_DIR) : here("./allure-report");

// Trends need a history file that outlives the report directory: each generation appends one entry.
// ALLURE_HISTORY_PATH overrides it (relative to the repository root, where `make` runs); set but empty,
// the report keeps no history. `make clean-history` starts it afresh.
// The single-file report inlines every kept entry, in each test's 历史 tab and (the latest six) whole for the trend
// charts: some 1 MB per run for 600 tests even after `python -m reports.history` (run by `make report` first) has
// dropped what the report never shows (labels, tracebacks). Keep the last 10 runs.
const historyOverride = process.env.ALLURE_HISTORY_PATH;
const historyPath =
  historyOverride === undefined
    ? here("./history/history.jsonl")
    : historyOverride && resolve(here(".."), historyOverride);
const historyLimit = 10;

// The guide-step × channel matrix that `python -m reports.guide_page` writes beside index.html before Allure
// runs (`make report`): global attachments of the report, so its start page shows them (tab 全局附件), and a
// variable with the matrix's headline. The CSV tables render in full from disk too; the HTML page is
// guide-matrix.html itself, the target of the guide links on each result.
const guideFiles = ["指南步骤矩阵.csv", "指南步骤明细.csv", "guide-matrix.html"].map((name) => `${output}/${name}`);
const guidePage = guideFiles.at(-1);
const guideHeadline = existsSync(guidePage)
  ? readFileSync(guidePage, "utf-8").match(/<meta name="guide-matrix" content="([^"]*)">/)?.[1]
  : undefined;

// The verdict per channel on the first screen, as `make report` prints it at the end: `python -m reports.first_screen`
// writes it beside index.html from the same code (reports.summary) before Allure runs. The report's name ends with
// the run's verdict; its 变量 block (under the totals, above the tree) has one line per channel, then the total.
const firstScreenFile = `${output}/first-screen.json`;
const firstScreen = existsSync(firstScreenFile) ? JSON.parse(readFileSync(firstScreenFile, "utf-8")) : undefined;

const title = "宁波城乡居民养老保险费线上缴费渠道 · 端到端测试";
const reportName = firstScreen ? `${title} · 结论：${firstScreen.verdict}` : title;

// The label results are grouped by (reports.summary.CHANNEL_LABEL): the channel's name.
const channelLabel = "渠道";

const categories = JSON.parse(readFileSync(here("./categories.json"), "utf-8")).map(
  ({ description: _description, ...rule }) => ({ ...rule, groupBy: [{ label: channelLabel }] }),
);

// Allure's own charts (section 图表), titled in Chinese; stability is shown per channel rather than per epic.
const charts = [
  { type: "currentStatus", title: "当前状态" },
  { type: "statusDynamics", title: "状态趋势" },
  {
    type: "testResultSeverities",
    title: "按严重程度的测试结果",
    levels: ["blocker", "critical", "normal", "minor", "trivial"],
    statuses: ["passed", "failed", "broken", "skipped", "unknown"],
    includeUnset: true,
  },
  { type: "statusTransitions", title: "状态变化" },
  { type: "testBaseGrowthDynamics", title: "测试数量增长" },
  { type: "successRateDistribution", title: "成功率分布" },
  {
    type: "stabilityDistribution",
    title: "各渠道的稳定性",
    skipStatuses: ["skipped", "unknown"],
    threshold: 90,
    groupBy: `label-name:${channelLabel}`,
  },
  {
    type: "stabilityDistribution",
    title: "各功能的稳定性",
    skipStatuses: ["skipped", "unknown"],
    threshold: 90,
    groupBy: "feature",
  },
  { type: "durations", title: "耗时分布", groupBy: "none" },
  { type: "durationDynamics", title: "耗时趋势" },
  { type: "statusAgePyramid", title: "状态持续时间" },
];

/** @type {import("@allurereport/plugin-api").Config} */
export default {
  name: reportName,
  output,
  ...(historyPath ? { historyPath, historyLimit } : {}),
  globalAttachments: guideFiles.filter((file) => existsSync(file)),
  variables: {
    ...(firstScreen?.variables ?? {}),
    ...(guideHeadline ? { 指南步骤矩阵: `${guideHeadline}（见「全局附件」）` } : {}),
  },
  // Labels that say nothing to a reader of the report (the timeline still reads host and thread; every result has the
  // same epic).
  hideLabels: ["host", "thread", "framework", "language", "epic", "harness_power"],
  categories,
  plugins: {
    awesome: {
      options: {
        reportName,
        reportLanguage: "zh",
        // Data inlined in index.html, so the file opens from disk (file:// forbids the fetches of a
        // multi-file report). ALLURE_SINGLE_FILE=0 writes a multi-file report for `allure open`.
        singleFile: process.env.ALLURE_SINGLE_FILE !== "0",
        // One node per channel at the top of the tree, each with its own pass/fail statistics.
        groupBy: [channelLabel, "feature", "story"],
        defaultSortBy: "status,asc",
        charts,
      },
    },
  },
};
