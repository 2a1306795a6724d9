// 浙里办 APP (guide section 5): 首页 → 办事服务 → the district → 线上一站办 → 按部门 → the district's tax bureau →
// 城乡居民社会保险费申报缴费 → 在线办理 are its own; 注册, 登录, 首页, (城乡养老)缴费, the result, 已缴费查询 and
// 打印缴费回执单 are the app channels' pages (apppages.js), told where this app differs.
const app = appPages({
  channel: "zheliban",
  details: (r) => [["状态", sim.el("span", { className: "item-status", textContent: r.status })],
    ["费款所属期", r.period], ["缴费明细", r.dues], ["缴费金额", r.amount]],
  // guide step 6: the tier's 【确定】; an amount the system generates, 【缴费】 once ticked
  quote: { tier: "sheet", system: "pay" },
  confirm: ["缴费人", "证件号码", "险种", "费款所属期", "征收机关", "缴费金额"],
  words: { noTier: "请选择应缴档次金额", pick: "请勾选缴费条目",
    unsettled: "请点击【缴费金额】选择应缴档次金额,并核对提示框中的缴费信息" },
});
const $ = (id) => document.getElementById(id);

document.querySelectorAll("[data-unavailable]").forEach((button) => {
  button.addEventListener("click", () => sim.say(`本模拟未提供“${button.textContent.replace("›", "").trim()}”`));
});

// 办事服务 (the district), 线上一站办 (按部门), the tax bureau's 事项, 在线办理 ------------------------------------------
function services() {
  document.querySelectorAll("[data-district]").forEach((button) => button.addEventListener("click", async () => {
    const result = await app.post(`${app.API}/district`, { district: button.dataset.district });
    if (!result.ok) return sim.say(result.message);
    window.location.href = "/zheliban/area";
  }));
}

function oneStop() {
  $("by-department").addEventListener("click", (event) => {
    event.currentTarget.setAttribute("aria-pressed", "true");
    $("departments").hidden = false;
    $("pick-tab").hidden = true;
  });
}

function bureau() {
  document.querySelectorAll(".group-head").forEach((head) => head.addEventListener("click", () => {
    const open = head.getAttribute("aria-expanded") !== "true";
    head.setAttribute("aria-expanded", String(open));
    $(head.getAttribute("aria-controls")).hidden = !open;
  }));
}

function residentsFee() {
  $("online").addEventListener("click", () => $("online-sheet").showModal());
  $("online-cancel").addEventListener("click", () => $("online-sheet").close());
}

app.start({
  register: () => app.register("/zheliban/home"),
  login: () => app.login("/zheliban/home"),
  home: app.home,
  services,
  yzb: oneStop,
  dept: bureau,
  sbf: residentsFee,
});
