// 宁波市电子税务局 (guide section 4): 登录 → 登录验证, 用户注册, 办税中心 → 涉税业务办理 → 社保缴费 →
// 社保缴费办理(城乡养老), 缴费结果, 已缴费查询 and 社保费电子缴款回执单.
const API = "/etax/api";
const $ = (id) => document.getElementById(id);
const page = document.querySelector("main").dataset.page;
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

// Every call of a page behind the login: an ended (or half-done) login goes back to 登录.
async function call(method, url, body) {
  const result = await sim.call(method, url, body);
  if (!result.ok && result.status === 401 && result.data && result.data.error && result.data.error.field === "登录") {
    setTimeout(() => { window.location.href = "/etax/login"; }, 1500);
  }
  return result;
}
const post = (url, body) => call("POST", url, body ?? {});
const get = (url) => call("GET", url);

document.querySelectorAll("[data-unavailable]").forEach((button) => {
  button.addEventListener("click", () => sim.say(`本模拟未提供“${button.textContent.trim()}”,请使用【办税中心】→【涉税业务办理】→【社保缴费】`));
});
if ($("logout")) {
  $("logout").addEventListener("click", async () => {
    await post(`${API}/logout`);
    window.location.href = "/etax/";
  });
}

// 获取验证码, then the button counts down until another code may be asked for.
async function sendCode(button, url, body) {
  if (button.disabled) return;
  const result = await post(url, body);
  if (!result.ok) return sim.say(result.message);
  let left = result.data.resend_after;
  button.disabled = true;
  button.textContent = `${left}秒后重新获取`;
  sim.note(`短信验证码已发送至${result.data.phone},${Math.round(result.data.expires_in / 60)}分钟内有效`);
  const tick = setInterval(() => {
    left -= 1;
    button.textContent = left > 0 ? `${left}秒后重新获取` : "获取验证码";
    if (left <= 0) { clearInterval(tick); button.disabled = false; }
  }, 1000);
}
sim.note = (text) => {  // a line that informs, not warns
  const line = $("notice");
  if (line) { line.textContent = text; line.hidden = !text; }
};

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
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login").disabled = true;
    const result = await post(`${API}/sessions`, { login_name: $("login_name").value, password: $("password").value,
      business: "自然人业务" });
    $("login").disabled = false;
    if (!result.ok) return sim.say(result.message);
    window.location.href = "/etax/login/verify";
  });
}

