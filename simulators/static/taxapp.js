// The 宁波税务 APP: 注册, 登录, 个人业务, 社保缴费 → (城乡养老)缴费, 已缴费查询 and 打印缴费回执单 (guide section 3).
const API = "/taxapp/api";
const $ = (id) => document.getElementById(id);
const page = document.querySelector("main").dataset.page;
const store = {
  get() { return JSON.parse(sessionStorage.getItem("taxapp") || "{}"); },
  set(patch) { sessionStorage.setItem("taxapp", JSON.stringify({ ...this.get(), ...patch })); },
};
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

// Every call of a page behind the login: an ended login goes back to 登录.
async function call(method, url, body) {
  const result = await sim.call(method, url, body);
  if (!result.ok && result.status === 401 && result.data && result.data.error && result.data.error.field === "登录") {
    sessionStorage.removeItem("taxapp");
    setTimeout(() => { window.location.href = "/taxapp/login"; }, 1500);
  }
  return result;
}
const post = (url, body) => call("POST", url, body ?? {});
const get = (url) => call("GET", url);

document.querySelectorAll("[data-unavailable]").forEach((button) => {
  button.addEventListener("click", () => sim.say(`本模拟未提供“${button.textContent.trim()}”,请使用【社保缴费】`));
});

// 注册 ------------------------------------------------------------------------------------------------------
function register() {
  let countdown = 0;
  const send = $("send-code");
  send.addEventListener("click", async () => {
    if (countdown > 0) return;
    const result = await post(`${API}/sms/code`, { phone: $("phone").value, purpose: "register" });
    if (!result.ok) return sim.say(result.message);
    sim.say("");
    countdown = result.data.resend_after;
    send.disabled = true;
    const tick = setInterval(() => {
      countdown -= 1;
      send.textContent = countdown > 0 ? `${countdown}秒后重新获取` : "获取验证码";
      if (countdown <= 0) { clearInterval(tick); send.disabled = false; }
    }, 1000);
    send.textContent = `${countdown}秒后重新获取`;
  });
  $("register-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = ["phone", "sms_code", "password", "password_confirm", "name", "id_type", "id_number"];
    const body = Object.fromEntries(fields.map((f) => [f, $(f).value]));
    $("register").disabled = true;
    const result = await post(`${API}/accounts`, body);
    $("register").disabled = false;
    if (!result.ok) return sim.say(result.message);
    sessionStorage.removeItem("taxapp");
    window.location.href = "/taxapp/identity?registered=1";
  });
}

// 登录 ------------------------------------------------------------------------------------------------------
function login() {
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login").disabled = true;
    const result = await post(`${API}/sessions`, { phone: $("phone").value, password: $("password").value });
    $("login").disabled = false;
    if (!result.ok) return sim.say(result.message);
    sessionStorage.removeItem("taxapp");
    window.location.href = "/taxapp/identity";
  });
}

// 选择【个人业务】 ----------------------------------------------------------------------------------------------
async function identity() {
  const choose = async (business) => {
    const result = await post(`${API}/business`, { business });
    if (!result.ok) return sim.say(result.message);
    window.location.href = "/taxapp/home";
  };
  $("personal").addEventListener("click", () => choose("个人业务"));
  $("business").addEventListener("click", () => choose("企业业务"));
  const me = await get(`${API}/me`);
  if (me.ok) {
    const registered = new URLSearchParams(location.search).get("registered");
    $("welcome").textContent = `${registered ? "注册成功。" : ""}${me.data.self.name}(${me.data.phone}),请选择业务类型`;
  }
}

// 首页 ------------------------------------------------------------------------------------------------------
async function home() {
  $("logout").addEventListener("click", async () => {
    await post(`${API}/logout`);
    sessionStorage.removeItem("taxapp");
    window.location.href = "/taxapp/";
  });
  const me = await get(`${API}/me`);
  if (me.ok) {
    sim.text("me-name", me.data.self.name);
    sim.text("me-phone", me.data.phone);
    sim.text("me-business", me.data.business || "");
  }
}

