// The 宁波税务 APP (guide section 3): 注册, 登录 and 【个人业务】 are its own; 社保缴费 → (城乡养老)缴费, the result,
// 已缴费查询 and 打印缴费回执单 are the app channels' pages (apppages.js), told where this app differs.
const app = appPages({
  channel: "taxapp",
  otherItem: (name) => name.replace("基本医疗保险费", "医疗保险"),
  details: (r) => [["费款所属期", r.period], ["缴费明细", r.dues], r.kind !== "system" && ["状态", r.status],
    ["缴费金额", r.amount]],
  quote: { tier: "sheet", system: "tick" },  // guide step 4: the tier's 【确定】; the system's amount needs no choice
  confirm: ["缴费人", "证件号码", "险种", "费款所属期", "缴费类型", "缴费金额"],
  words: { noTier: "请选择缴费档次", pick: "请先勾选缴费条目并确认缴费金额", unsettled: "请先勾选缴费条目并确认缴费金额" },
});
const $ = (id) => document.getElementById(id);

document.querySelectorAll("[data-unavailable]").forEach((button) => {
  button.addEventListener("click", () => sim.say(`本模拟未提供“${button.textContent.trim()}”,请使用【社保缴费】`));
});

// 选择【个人业务】 ----------------------------------------------------------------------------------------------
async function identity() {
  const choose = async (business) => {
    const result = await app.post(`${app.API}/business`, { business });
    if (!result.ok) return sim.say(result.message);
    window.location.href = "/taxapp/home";
  };
  $("personal").addEventListener("click", () => choose("个人业务"));
  $("business").addEventListener("click", () => choose("企业业务"));
  const me = await app.get(`${app.API}/me`);
  if (me.ok) {
    const registered = new URLSearchParams(location.search).get("registered");
    $("welcome").textContent = `${registered ? "注册成功。" : ""}${me.data.self.name}(${sim.maskPhone(me.data.phone)}),请选择业务类型`;
  }
}

app.start({
  register: () => app.register("/taxapp/identity?registered=1"),
  login: () => app.login("/taxapp/identity"),
  identity,
  home: app.home,
});