// 登录验证: 短信验证, 税务APP扫码 or 个人所得税APP扫码, then 【登录】 ------------------------------------------------
async function verify() {
  const done = () => { window.location.href = "/etax/"; };
  const pending = await get(`${API}/login`);
  if (!pending.ok) return sim.say(pending.message);
  $("who").textContent = `账号:${pending.data.name}。请选择登录验证方式。`;
  sim.text("sms-phone", pending.data.phone);

  $("send-code").addEventListener("click", (event) => sendCode(event.currentTarget, `${API}/login/sms-code`));
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
    const { ticket, image_url: image, app_name: app } = result.data;
    panel.querySelector("img").src = image;
    panel.querySelector("img").dataset.ticket = ticket;
    state.textContent = `请使用${app}扫描二维码`;
    const timer = setInterval(async () => {  // the page asks after its code every second, quietly
      const response = await fetch(`${API}/login/qr/${ticket}`, { credentials: "same-origin" }).catch(() => null);
      if (!response || !response.ok) return;
      const { state: now } = await response.json();
      if (now === "已扫码确认") {
        clearInterval(timer);
        state.textContent = `已在${app}上确认登录,请点击【登录】`;
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
  $("send-code").addEventListener("click", (event) => sendCode(event.currentTarget, `${API}/sms/code`,
    { phone: $("phone").value, purpose: "register" }));
  $("register-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = ["phone", "sms_code", "password", "password_confirm", "name", "id_number"];
    const body = Object.fromEntries(fields.map((f) => [f, $(f).value]));
    body.username = $("username").value.trim() || null;
    $("register").disabled = true;
    const result = await post(`${API}/accounts`, body);
    $("register").disabled = false;
    if (!result.ok) return sim.say(result.message);
    window.location.href = "/etax/login?registered=1";
  });
}

// 办税中心: who is logged in ------------------------------------------------------------------------------------
async function taxCentre() {
  const me = await get(`${API}/me`);
  if (!me.ok) return sim.say(me.message);
  sim.kv("me", [["姓名", me.data.self.name], ["证件号码", me.data.self.masked_id], ["手机号码", me.data.phone],
    ["用户名", me.data.username || "未设置"], ["登录身份", me.data.business]]);
}

// 社保缴费办理(城乡养老): 办理对象 → 条目、缴费金额 →【缴费】→ 提示框【确定】→【缴费】→ 第三方支付 / 协议支付 ------------
async function pension() {
  let captchaId = "";
  let payer = null;
  let quote = null;  // the 提示框's answer, once 确定 was pressed: {selection, data}
  let key = "";
  let orderNo = "";

  const who = () => document.querySelector("input[name=who]:checked").value;
  const newCaptcha = async () => {
    const result = await post(`${API}/captchas`);
    if (!result.ok) return sim.say(result.message);
    captchaId = result.data.captcha_id;
    $("captcha-image").src = result.data.image_url;
    $("captcha").value = "";
  };
  const showWho = () => {
    const other = who() === "other";
    $("other-form").hidden = !other;
    $("self-info").hidden = other;
    if (other && !captchaId) newCaptcha();
  };
  document.querySelectorAll("input[name=who]").forEach((r) => r.addEventListener("change", showWho));
  $("captcha-refresh").addEventListener("click", newCaptcha);
  $("captcha-image").addEventListener("click", newCaptcha);

  const mine = await get(`${API}/me`);
  if (!mine.ok) return sim.say(mine.message);
  const me = mine.data;
  sim.text("self-name", me.self.name);
  sim.text("self-id-type", me.self.id_type);
  sim.text("self-id", me.self.masked_id);

  $("who-next").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    if (who() === "self") {
      payer = me.self;
    } else {  // the guide names no 证件类型 here: a 居民身份证
      const body = { id_type: "居民身份证", name: $("name").value, id_number: $("id_number").value,
        phone: $("phone").value, captcha_id: captchaId, captcha: $("captcha").value };
      button.disabled = true;
      const result = await post(`${API}/others`, body);
      button.disabled = false;
      if (!result.ok) {  // a picture is good for one try, whatever went wrong
        await newCaptcha();
        sim.say(result.message);
        return;
      }
      payer = result.data.payer;
      captchaId = "";
    }
    await listItems();
  });

  const payerBody = () => ({ name: payer.name, id_type: payer.id_type, id_number: payer.id_number });

  async function listItems() {
    const result = await post(`${API}/payer/items`, payerBody());
    if (!result.ok) return sim.say(result.message);
    sim.show("step-items");
    $("items-payer").textContent = `缴费人:${payer.name}  证件号码:${payer.masked_id}`;
    const rows = [];
    for (const item of result.data.items) {
      if (item.insurance !== "pension") {
        rows.push(itemRow({ name: item.name.replace("基本医疗保险费", "基本医疗保险"), disabled: true,
          cells: ["—", "—", item.status, "—"] }));
        continue;
      }
      if (item.system_dues.length) {
        const years = item.system_dues.map((d) => d.year);
        const total = item.system_dues.reduce((sum, d) => sum + Number(d.amount), 0).toFixed(2);
        const kinds = item.system_dues.map((d) => d.kind).filter((k, i, all) => all.indexOf(k) === i).join("、");
        rows.push(itemRow({ name: "城乡居民社会养老保险(系统核定)", kind: "system",
          cells: [`${Math.min(...years)}-01-01 至 ${Math.max(...years)}-12-31`, kinds, "待缴费",
            el("span", {}, `${total}`, el("small", { className: "note" }, "(系统自动生成)"))] }));
      }
      for (const year of item.years) {
        const button = el("button", { type: "button", className: "amount-button", textContent: "缴费金额" });
        const row = itemRow({ name: `城乡居民社会养老保险(${year}年度)`, kind: "current", year,
          cells: [`${year}-01-01 至 ${year}-12-31`, "正常应缴", item.status,
            el("span", {}, button, " ", el("span", { className: "chosen" }))] });
        button.addEventListener("click", () => chooseTier(row, item.tiers));
        rows.push(row);
      }
    }
    $("items").replaceChildren(...rows);
    reset();
  }

  function itemRow({ name, kind = "", year = null, disabled = false, cells }) {
    const box = el("input", { type: "checkbox", name: "item", disabled });
    box.setAttribute("aria-label", name);
    const row = el("tr", { className: disabled ? "disabled" : "" }, el("td", {}, box), el("td", { textContent: name }),
      ...cells.map((c) => el("td", {}, c)));
    row.dataset.kind = kind;
    if (year) row.dataset.year = year;
    box.addEventListener("change", () => {
      if (box.checked) {
        document.querySelectorAll("input[name=item]").forEach((other) => { if (other !== box) other.checked = false; });
      }
      reset();
    });
    return row;
  }

  const chosenRow = () => {
    const box = document.querySelector("input[name=item]:checked");
    return box ? box.closest("tr") : null;
  };

  function reset() {  // a changed choice needs a new 提示框
    quote = null;
    $("total").textContent = "0.00";
    $("pay-hint").textContent = "勾选缴费条目:当年度请点击【缴费金额】选择档次;补缴和特殊身份人员的金额由系统自动生成。";
    document.querySelectorAll("tr[data-kind=current]").forEach((row) => {
      if (!row.querySelector("input[name=item]").checked) { delete row.dataset.tier; row.querySelector(".chosen").textContent = ""; }
    });
  }

  function chooseTier(row, tiers) {
    const box = row.querySelector("input[name=item]");
    if (!box.checked) { box.checked = true; box.dispatchEvent(new Event("change")); }
    $("tiers").replaceChildren(...tiers.map((t) => {
      const radio = el("input", { type: "radio", name: "tier", value: t });
      radio.addEventListener("change", () => {
        row.dataset.tier = t;
        row.querySelector(".chosen").textContent = `${t}元`;
        $("tier-dialog").close();
        reset();
      });
      return el("label", { className: "tier" }, radio, `${t}元`);
    }));
    $("tier-dialog").showModal();
  }
  $("tier-cancel").addEventListener("click", () => $("tier-dialog").close());

  $("pay-now").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    if (quote) return order(button);  // 确定 was pressed: this 【缴费】 makes the order
    const row = chosenRow();
    if (!row) return sim.say("请先勾选缴费条目");
    let choice;
    if (row.dataset.kind === "current") {
      if (!row.dataset.tier) return sim.say("请点击【缴费金额】选择应缴档次金额");
      choice = { pay_type: "选档缴费", year: Number(row.dataset.year), tier: Number(row.dataset.tier) };
    } else {
      choice = { pay_type: "特殊缴费" };
    }
    const selection = { ...payerBody(), insurance: "pension", year: null, tier: null, ...choice };
    button.disabled = true;
    const result = await post(`${API}/quote`, selection);
    button.disabled = false;
    if (!result.ok) return sim.say(result.message);
    const q = result.data;
    sim.kv("confirm-kv", [["缴费人", q.payer.name], ["证件号码", q.payer.id_number], ["征收项目", q.insurance],
      ["费款所属期", q.lines.map((l) => `${l.year}-01-01 至 ${l.year}-12-31`).join("、")],
      ["缴费类型", q.lines.map((l) => l.kind).filter((k, i, all) => all.indexOf(k) === i).join("、")],
      ["缴费金额", `${q.amount}元`]]);
    sim.rows("confirm-lines", q.lines.map((l) => [l.year, l.kind, l.amount, l.government]));
    $("confirm-dialog").dataset.selection = JSON.stringify(selection);
    $("confirm-dialog").dataset.amount = q.amount;
    $("confirm-dialog").showModal();
  });
  $("confirm-cancel").addEventListener("click", () => { $("confirm-dialog").close(); reset(); });
  $("confirm-ok").addEventListener("click", () => {
    const dialog = $("confirm-dialog");
    dialog.close();
    quote = { selection: JSON.parse(dialog.dataset.selection), amount: dialog.dataset.amount };
    key = sim.key();
    $("total").textContent = quote.amount;
    $("pay-hint").textContent = "缴费信息已核对,请点击【缴费】。";
  });

  async function order(button) {
    button.disabled = true;
    const result = await post(`${API}/orders`, { ...quote.selection, idempotency_key: key,
      expected_amount: quote.amount });
    button.disabled = false;
    if (!result.ok) return sim.say(result.message);
    orderNo = result.data.order_no;
    sim.text("way-order", orderNo);
    sim.text("way-payer", `${result.data.payer.name}(${result.data.payer.id_number})`);
    sim.text("way-amount", `${result.data.amount}元`);
    sim.show("step-way");
  }

  $("way-third").addEventListener("click", (event) => {
    const open = $("third-party").hidden;
    $("third-party").hidden = !open;
    event.currentTarget.setAttribute("aria-expanded", String(open));
  });
  const payWith = async (button, gateway) => {
    button.disabled = true;
    const result = await post(`${API}/orders/${orderNo}/pay`, { gateway });
    button.disabled = false;
    if (!result.ok) return sim.say(result.message);
    window.location.href = result.data.cashier_url;
  };
  document.querySelectorAll("button.provider").forEach((b) => b.addEventListener("click", () => payWith(b, b.dataset.gateway)));
  $("way-agreement").addEventListener("click", (event) => payWith(event.currentTarget, "agreement"));
}

