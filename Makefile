# 宁波城乡居民养老保险费线上缴费渠道：模拟器与端到端测试。`make help` 列出目标。
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules --no-print-directory

PYTHON ?= python3
PORT ?= 8000
# `make test` runs TEST_SUITE unless PYTEST_ARGS is given; `make e2e` appends PYTEST_ARGS to its own.
PYTEST_ARGS ?=
FUZZ_ARGS ?=
EXPLORE_ARGS ?=
MUTANT_ARGS ?=
# `make explore`: a long exploration with a new seed each time (EXPLORE_SEED=N repeats one); make test runs a short,
# fixed-seed one with the rest of steps/.
ifndef EXPLORE_SEED
EXPLORE_SEED := $(shell date +%s)
endif
EXPLORE_RESULTS := reports/explore-results
EXPLORE_FOUND := $(EXPLORE_RESULTS)/found.feature
# pytest-xdist workers (measured on two cores): `make test` gains from a third while a browser or the simulator waits;
# the browser-only `make e2e` does not.
WORKERS ?= 3
E2E_WORKERS ?= 2
# Rule features: every row on the API driver, one chosen row of each feature on the UI driver (`make e2e` walks them
# all; a row per outline, `--ui-rows one`, took make test past ten minutes once the outlines were 81).
TEST_SUITE := tests steps --driver ui,api --ui-rows feature -n $(WORKERS)
PLAYWRIGHT_TIMEOUT ?= 120
HOGS ?= 4
# What pytest shows while it runs: every test as it ends, with its worker and how far along the run is.
PROGRESS ?= -v

VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .setup
RESULTS := reports/allure-results
REPORT_DIR := reports/allure-report
POWER_RESULTS := reports/power-results
ALLURE := reports/node_modules/.bin/allure
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Stamps are named after the lock files' content: a changed lock installs again.
REQ_HASH := $(shell cat requirements.lock 2>/dev/null | sha256sum | cut -c1-16)
NPM_HASH := $(shell cat reports/package.json reports/package-lock.json 2>/dev/null | sha256sum | cut -c1-16)
VENV_STAMP := $(STAMPS)/venv-$(REQ_HASH)
BROWSER_STAMP := $(STAMPS)/browser-$(REQ_HASH)
NPM_STAMP := $(STAMPS)/npm-$(NPM_HASH)
# A stamp whose installation was deleted by hand does not count.
VENV_FORCE := $(if $(wildcard $(PY)),,FORCE)
NPM_FORCE := $(if $(wildcard $(ALLURE)),,FORCE)

# $(call apt_ensure,PACKAGES): apt-get install those of PACKAGES that dpkg does not have.
define apt_ensure
missing=""; \
for pkg in $(1); do \
  dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
done; \
if [ -n "$$missing" ]; then \
  command -v apt-get >/dev/null || { echo "缺少$$missing，且本机没有 apt-get：请手动安装。" >&2; exit 1; }; \
  echo "apt-get install$$missing"; \
  $(SUDO) apt-get update -qq; \
  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing; \
fi
endef

.PHONY: help setup test e2e pressure report power explore serve lint fuzz bench bench-load bench-walkthrough clean clean-history FORCE

