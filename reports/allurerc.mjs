// Allure Report 3 configuration. The CLI looks for allurerc.* in its working directory, or takes
// --config; `make report` passes --config, so paths here are resolved from this file, not the cwd.
// Categories live in categories.json (Allure 2 format): Allure 3's awesome plugin reads categories
// only from this config, Allure 2 and the classic plugin read the copy that reports.environment
// writes into the results directory.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const reportName = "宁波城乡居民养老保险费线上缴费渠道 · 端到端测试";

const categories = JSON.parse(readFileSync(here("./categories.json"), "utf-8")).map(
  ({ description: _description, ...rule }) => ({ ...rule, groupBy: [{ label: "channel" }] }),
);

/** @type {import("@allurereport/plugin-api").Config} */
export default {
  name: reportName,
  output: here("./allure-report"),
  // Trends across runs need a history file that outlives the report directory; opt in by path.
  ...(process.env.ALLURE_HISTORY_PATH ? { historyPath: process.env.ALLURE_HISTORY_PATH } : {}),
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
