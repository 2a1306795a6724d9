// 宁波市电子税务局 (guide section 4): 登录 → 登录验证, 用户注册, 办税中心 and the desktop site's own rows and ways to
// pay are its own; 社保缴费办理(城乡养老), the result, 已缴费查询 and 社保费电子缴款回执单 are the app channels' pages
// (apppages.js), told where this site differs.
const el = sim.el;
const app = appPages({
  channel: "etax",
  payerLine: (p) => `缴费人:${p.name}  证件号码:${sim.maskId(p.masked_id)}`,
  otherItem: (name) => name.replace("基本医疗保险费", "基本医疗保险"),
  // guide step 6: the tier is chosen, then 【缴费】 brings up the 提示框, as it does for an amount the system generates
  quote: { tier: "pay", system: "pay" },
  insurance: "征收项目",
  confirm: ["缴费人", "证件号码", "征收项目", "费款所属期", "缴费类型", "缴费金额"],
  words: { pick: "请先勾选缴费条目", unsettled: "请点击【缴费金额】选择应缴档次金额", ready: "缴费信息已核对,请点击【缴费】。" },
  receipt: "社保费电子缴款回执单",
  itemRow: (r, box) => {  // 选择, 征收项目, 费款所属期, 缴费类型, 状态, 缴费金额
    box.setAttribute("aria-label", r.name);
    const amount = r.kind === "system" ? el("span", {}, r.total, el("small", { className: "note" }, "(系统自动生成)"))
      : r.amount;
    const cells = r.disabled ? ["—", "—", r.status, "—"] : [r.period, r.kinds, r.status, amount];
    return el("tr", { className: r.disabled ? "disabled" : "" }, el("td", {}, box), el("td", { textContent: r.name }),
      ...cells.map((c) => el("td", {}, c)));
  },
  ways: (payWith) => {  // 【第三方支付】 opens its providers, each of which pays; 【协议支付】 pays
    $("way-third").addEventListener("click", (event) => {
      const open = $("third-party").hidden;
      $("third-party").hidden = !open;
      event.currentTarget.setAttribute("aria-expanded", String(open));
    });
    document.querySelectorAll("button.provider").forEach((b) => b.addEventListener("click", () => payWith(b, b.dataset.gateway)));
    $("way-agreement").addEventListener("click", (event) => payWith(event.currentTarget, "agreement"));
  },
  listRecords: (section, rows, receipt) => {  // a table: 缴费年度 … 税务机关, and the receipt
    section.querySelector("table").setAttribute("aria-label", "已缴费信息");
    const body = section.querySelector("tbody");
    body.replaceChildren(...rows.map((r) => el("tr", {},
      ...[r.year, r.period, r.kind, r.amount, sim.time(r.paid_at), r.ticket_no, r.tax_authority]
        .map((v) => el("td", { textContent: String(v) })), el("td", {}, receipt(r)))));
    if (!rows.length) body.append(el("tr", {}, el("td", { colSpan: 8, className: "empty", textContent: "暂无缴费记录" })));
  },
});
const { API, post, get } = app;
const $ = (id) => document.getElementById(id);

document.querySelectorAll("[data-unavailable]").forEach((button) => {
  button.addEventListener("click", () => sim.say(`本模拟未提供“${button.textContent.trim()}”,请使用【办税中心】→【涉税业务办理】→【社保缴费】`));
});

// A row of tabs, each showing its own panel.
function tabs(list, onChoose) {
  const all = [...list.querySelectorAll("[role=tab]")];
  const choose = (tab) => {
    all.forEach((t) => {
      t.setAttribute("aria-selected", String(t === tab));
      $(t.getAttribute("aria-controls")).hidden = t !== tab;
    });
    sim.say("");
    if (onChoose) onChoose(tab);
  };
  all.forEach((tab) => tab.addEventListener("click", () => choose(tab)));
  return choose;
}

// 登录: 自然人业务 → 居民身份证号码/手机号码/用户名 and 个人用户密码 -------------------------------------------------
function login() {
  tabs(document.querySelector("[role=tablist]"));
  if (new URLSearchParams(location.search).get("registered")) sim.note("注册成功,请登录");
  app.submit("login-form", "login", `${API}/sessions`,
    () => ({ ...app.values("login_name", "password"), business: "自然人业务" }), "/etax/login/verify");
}