// (城乡养老)缴费: 办理对象 → 条目与缴费金额 → 提示框 → 缴费 → 缴费方式 → 确认缴费 ---------------------------------
async function pension() {
  let me = null;
  let captchaId = "";
  let payer = null;
  let pending = null; // the row being chosen: {row, pay_type, year, tier}
  let quote = null;
  let key = "";

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
  me = mine.data;
  sim.text("self-name", me.self.name);
  sim.text("self-id-type", me.self.id_type);
  sim.text("self-id", me.self.masked_id);

  $("who-next").addEventListener("click", async (event) => {
    if (who() === "self") {
      payer = me.self;
    } else {
      const body = { id_type: $("id_type").value, name: $("name").value, id_number: $("id_number").value,
        phone: $("phone").value, captcha_id: captchaId, captcha: $("captcha").value };
      event.target.disabled = true;
      const result = await post(`${API}/others`, body);
      event.target.disabled = false;
      if (!result.ok) {  // a picture is good for one try on this page, whatever went wrong
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
    $("items-payer").textContent = `缴费人:${payer.name}(${payer.masked_id})`;
    const rows = [];
    for (const item of result.data.items) {
      if (item.insurance !== "pension") {
        rows.push(itemRow({ name: item.name.replace("基本医疗保险费", "医疗保险"), disabled: true,
          details: [["状态", item.status]] }));
        continue;
      }
      if (item.system_dues.length) {
        const years = item.system_dues.map((d) => d.year);
        const total = item.system_dues.reduce((sum, d) => sum + Number(d.amount), 0).toFixed(2);
        rows.push(itemRow({ name: "城乡居民社会养老保险(系统核定)", kind: "system",
          details: [["费款所属期", `${Math.min(...years)}-01-01 至 ${Math.max(...years)}-12-31`],
            ["缴费明细", item.system_dues.map((d) => `${d.year}年度${d.kind}${d.amount}元`).join("、")],
            ["缴费金额", `${total}元(系统自动生成,无需选择)`]] }));
      }
      for (const year of item.years) {
        const amount = el("span", { className: "chosen" });
        const button = el("button", { type: "button", className: "amount-button", textContent: "缴费金额" });
        const row = itemRow({ name: `城乡居民社会养老保险(${year}年度)`, kind: "current", year,
          details: [["费款所属期", `${year}-01-01 至 ${year}-12-31`], ["状态", item.status],
            ["缴费金额", el("span", {}, button, " ", amount)]] });
        button.addEventListener("click", () => chooseTier(row, item.tiers));
        rows.push(row);
      }
    }
    $("items").replaceChildren(...rows);
    resetTotal();
  }

  function itemRow({ name, kind = "", year = null, disabled = false, details }) {
    const box = el("input", { type: "checkbox", name: "item", disabled });
    const row = el("div", { className: `item-row${disabled ? " disabled" : ""}` }, el("label", {}, box, name));
    const list = el("dl", { className: "kv" });
    row.append(list);
    row.dataset.kind = kind;
    if (year) row.dataset.year = year;
    list.replaceChildren(...details.flatMap(([k, v]) => [el("dt", { textContent: k }), el("dd", {}, v)]));
    box.addEventListener("change", () => {
      if (!box.checked) { resetTotal(); return; }
      document.querySelectorAll("input[name=item]").forEach((other) => { if (other !== box) other.checked = false; });
      resetTotal();
      if (kind === "system") quoteFor(row, { pay_type: "特殊缴费" });
    });
    return row;
  }

  function resetTotal() {
    quote = null;
    $("total").textContent = "0.00";
    $("pay-now").disabled = true;
    document.querySelectorAll(".chosen").forEach((span) => { span.textContent = ""; });
  }

  function chooseTier(row, tiers) {
    const box = row.querySelector("input[name=item]");
    if (!box.checked) { box.checked = true; box.dispatchEvent(new Event("change")); }
    $("tiers").replaceChildren(...tiers.map((t) => el("label", { className: "item" },
      el("input", { type: "radio", name: "tier", value: t }), `${t}元`)));
    pending = row;
    $("tier-sheet").showModal();
  }
  $("tier-cancel").addEventListener("click", () => $("tier-sheet").close());
  $("tier-ok").addEventListener("click", async () => {
    const chosen = document.querySelector("input[name=tier]:checked");
    if (!chosen) return sim.say("请选择缴费档次");
    $("tier-sheet").close();
    await quoteFor(pending, { pay_type: "选档缴费", year: Number(pending.dataset.year), tier: Number(chosen.value) });
  });

  async function quoteFor(row, choice) {
    const selection = { ...payerBody(), insurance: "pension", year: null, tier: null, ...choice };
    const result = await post(`${API}/quote`, selection);
    if (!result.ok) {
      row.querySelector("input[name=item]").checked = false;
      return sim.say(result.message);
    }
    sim.say("");
    const q = result.data;
    const chosen = row.querySelector(".chosen");
    if (chosen) chosen.textContent = `${q.amount}元`;
    sim.kv("confirm-kv", [["缴费人", q.payer.name], ["证件号码", q.payer.id_number], ["险种", q.insurance],
      ["费款所属期", q.lines.map((l) => `${l.year}-01-01 至 ${l.year}-12-31`).join("、")],
      ["缴费类型", q.lines.map((l) => l.kind).filter((k, i, all) => all.indexOf(k) === i).join("、")],
      ["缴费金额", `${q.amount}元`]]);
    sim.rows("confirm-lines", q.lines.map((l) => [l.year, l.kind, l.amount, l.government]));
    quote = { selection, data: q };
    $("confirm-dialog").showModal();
  }
  $("confirm-cancel").addEventListener("click", () => {
    $("confirm-dialog").close();
    document.querySelectorAll("input[name=item]").forEach((box) => { box.checked = false; });
    resetTotal();
  });
  $("confirm-ok").addEventListener("click", () => {
    $("confirm-dialog").close();
    key = sim.key();
    $("total").textContent = quote.data.amount;
    $("pay-now").disabled = false;
  });

  $("pay-now").addEventListener("click", async (event) => {
    if (!quote) return sim.say("请先勾选缴费条目并确认缴费金额");
    event.target.disabled = true;
    const result = await post(`${API}/orders`, { ...quote.selection, idempotency_key: key,
      expected_amount: quote.data.amount });
    event.target.disabled = false;
    if (!result.ok) return sim.say(result.message);
    store.set({ order_no: result.data.order_no });
    sim.text("way-order", result.data.order_no);
    sim.text("way-amount", `${result.data.amount}元`);
    sim.show("step-way");
  });

  document.querySelectorAll("input[name=way]").forEach((radio) => radio.addEventListener("change", () => {
    const third = document.querySelector("input[name=way]:checked").value === "third";
    $("third-party").hidden = !third;
    $("agreement-note").hidden = third;
  }));
  $("confirm-pay").addEventListener("click", async (event) => {
    const way = document.querySelector("input[name=way]:checked").value;
    const gateway = way === "third" ? document.querySelector("input[name=gateway]:checked").value : way;
    event.target.disabled = true;
    const result = await post(`${API}/orders/${store.get().order_no}/pay`, { gateway });
    event.target.disabled = false;
    if (!result.ok) return sim.say(result.message);
    window.location.href = result.data.cashier_url;
  });
}

// 缴费结果 ----------------------------------------------------------------------------------------------------
async function result() {
  const orderNo = new URLSearchParams(location.search).get("order_no") || "";
  const answer = await get(`${API}/orders/${encodeURIComponent(orderNo)}`);
  if (!answer.ok) { $("result-title").textContent = "查询失败"; return sim.say(answer.message); }
  const o = answer.data;
  const paid = o.status === "PAID";
  $("result-title").textContent = paid ? "缴费成功" : (o.status === "PAYING" ? "支付结果确认中" : `缴费未完成:${o.status_text}`);
  $("result-title").className = paid ? "success" : "failure";
  sim.kv("result-kv", [["缴费人", o.payer.name], ["险种", o.insurance],
    ["缴费年度", o.lines.map((l) => l.year).join("、")], ["缴费类型", o.lines.map((l) => l.kind).join("、")],
    ["金额", `${o.amount}元`], ["订单号", o.order_no], ...(o.failure ? [["原因", o.failure]] : [])]);
  if (paid) {
    $("result-receipt").href = `${API}/orders/${encodeURIComponent(o.order_no)}/receipt`;
    $("result-receipt").hidden = false;
  }
}

// 已缴费查询 / 打印缴费回执单 ---------------------------------------------------------------------------------------
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
    const list = section.querySelector("ul");
    list.setAttribute("aria-label", "已缴费信息");
    list.replaceChildren(...rows.map((r) => {
      const link = el("a", { className: "btn secondary small", textContent: "打印缴费回执单",
        href: `${API}/orders/${encodeURIComponent(r.order_no)}/receipt` });
      link.setAttribute("download", "");
      const details = el("dl", { className: "kv" });
      sim.kv(details, [["缴费年度", String(r.year)], ["费款所属期", r.period], ["缴费类型", r.kind],
        ["缴费金额", `${r.amount}元`], ["缴费时间", r.paid_at], ["电子税票号码", r.ticket_no],
        ["税务机关", r.tax_authority]]);
      return el("li", {}, el("h3", { textContent: `${r.year}年度 ${r.insurance}` }), details, link);
    }));
    if (!rows.length) section.append(el("p", { className: "note", textContent: "暂无缴费记录" }));
    sections.push(section);
  }
  $("records").replaceChildren(...sections);
  sim.say(problems.join(";"));
}

sim.hold(({ register, login, identity, home, cxyl: pension, result, records }[page] || (() => {}))());