help:
	@echo "make setup    建虚拟环境（requirements.lock）、准备 Chromium 与中文字体、安装 Allure 3（reports/）"
	@echo "make test     单元测试与全部特性，两种驱动：pytest $(TEST_SUITE)（PYTEST_ARGS=… 可替换），然后 make pressure"
	@echo "make pressure CPU压力下的切片：$(HOGS)个忙循环进程占满CPU时跑五个渠道、两种驱动（含回执单）的23个场景，必须通过（HOGS=… 可改）"
	@echo "make e2e      用 UI 驱动跑特性，生成 Allure 报告并按渠道给出结论（PYTEST_ARGS=… 追加参数）"
	@echo "make report   从 $(RESULTS) 离线生成 $(REPORT_DIR)/index.html（含指南步骤矩阵、历次趋势），并打印各渠道结论"
	@echo "make power    测试能力：逐个打开模拟器的缺陷目录跑特性，再对模拟器规则、支付、支付渠道与账户模块的300个生成变异体（种子固定）跑特性，打印两个得分、存活者及其差异，结果进报告的「测试能力」；POWER_ARGS=…、MUTANT_ARGS=…（如 --max-scenarios 40、--only merchant）追加参数"
	@echo "make explore  状态探索：随机缴费序列（各类缴费人、各渠道、支付故障、时间推移）逐步对照规则模型与账目，发现问题时缩到最短并写成中文场景（$(EXPLORE_FOUND)）；EXPLORE_SEED=N 重现一次，EXPLORE_ARGS=… 追加参数"
	@echo "make serve    启动模拟器：http://127.0.0.1:$(PORT)/（PORT=… 可改），测试模式：页面上的「模拟器测试模式」抽屉显示短信验证码、随机验证码、扫码登录与模拟时钟"
	@echo "make lint     ruff check、ruff format --check、mypy（严格，pyproject.toml）；make test 先运行它"
	@echo "make fuzz     按 OpenAPI 文档对全部接口做模式驱动的模糊测试（schemathesis，全部检查），打印用例数、状态码与失败；FUZZ_ARGS=… 追加参数（如 --examples 50）"
	@echo "make bench    每种驱动的墙钟时间与单个场景耗时（中位数、P90、按渠道）；BENCH_ARGS=… 追加参数"
	@echo "make bench-load  完整缴费流程的负载测试（1–16个并发客户端、多租户多渠道、1千/1万/10万缴费人的租户）；BENCH_ARGS=… 追加参数"
	@echo "make bench-walkthrough  微信指南场景：测试线束与裸 Playwright 脚本成对计时（中位数、P90、线束÷裸脚本）；BENCH_ARGS=… 追加参数"
	@echo "make clean    删除 .venv、.setup、node_modules 与生成的报告"
	@echo "make clean-history  清空报告的历史（reports/history/history.jsonl，或 ALLURE_HISTORY_PATH 指定的文件），趋势从下一份报告重新开始"

setup: $(VENV_STAMP) $(BROWSER_STAMP) $(NPM_STAMP)
	@$(PY) -m fixtures.browser || { rm -f $(STAMPS)/browser-*; echo "浏览器不可用：再运行一次 make setup。" >&2; exit 1; }