// 缴费结果 ----------------------------------------------------------------------------------------------------
async function result() {
  const orderNo = new URLSearchParams(location.search).get("order_no") || "";
  const answer = await get(`${API}/orders/${encodeURIComponent(orderNo)}`);
  if (!answer.ok) { $("result-title").textContent = "查询失败"; return sim.say(answer.message); }
  const o = answer.data;
  const paid = o.status === "PAID";
  $("result-title").textContent = paid ? "缴费成功" : (o.status === "PAYING" ? "支付结果确认中" : `缴费未完成:${o.status_text}`);
  $("result-title").className = `result-title ${paid ? "success" : "failure"}`;
  sim.kv("result-kv", [["缴费人", o.payer.name], ["征收项目", o.insurance],
    ["缴费年度", o.lines.map((l) => l.year).join("、")], ["缴费类型", o.lines.map((l) => l.kind).join("、")],
    ["金额", `${o.amount}元`], ["订单号", o.order_no], ...(o.failure ? [["原因", o.failure]] : [])]);
  if (paid) {
    $("result-receipt").href = `${API}/orders/${encodeURIComponent(o.order_no)}/receipt`;
    $("result-receipt").hidden = false;
  }
}

// 已缴费查询 / 社保费电子缴款回执单 ---------------------------------------------------------------------------------
async function records() {
  const me = await get(`${API}/me`);
  if (!me.ok) return sim.say(me.message);
  const sections = [];
  const problems = [];
  for (const payer of [me.data.self, ...me.data.others]) {
    const answer = await post(`${API}/records/query`,
      { name: payer.name, id_type: payer.id_type, id_number: payer.id_number });
    if (!answer.ok) { problems.push(answer.message); continue; }
    const rows = [...answer.data.records].sort((a, b) => b.paid_at.localeCompare(a.paid_at) || b.year - a.year);
    const section = $("payer-records").content.firstElementChild.cloneNode(true);
    const who = payer === me.data.self ? "本人" : "他人";
    section.setAttribute("aria-label", `${payer.name}的缴费记录`);
    section.querySelector("h2").textContent = `${payer.name}(${payer.masked_id})· ${who}`;
    section.querySelector("table").setAttribute("aria-label", "已缴费信息");
    section.querySelector("tbody").replaceChildren(...rows.map((r) => {
      const link = el("a", { textContent: "社保费电子缴款回执单",
        href: `${API}/orders/${encodeURIComponent(r.order_no)}/receipt` });
      link.setAttribute("download", "");
      return el("tr", {}, ...[r.year, r.period, r.kind, r.amount, r.paid_at.slice(0, 19), r.ticket_no, r.tax_authority]
        .map((v) => el("td", { textContent: String(v) })), el("td", {}, link));
    }));
    if (!rows.length) {
      section.querySelector("tbody").append(el("tr", {}, el("td", { colSpan: 8, className: "empty", textContent: "暂无缴费记录" })));
    }
    sections.push(section);
  }
  $("records").replaceChildren(...sections);
  sim.say(problems.join(";"));
}

sim.hold(({ login, verify, register, bszx: taxCentre, cxyl: pension, result, records }[page] || (() => {}))());
