// 浙里办 APP: 注册, 登录, 首页 → 办事服务 → district → 线上一站办 → 按部门 → the district's tax bureau →
// 城乡居民社会保险费申报缴费 → 在线办理 → (城乡养老)缴费, 已缴费查询 and 打印缴费回执单 (guide section 5).
const API = "/zheliban/api";
const $ = (id) => document.getElementById(id);
const page = document.querySelector("main").dataset.page;
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

// Every call of a page behind the login: an ended login goes back to 登录.
async function call(method, url, body) {
  const result = await sim.call(method, url, body);
  if (!result.ok && result.status === 401 && result.data && result.data.error && result.data.error.field === "登录") {
    setTimeout(() => { window.location.href = "/zheliban/login"; }, 1500);
  }
  return result;
}
const post = (url, body) => call("POST", url, body ?? {});
const get = (url) => call("GET", url);

document.querySelectorAll("[data-unavailable]").forEach((button) => {
  button.addEventListener("click", () => sim.say(`本模拟未提供“${button.textContent.replace("›", "").trim()}”`));
});

// 注册 and 登录 -------------------------------------------------------------------------------------------------
function register() {
  let countdown = 0;
  const send = $("send-code");
  send.addEventListener("click", async () => {
    if (countdown > 0) return;
    const result = await post(`${API}/sms/code`, { phone: $("phone").value, purpose: "register" });
    if (!result.ok) return sim.say(result.message);
    countdown = result.data.resend_after;
    send.disabled = true;
    send.textContent = `${countdown}秒后重新获取`;
    const tick = setInterval(() => {
      countdown -= 1;
      send.textContent = countdown > 0 ? `${countdown}秒后重新获取` : "获取验证码";
      if (countdown <= 0) { clearInterval(tick); send.disabled = false; }
    }, 1000);
  });
  $("register-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = ["phone", "sms_code", "password", "password_confirm", "name", "id_type", "id_number"];
    $("register").disabled = true;
    const result = await post(`${API}/accounts`, Object.fromEntries(fields.map((f) => [f, $(f).value])));
    $("register").disabled = false;
    if (!result.ok) return sim.say(result.message);
    window.location.href = "/zheliban/home";
  });
}

function login() {
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login").disabled = true;
    const result = await post(`${API}/sessions`, { phone: $("phone").value, password: $("password").value });
    $("login").disabled = false;
    if (!result.ok) return sim.say(result.message);
    window.location.href = "/zheliban/home";
  });
}

// 首页, 办事服务 (the district), 线上一站办 (按部门), the tax bureau's 事项, 在线办理 -------------------------------------
async function home() {
  $("logout").addEventListener("click", async () => {
    await post(`${API}/logout`);
    window.location.href = "/zheliban/";
  });
  const me = await get(`${API}/me`);
  if (me.ok) {
    sim.text("me-name", me.data.self.name);
    sim.text("me-phone", me.data.phone);
  }
}