$(VENV_STAMP): requirements.lock $(VENV_FORCE)
	@mkdir -p $(STAMPS)
	@rm -f $(STAMPS)/venv-*
	@[ -x $(PY) ] || { echo "创建 $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "pip install -r requirements.lock"
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	@touch $@

# Playwright's own Chromium where it can be downloaded, else Debian's; Chinese fonts either way.
$(BROWSER_STAMP): $(VENV_STAMP)
	@mkdir -p $(STAMPS)
	@rm -f $(STAMPS)/browser-*
	@echo "playwright install chromium（最多 $(PLAYWRIGHT_TIMEOUT) 秒）"
	@if timeout $(PLAYWRIGHT_TIMEOUT) $(VENV)/bin/playwright install chromium \
	    >$(STAMPS)/playwright-install.log 2>&1 && $(PY) -m fixtures.browser >/dev/null 2>&1; then \
	  echo "Playwright 的 Chromium 可用"; \
	else \
	  echo "Playwright 的 Chromium 不可用（日志：$(STAMPS)/playwright-install.log），改用 Debian 的 chromium"; \
	  $(call apt_ensure,chromium); \
	fi
	@if ! fc-list :lang=zh 2>/dev/null | grep -q .; then $(call apt_ensure,fonts-noto-cjk); fi
	@$(PY) -m fixtures.browser >/dev/null
	@$(PY) -m fixtures.video
	@touch $@

$(NPM_STAMP): reports/package.json reports/package-lock.json $(NPM_FORCE)
	@mkdir -p $(STAMPS)
	@rm -f $(STAMPS)/npm-*
	@command -v npm >/dev/null || { echo "缺少 npm（需要 Node.js 20 或更新）。" >&2; exit 1; }
	@echo "npm ci（reports/）"
	@cd reports && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: setup lint
	@echo "pytest:先收集约2,500个测试(约半分钟),然后逐个列出(-v:工作进程、进度百分比、结果)"
	$(PY) -m pytest $(PROGRESS) $(or $(strip $(PYTEST_ARGS)),$(TEST_SUITE))
	@$(if $(strip $(PYTEST_ARGS)),true,$(MAKE) pressure)

# Each channel on both drivers, receipts included, while busy loops hog every core: the verdict must hold.
pressure: setup
	@echo "CPU压力下的切片:$(HOGS)个忙循环进程占满CPU时,跑覆盖五个渠道、两种驱动(含回执单)的23个场景"
	$(PY) -m benchmarks.pressure --hogs $(HOGS) --evidence -- $(PROGRESS)

e2e: setup
	@rm -rf $(RESULTS)
	@status=0; \
	echo "pytest:先收集约320个场景(约半分钟),然后逐个列出(-v:工作进程、进度百分比、结果)"; \
	$(PY) -m pytest steps --driver ui -n $(E2E_WORKERS) $(PROGRESS) --alluredir $(RESULTS) $(PYTEST_ARGS) || status=$$?; \
	report=0; $(MAKE) report || report=$$?; \
	if [ "$$status" -ne 0 ]; then echo "pytest 退出码：$$status" >&2; exit "$$status"; fi; \
	exit "$$report"

# Allure 3 generates offline; its own quality gate needs Node 22, so reports.summary gives the verdict.
report: $(VENV_STAMP) $(NPM_STAMP)
	@[ -d $(RESULTS) ] || { echo "没有 $(RESULTS)：先运行 make e2e。" >&2; exit 1; }
	@rm -rf $(REPORT_DIR)
	@# The latest `make power` (one result per catalogued defect) and `make explore` show under 测试能力.
	@{ grep -l '"harness_power"' $(RESULTS)/*-result.json 2>/dev/null || true; } | xargs -r rm -f
	@for kept in $(POWER_RESULTS) $(EXPLORE_RESULTS); do \
	  if [ -d $$kept ]; then cp $$kept/*-result.json $$kept/*-attachment* $(RESULTS)/ 2>/dev/null || true; fi; \
	done
	@$(PY) -m reports.guide_page $(RESULTS) $(REPORT_DIR)
	@$(PY) -m reports.first_screen $(RESULTS) $(REPORT_DIR)
	@# The report inlines its history: kept to what the report shows of past runs (reports/history.py).
	@hist="$${ALLURE_HISTORY_PATH-reports/history/history.jsonl}"; if [ -n "$$hist" ]; then $(PY) -m reports.history "$$hist"; fi
	@cd reports && NO_COLOR=1 ./node_modules/.bin/allure generate --config allurerc.mjs allure-results
	@# The report page would load Google Analytics: drop it, the report is read offline.
	@sed -i '/googletagmanager\.com\/gtag/,/<\/script>/d' $(REPORT_DIR)/index.html
	@$(PY) -m reports.first_screen --keep-top $(REPORT_DIR)/index.html
	@echo "报告：$(CURDIR)/$(REPORT_DIR)/index.html"
	@$(PY) -m reports.privacy $(RESULTS)
	@$(PY) -m reports.summary $(RESULTS)

# The catalogue first (it empties the results folder), then the generated mutants beside it.
power: setup
	$(PY) -m benchmarks.power $(POWER_ARGS)
	$(PY) -m benchmarks.mutants $(MUTANT_ARGS)
	@if [ -d $(RESULTS) ]; then $(MAKE) report; fi

explore: $(VENV_STAMP)
	@echo "探索种子：$(EXPLORE_SEED)（EXPLORE_SEED=$(EXPLORE_SEED) make explore 重现）"
	@rm -rf $(EXPLORE_RESULTS)
	@status=0; \
	$(PY) -m pytest steps/test_explore.py --driver api -p no:cacheprovider --alluredir $(EXPLORE_RESULTS) \
	  --explore-seed $(EXPLORE_SEED) --explore-examples 400 --explore-steps 20 --explore-seconds 1200 \
	  --explore-out $(EXPLORE_FOUND) $(EXPLORE_ARGS) || status=$$?; \
	if [ -f $(EXPLORE_FOUND) ]; then echo "发现的场景（可粘贴进特性文件）：$(EXPLORE_FOUND)"; cat $(EXPLORE_FOUND); fi; \
	exit $$status

clean-history:
	rm -f "$${ALLURE_HISTORY_PATH:-reports/history/history.jsonl}"

serve: $(VENV_STAMP)
	$(PY) -m simulators --host 127.0.0.1 --port $(PORT) --test-mode

bench: setup
	$(PY) -m benchmarks.scenario_times $(BENCH_ARGS)

bench-load: $(VENV_STAMP)
	$(PY) -m benchmarks.load $(BENCH_ARGS)

bench-walkthrough: setup
	$(PY) -m benchmarks.walkthrough $(BENCH_ARGS)

fuzz: $(VENV_STAMP)
	$(PY) -m benchmarks.fuzz $(FUZZ_ARGS)

lint: $(VENV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@echo "mypy(严格模式,全部源码;约一分钟,完成前没有输出)"
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) $(STAMPS) $(RESULTS) $(POWER_RESULTS) $(EXPLORE_RESULTS) $(REPORT_DIR) reports/node_modules test-results

FORCE:
