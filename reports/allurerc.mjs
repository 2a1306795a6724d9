// Allure Report 3 configuration. The CLI looks for allurerc.* in its working directory, or takes
// --config; `make report` passes --config, so paths here are resolved from this file, not the cwd.
// Categories live in categories.json (Allure 2 format): Allure 3's awesome plugin reads categories
// only from this config, Allure 2 and the classic plugin read the copy that reports.environment
// writes into the results directory.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const output = here("./allure-report");

// Trends need a history file that outlives the report directory: each generation appends one entry.
// ALLURE_HISTORY_PATH overrides it (relative to the repository root, where `make` runs); set but empty,
// the report keeps no history. `make clean-history` starts it afresh.
// The report inlines every kept entry (some 0.4 MB each for 160 tests): keep the last 20 runs.
const historyOverride = process.env.ALLURE_HISTORY_PATH;
const historyPath =
  historyOverride === undefined
    ? here("./history/history.jsonl")
    : historyOverride && resolve(here(".."), historyOverride);
const historyLimit = 20;

// The guide-step × channel matrix that `python -m reports.guide_page` writes beside index.html before Allure
// runs (`make report`): global attachments of the report, so its start page shows them (tab 全局附件), and a
// variable with the matrix's headline. The CSV tables render in full from disk too; the HTML page is
// guide-matrix.html itself, the target of the guide links on each result.
const guideFiles = ["指南步骤矩阵.csv", "指南步骤明细.csv", "guide-matrix.html"].map((name) => `${output}/${name}`);
const guidePage = guideFiles.at(-1);
const guideHeadline = existsSync(guidePage)
  ? readFileSync(guidePage, "utf-8").match(/<meta name="guide-matrix" content="([^"]*)">/)?.[1]
  : undefined;

const reportName = "宁波城乡居民养老保险费线上缴费渠道 · 端到端测试";

const categories = JSON.parse(readFileSync(here("./categories.json"), "utf-8")).map(
  ({ description: _description, ...rule }) => ({ ...rule, groupBy: [{ label: "channel" }] }),
);

/** @type {import("@allurereport/plugin-api").Config} */
export default {
  name: reportName,
  output,
  ...(historyPath ? { historyPath, historyLimit } : {}),
  globalAttachments: guideFiles.filter((file) => existsSync(file)),
  ...(guideHeadline ? { variables: { 指南步骤矩阵: `${guideHeadline}（见「全局附件」）` } } : {}),
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
        groupBy: ["channel", "feature", "story"],
        defaultSortBy: "status,asc",
      },
    },
  },
};