function services() {
  document.querySelectorAll("[data-district]").forEach((button) => button.addEventListener("click", async () => {
    const result = await post(`${API}/district`, { district: button.dataset.district });
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

// (城乡养老)缴费: 办理对象 → 条目与缴费金额 → 提示框 → 【确定】 → 【缴费】 → 支付方式 → 【确认缴费】 ------------------------------
async function pension() {
  let captchaId = "";
  let payer = null;
  let pending = null; // the current-year row whose tier is being chosen
  let quote = null; // {selection, data, confirmed}
  let key = "";

  const who = () => document.querySelector("input[name=who]:checked").value;
  const newCaptcha = async () => {
    const result = await post(`${API}/captchas`);
    if (!result.ok) return sim.say(result.message);
    captchaId = result.data.captcha_id;
    $("captcha-image").src = result.data.image_url;
    $("captcha").value = "";
  };
  document.querySelectorAll("input[name=who]").forEach((radio) => radio.addEventListener("change", () => {
    const other = who() === "other";
    $("other-form").hidden = !other;
    $("self-info").hidden = other;
    if (other && !captchaId) newCaptcha();
  }));
  $("captcha-refresh").addEventListener("click", newCaptcha);
  $("captcha-image").addEventListener("click", newCaptcha);

  const mine = await get(`${API}/me`);
  if (!mine.ok) return sim.say(mine.message);
  const me = mine.data;
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
      if (!result.ok) {  // a picture is good for one try, whatever went wrong
        await newCaptcha();
        return sim.say(result.message);
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
        rows.push(itemRow({ name: item.name, disabled: true, status: item.status, details: [] }));
        continue;
      }
      if (item.system_dues.length) {
        const years = item.system_dues.map((d) => d.year);
        const total = item.system_dues.reduce((sum, d) => sum + Number(d.amount), 0).toFixed(2);
        rows.push(itemRow({ name: "城乡居民社会养老保险(系统核定)", kind: "system", status: "待缴费",
          details: [["费款所属期", `${Math.min(...years)}-01-01 至 ${Math.max(...years)}-12-31`],
            ["缴费明细", item.system_dues.map((d) => `${d.year}年度${d.kind}${d.amount}元`).join("、")],
            ["缴费金额", `${total}元(系统自动生成,无需选择)`]] }));
      }
      for (const year of item.years) {
        const amount = el("span", { className: "chosen" });
        const button = el("button", { type: "button", className: "amount-button", textContent: "缴费金额" });
        const row = itemRow({ name: `城乡居民社会养老保险(${year}年度)`, kind: "current", year, status: item.status,
          details: [["费款所属期", `${year}-01-01 至 ${year}-12-31`], ["缴费金额", el("span", {}, button, " ", amount)]] });
        button.addEventListener("click", () => chooseTier(row, item.tiers));
        rows.push(row);
      }
    }
    $("items").replaceChildren(...rows);
    reset();
  }

  function itemRow({ name, kind = "", year = null, disabled = false, status, details }) {
    const box = el("input", { type: "checkbox", name: "item", disabled });
    const row = el("div", { className: `item-row${disabled ? " disabled" : ""}` }, el("label", {}, box, name));
    row.append(el("dl", { className: "kv" }));
    sim.kv(row.querySelector("dl"), [["状态", el("span", { className: "item-status", textContent: status })],
      ...details]);
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

  function reset() {
    quote = null;
    $("total").textContent = "0.00";
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
    if (!chosen) return sim.say("请选择应缴档次金额");
    $("tier-sheet").close();
    await quoteFor(pending, { pay_type: "选档缴费", year: Number(pending.dataset.year), tier: Number(chosen.value) });
  });

  // The 提示框: what the core computed for the ticked item, to be checked before 【确定】.
  async function quoteFor(row, choice) {
    const selection = { ...payerBody(), insurance: "pension", year: null, tier: null, ...choice };
    const result = await post(`${API}/quote`, selection);
    if (!result.ok) {
      row.querySelector("input[name=item]").checked = false;
      return sim.say(result.message);
    }
    const q = result.data;
    const chosen = row.querySelector(".chosen");
    if (chosen) chosen.textContent = `${q.amount}元`;
    $("total").textContent = q.amount;
    sim.kv("confirm-kv", [["缴费人", q.payer.name], ["证件号码", q.payer.id_number], ["险种", q.insurance],
      ["费款所属期", q.lines.map((l) => `${l.year}-01-01 至 ${l.year}-12-31`).join("、")],
      ["征收机关", $("bureau").textContent], ["缴费金额", `${q.amount}元`]]);
    sim.rows("confirm-lines", q.lines.map((l) => [l.year, l.kind, l.amount, l.government]));
    quote = { selection, data: q, confirmed: false };
    $("confirm-dialog").showModal();
  }
  $("confirm-cancel").addEventListener("click", () => {
    $("confirm-dialog").close();
    document.querySelectorAll("input[name=item]").forEach((box) => { box.checked = false; });
    reset();
  });
  $("confirm-ok").addEventListener("click", () => {
    $("confirm-dialog").close();
    quote.confirmed = true;
    key = sim.key();
  });

  // 【缴费】: with an item whose amount the system generates, it first shows the 提示框; once the 提示框 is
  // confirmed, it submits the order.
  $("pay-now").addEventListener("click", async (event) => {
    const ticked = document.querySelector("input[name=item]:checked");
    if (!ticked) return sim.say("请勾选缴费条目");
    const row = ticked.closest(".item-row");
    if (!quote || !quote.confirmed) {
      if (row.dataset.kind === "system") return quoteFor(row, { pay_type: "特殊缴费" });
      return sim.say("请点击【缴费金额】选择应缴档次金额,并核对提示框中的缴费信息");
    }
    event.target.disabled = true;
    const result = await post(`${API}/orders`, { ...quote.selection, idempotency_key: key,
      expected_amount: quote.data.amount });
    event.target.disabled = false;
    if (!result.ok) return sim.say(result.message);
    sessionStorage.setItem("zheliban-order", result.data.order_no);
    sim.text("way-order", result.data.order_no);
    sim.text("way-amount", `${result.data.amount}元`);
    sim.show("step-way");
  });

  document.querySelectorAll("input[name=way]").forEach((radio) => radio.addEventListener("change", () => {
    const agreement = document.querySelector("input[name=way]:checked").value === "agreement";
    $("third-note").hidden = agreement;
    $("agreement-note").hidden = !agreement;
  }));
  $("confirm-pay").addEventListener("click", async (event) => {
    const gateway = document.querySelector("input[name=way]:checked").value;
    event.target.disabled = true;
    const result = await post(`${API}/orders/${sessionStorage.getItem("zheliban-order")}/pay`, { gateway });
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
    section.setAttribute("aria-label", `${payer.name}的缴费记录`);
    section.querySelector("h2").textContent = `${payer.name}(${payer.masked_id})· ${payer === me.data.self ? "本人" : "他人"}`;
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

sim.hold(({
  register, login, home, services, yzb: oneStop, dept: bureau, sbf: residentsFee, cxyl: pension, result, records,
}[page] || (() => {}))());