// 登录验证: 短信验证, 税务APP扫码 or 个人所得税APP扫码, then 【登录】 ------------------------------------------------
async function verify() {
  const done = () => { window.location.href = "/etax/"; };
  const pending = await get(`${API}/login`);
  if (!pending.ok) return sim.say(pending.message);
  $("who").textContent = `账号:${pending.data.name}。请选择登录验证方式。`;
  sim.text("sms-phone", sim.maskPhone(pending.data.phone));

  $("send-code").addEventListener("click", (event) => app.sendCode(event.currentTarget, `${API}/login/sms-code`));
  $("factor-sms").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await post(`${API}/login/sms`, { sms_code: $("sms_code").value });
    if (!result.ok) return sim.say(result.message);
    done();
  });

  const tickets = new Map();  // panel → {ticket, timer}
  async function newQr(panel) {
    const old = tickets.get(panel);
    if (old) clearInterval(old.timer);
    const state = panel.querySelector(".qr-state");
    const submit = panel.querySelector("button[type=submit]");
    submit.disabled = true;
    const result = await post(`${API}/login/qr`, { scan_app: panel.dataset.app });
    if (!result.ok) { state.textContent = "二维码生成失败"; return sim.say(result.message); }
    const { ticket, image_url: image, app_name: scanApp } = result.data;
    panel.querySelector("img").src = image;
    panel.querySelector("img").dataset.ticket = ticket;
    state.textContent = `请使用${scanApp}扫描二维码`;
    const timer = setInterval(async () => {  // the page asks after its code every second, quietly
      const response = await fetch(`${API}/login/qr/${ticket}`, { credentials: "same-origin" }).catch(() => null);
      if (!response || !response.ok) return;
      const { state: now } = await response.json();
      if (now === "已扫码确认") {
        clearInterval(timer);
        state.textContent = `已在${scanApp}上确认登录,请点击【登录】`;
        submit.disabled = false;
      } else if (now === "已过期") {
        clearInterval(timer);
        state.textContent = "二维码已过期,请点击【刷新二维码】";
      }
    }, 1000);
    tickets.set(panel, { ticket, timer });
  }
  document.querySelectorAll(".qr-panel").forEach((panel) => {
    panel.querySelector(".refresh").addEventListener("click", () => newQr(panel));
    panel.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = await post(`${API}/login/qr/${tickets.get(panel).ticket}/finish`);
      if (!result.ok) return sim.say(result.message);
      clearInterval(tickets.get(panel).timer);
      done();
    });
  });
  tabs(document.querySelector("[role=tablist]"), (tab) => {
    const panel = $(tab.getAttribute("aria-controls"));
    if (panel.classList.contains("qr-panel") && !tickets.has(panel)) newQr(panel);
  });
  $("cancel-login").addEventListener("click", async () => {
    await post(`${API}/logout`);
    window.location.href = "/etax/login";
  });
}

// 用户注册 ------------------------------------------------------------------------------------------------------
function register() {
  $("send-code").addEventListener("click", (event) => app.sendCode(event.currentTarget, `${API}/sms/code`,
    { phone: $("phone").value, purpose: "register" }));
  app.submit("register-form", "register", `${API}/accounts`, () => ({
    ...app.values("phone", "sms_code", "password", "password_confirm", "name", "id_number"),
    username: $("username").value.trim() || null,
  }), "/etax/login?registered=1");
}

// 办税中心: who is logged in ------------------------------------------------------------------------------------
async function taxCentre() {
  const me = await get(`${API}/me`);
  if (!me.ok) return sim.say(me.message);
  sim.kv("me", [["姓名", me.data.self.name], ["证件号码", sim.maskId(me.data.self.masked_id)], ["手机号码", sim.maskPhone(me.data.phone)],
    ["用户名", me.data.username || "未设置"], ["登录身份", me.data.business]]);
}

app.start({ login, verify, register, bszx: taxCentre });
