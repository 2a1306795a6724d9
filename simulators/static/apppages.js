// What the pages of the three app channels (宁波税务APP, 电子税务局, 浙里办APP) share, written once: their calls to
// the channel's back end (an ended login goes back to 登录), 退出登录, 获取验证码, the phone apps' 注册, 登录 and 首页,
// and (城乡养老)缴费 with its result, 已缴费查询 and the receipts. appPages(config) takes what a channel does its
// own way; the phone apps' layout is the default, and the desktop site brings its own rows and ways to pay.
//
// config: channel (its pages are /<channel>/…, its back end /<channel>/api); quote: what brings up the 提示框, as the
//   guide says: for the current year's tier its sheet's 【确定】 (tier: "sheet") or 【缴费】 (tier: "pay": the tier is
//   then only chosen, and kept on its row), for an amount the system generates ticking it (system: "tick") or 【缴费】
//   (system: "pay"); confirm: the 提示框's rows; words: {noTier, pick, unsettled, ready} (no tier chosen in the sheet; 【缴费】 with
//   nothing ticked; with the ticked item's amount not yet settled; the hint once the 提示框 is confirmed);
//   details(row) → the [name, value] pairs a phone row lists, or itemRow(row, checkbox) → a desktop row;
//   payerLine(payer), otherItem(name), insurance, receipt: wording; listRecords and ways: a desktop site's own.
function appPages(config) {
  const API = `/${config.channel}/api`;
  const $ = (id) => document.getElementById(id);
  const el = sim.el;
  const words = config.words || {};
  const insurance = config.insurance || "险种";
  const receiptName = config.receipt || "打印缴费回执单";
  const payerLine = config.payerLine || ((p) => `缴费人:${p.name}(${sim.maskId(p.masked_id)})`);
  const unique = (list) => [...new Set(list)];

  // Every call of a page behind the login: an ended (or half-done) login goes back to 登录.
  async function call(method, url, body) {
    const result = await sim.call(method, url, body);
    if (!result.ok && result.status === 401 && result.data && result.data.error && result.data.error.field === "登录") {
      setTimeout(() => { window.location.href = `/${config.channel}/login`; }, 1500);
    }
    return result;
  }
  const post = (url, body) => call("POST", url, body ?? {});
  const get = (url) => call("GET", url);

  if ($("logout")) {
    $("logout").addEventListener("click", async () => {
      await post(`${API}/logout`);
      window.location.href = `/${config.channel}/`;
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
    sim.note(`短信验证码已发送至${sim.maskPhone(result.data.phone)},${Math.round(result.data.expires_in / 60)}分钟内有效`);
    const tick = setInterval(() => {
      left -= 1;
      button.textContent = left > 0 ? `${left}秒后重新获取` : "获取验证码";
      if (left <= 0) { clearInterval(tick); button.disabled = false; }
    }, 1000);
  }

  // A form whose 【button】 posts body() to url and goes on to next; a refusal is said on the page.
  function submit(form, button, url, body, next) {
    $(form).addEventListener("submit", async (event) => {
      event.preventDefault();
      $(button).disabled = true;
      const result = await post(url, body());
      $(button).disabled = false;
      if (!result.ok) return sim.say(result.message);
      window.location.href = next;
    });
  }
  const values = (...ids) => Object.fromEntries(ids.map((id) => [id, $(id).value]));

  // 注册 and 登录 of a phone app: the phone number with its SMS code, the password twice and the real-name fields;
  // the phone number and the password. Then on to next.
  function register(next) {
    $("send-code").addEventListener("click", (event) => sendCode(event.currentTarget, `${API}/sms/code`,
      { phone: $("phone").value, purpose: "register" }));
    submit("register-form", "register", `${API}/accounts`,
      () => values("phone", "sms_code", "password", "password_confirm", "name", "id_type", "id_number"), next);
  }
  function login(next) {
    submit("login-form", "login", `${API}/sessions`, () => values("phone", "password"), next);
  }

  // 首页 of a phone app: who is logged in.
  async function home() {
    const me = await get(`${API}/me`);
    if (!me.ok) return;
    sim.text("me-name", me.data.self.name);
    sim.text("me-phone", sim.maskPhone(me.data.phone));
    if ($("me-business")) sim.text("me-business", me.data.business || "");
  }

  // (城乡养老)缴费: 办理对象 → the items and their amounts → the 提示框 → 【确定】 → 【缴费】 → the ways to pay -----------
  async function pension() {
    let captchaId = "";
    let payer = null;
    let pending = null;  // the current-year row whose tier is being chosen in the sheet
    let quote = null;  // what the 提示框 shows: {selection, amount, confirmed}
    let key = "";
    let orderNo = "";
    const picks = config.quote.tier === "pay";
    const locked = $("pay-now").disabled;  // a 【缴费】 that waits for the 提示框's 【确定】
    const hint = $("pay-hint") ? $("pay-hint").textContent : "";
    const tierSheet = $("tiers").closest("dialog");
    const SPECIAL = { pay_type: "特殊缴费" };

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
    sim.text("self-id", sim.maskId(me.self.masked_id));

    $("who-next").addEventListener("click", async (event) => {
      const button = event.currentTarget;
      if (who() === "self") {
        payer = me.self;
      } else {  // a page that asks for no 证件类型 means a 居民身份证
        const body = { id_type: $("id_type") ? $("id_type").value : "居民身份证", name: $("name").value,
          id_number: $("id_number").value, phone: $("phone").value, captcha_id: captchaId, captcha: $("captcha").value };
        button.disabled = true;
        const result = await post(`${API}/others`, body);
        button.disabled = false;
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
      $("items-payer").textContent = payerLine(payer);
      $("items").replaceChildren(...result.data.items.flatMap(described).map(itemRow));
      reset();
    }

    // The rows of one insured item: the pension's amount the system generates (arrears, special status) and each
    // year whose tier is chosen; any other insurance is shown, not payable here.
    function described(item) {
      if (item.insurance !== "pension") {
        return [{ name: config.otherItem ? config.otherItem(item.name) : item.name, kind: "", disabled: true,
          status: item.status }];
      }
      const rows = [];
      if (item.system_dues.length) {
        const years = item.system_dues.map((d) => d.year);
        const total = item.system_dues.reduce((sum, d) => sum + Number(d.amount), 0).toFixed(2);
        rows.push({ name: "城乡居民社会养老保险(系统核定)", kind: "system", status: "待缴费", total,
          period: `${Math.min(...years)}-01-01 至 ${Math.max(...years)}-12-31`,
          dues: item.system_dues.map((d) => `${d.year}年度${d.kind}${d.amount}元`).join("、"),
          kinds: unique(item.system_dues.map((d) => d.kind)).join("、"),
          amount: `${total}元(系统自动生成,无需选择)` });
      }
      for (const year of item.years) {
        const button = el("button", { type: "button", className: "amount-button", textContent: "缴费金额" });
        rows.push({ name: `城乡居民社会养老保险(${year}年度)`, kind: "current", year, status: item.status,
          period: `${year}-01-01 至 ${year}-12-31`, kinds: "正常应缴", tiers: item.tiers, button,
          amount: el("span", {}, button, " ", el("span", { className: "chosen" })) });
      }
      return rows;
    }

    function itemRow(r) {
      const box = el("input", { type: "checkbox", name: "item", disabled: Boolean(r.disabled) });
      const row = (config.itemRow || phoneRow)(r, box);
      row.dataset.kind = r.kind;
      if (r.year) row.dataset.year = r.year;
      if (r.total) row.dataset.total = r.total;
      if (r.button) r.button.addEventListener("click", () => chooseTier(row, r.tiers));
      box.addEventListener("change", () => {
        if (box.checked) {
          document.querySelectorAll("input[name=item]").forEach((other) => { if (other !== box) other.checked = false; });
        }
        reset();
        if (box.checked && r.kind === "system" && config.quote.system === "tick") quoteFor(row, SPECIAL);
      });
      return row;
    }

    function phoneRow(r, box) {
      const details = el("dl", { className: "kv" });
      sim.kv(details, config.details(r).filter((pair) => pair && pair[1] !== undefined));
      return el("div", { className: `item-row${r.disabled ? " disabled" : ""}` }, el("label", {}, box, r.name), details);
    }

    function reset() {  // a changed choice needs a new 提示框
      quote = null;
      if (locked) $("pay-now").disabled = true;
      if (hint) $("pay-hint").textContent = hint;
      document.querySelectorAll("[data-kind=current]").forEach((row) => {
        if (picks && row.querySelector("input[name=item]").checked) return;  // its chosen tier stays
        delete row.dataset.tier;
        row.querySelector(".chosen").textContent = "";
      });
      showTotal();
    }

    // 合计: the ticked item's amount as soon as it is known: the 提示框's, the amount the system sets on its row, or
    // the tier chosen on its row.
    function showTotal() {
      const box = document.querySelector("input[name=item]:checked");
      const row = box ? box.closest("[data-kind]") : null;
      const tier = row && row.dataset.tier ? Number(row.dataset.tier).toFixed(2) : "";
      $("total").textContent = (quote && quote.amount) || (row && row.dataset.total) || tier || "0.00";
    }

    function chooseTier(row, tiers) {
      const box = row.querySelector("input[name=item]");
      if (!box.checked) { box.checked = true; box.dispatchEvent(new Event("change")); }
      $("tiers").replaceChildren(...tiers.map((t) => {
        const radio = el("input", { type: "radio", name: "tier", value: t });
        if (picks) {
          radio.addEventListener("change", () => {
            row.dataset.tier = t;
            row.querySelector(".chosen").textContent = `${t}元`;
            tierSheet.close();
            reset();
          });
        }
        return el("label", { className: picks ? "tier" : "item" }, radio, `${t}元`);
      }));
      pending = row;
      tierSheet.showModal();
    }
    $("tier-cancel").addEventListener("click", () => tierSheet.close());
    if (!picks) {
      $("tier-ok").addEventListener("click", async () => {
        const chosen = document.querySelector("input[name=tier]:checked");
        if (!chosen) return sim.say(words.noTier);
        tierSheet.close();
        await quoteFor(pending, { pay_type: "选档缴费", year: Number(pending.dataset.year), tier: Number(chosen.value) });
      });
    }

    // The 提示框: what the core computed for the ticked item, to be checked before 【确定】.
    async function quoteFor(row, choice, button) {
      const selection = { ...payerBody(), insurance: "pension", year: null, tier: null, ...choice };
      if (button) button.disabled = true;
      const result = await post(`${API}/quote`, selection);
      if (button) button.disabled = false;
      if (!result.ok) {
        if (!picks) row.querySelector("input[name=item]").checked = false;
        showTotal();
        return sim.say(result.message);
      }
      const q = result.data;
      const chosen = row.querySelector(".chosen");
      if (chosen && !picks) chosen.textContent = `${q.amount}元`;
      const shown = { 缴费人: q.payer.name, 证件号码: sim.maskId(q.payer.id_number), [insurance]: q.insurance,
        费款所属期: q.lines.map((l) => `${l.year}-01-01 至 ${l.year}-12-31`).join("、"),
        缴费类型: unique(q.lines.map((l) => l.kind)).join("、"),
        征收机关: $("bureau") ? $("bureau").textContent : "", 缴费金额: `${q.amount}元` };
      sim.kv("confirm-kv", config.confirm.map((name) => [name, shown[name]]));
      sim.rows("confirm-lines", q.lines.map((l) => [l.year, l.kind, l.amount, l.government]));
      quote = { selection, amount: q.amount, confirmed: false };
      showTotal();
      $("confirm-dialog").showModal();
    }
    $("confirm-cancel").addEventListener("click", () => {
      $("confirm-dialog").close();
      if (!picks) document.querySelectorAll("input[name=item]").forEach((box) => { box.checked = false; });
      reset();
    });
    $("confirm-ok").addEventListener("click", () => {
      $("confirm-dialog").close();
      quote.confirmed = true;
      key = sim.key();
      $("pay-now").disabled = false;
      if (hint) $("pay-hint").textContent = words.ready;
    });

    // 【缴费】: once the 提示框 is confirmed it makes the order; before, where the channel's 提示框 comes with it, it
    // brings that up.
    $("pay-now").addEventListener("click", async (event) => {
      const button = event.currentTarget;
      if (quote && quote.confirmed) return order(button);
      const box = document.querySelector("input[name=item]:checked");
      if (!box) return sim.say(words.pick);
      const row = box.closest("[data-kind]");
      if (row.dataset.kind === "system" && config.quote.system === "pay") return quoteFor(row, SPECIAL, button);
      if (row.dataset.kind === "current" && picks && row.dataset.tier) {
        return quoteFor(row, { pay_type: "选档缴费", year: Number(row.dataset.year), tier: Number(row.dataset.tier) },
          button);
      }
      return sim.say(words.unsettled);
    });

    async function order(button) {
      button.disabled = true;
      const result = await post(`${API}/orders`, { ...quote.selection, idempotency_key: key,
        expected_amount: quote.amount });
      button.disabled = false;
      if (!result.ok) return sim.say(result.message);
      orderNo = result.data.order_no;
      sim.text("way-order", orderNo);
      if ($("way-payer")) sim.text("way-payer", `${result.data.payer.name}(${sim.maskId(result.data.payer.id_number)})`);
      sim.text("way-amount", `${result.data.amount}元`);
      sim.show("step-way");
    }

    const payWith = async (button, gateway) => {
      button.disabled = true;
      const result = await post(`${API}/orders/${orderNo}/pay`, { gateway });
      button.disabled = false;
      if (!result.ok) return sim.say(result.message);
      window.location.href = result.data.cashier_url;
    };
    (config.ways || phoneWays)(payWith);
  }

  // A phone app's ways to pay: radio buttons, each followed by what it shows while chosen (the providers of 第三方支付,
  // a note), then 【确认缴费】.
  function phoneWays(payWith) {
    const ways = [...document.querySelectorAll("input[name=way]")];
    ways.forEach((radio) => radio.addEventListener("change", () => {
      ways.forEach((way) => { way.closest("label").nextElementSibling.hidden = !way.checked; });
    }));
    $("confirm-pay").addEventListener("click", (event) => {
      const way = document.querySelector("input[name=way]:checked").value;
      const gateway = way === "third" ? document.querySelector("input[name=gateway]:checked").value : way;
      payWith(event.currentTarget, gateway);
    });
  }

  // 缴费结果 -----------------------------------------------------------------------------------------------------
  async function result() {
    const orderNo = new URLSearchParams(location.search).get("order_no") || "";
    const answer = await get(`${API}/orders/${encodeURIComponent(orderNo)}`);
    const title = $("result-title");
    if (!answer.ok) { title.textContent = "查询失败"; return sim.say(answer.message); }
    const o = answer.data;
    const paid = o.status === "PAID";
    title.textContent = paid ? "缴费成功" : (o.status === "PAYING" ? "支付结果确认中" : `缴费未完成:${o.status_text}`);
    title.classList.remove("success", "failure");
    title.classList.add(paid ? "success" : "failure");
    sim.kv("result-kv", [["缴费人", o.payer.name], [insurance, o.insurance],
      ["缴费年度", o.lines.map((l) => l.year).join("、")], ["缴费类型", unique(o.lines.map((l) => l.kind)).join("、")],
      ["金额", `${o.amount}元`], ["订单号", o.order_no], ...(o.failure ? [["原因", o.failure]] : [])]);
    if (paid) {
      $("result-receipt").href = receiptUrl(o.order_no);
      $("result-receipt").hidden = false;
    }
    if (o.status === "PAYING") sim.later(result);  // asked again until the provider's answer is known
  }

  // 已缴费查询 and the receipts: the payments of 本人 and of each 他人 verified in this login -----------------------
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
      section.querySelector("h2").textContent = `${payer.name}(${sim.maskId(payer.masked_id)})· ${payer === me.data.self ? "本人" : "他人"}`;
      (config.listRecords || phoneRecords)(section, rows, receipt);
      sections.push(section);
    }
    $("records").replaceChildren(...sections);
    sim.say(problems.join(";"));
  }

  const receiptUrl = (orderNo) => `${API}/orders/${encodeURIComponent(orderNo)}/receipt`;
  function receipt(record, props = {}) {  // the link that downloads a payment's receipt (PDF)
    const link = el("a", { ...props, textContent: receiptName, href: receiptUrl(record.order_no) });
    link.setAttribute("download", "");
    return link;
  }

  function phoneRecords(section, rows) {
    const list = section.querySelector("ul");
    list.setAttribute("aria-label", "已缴费信息");
    list.replaceChildren(...rows.map((r) => {
      const details = el("dl", { className: "kv" });
      sim.kv(details, [["缴费年度", String(r.year)], ["费款所属期", r.period], ["缴费类型", r.kind],
        ["缴费金额", `${r.amount}元`], ["缴费时间", sim.time(r.paid_at)], ["电子税票号码", r.ticket_no],
        ["税务机关", r.tax_authority]]);
      return el("li", {}, el("h3", { textContent: `${r.year}年度 ${r.insurance}` }), details,
        receipt(r, { className: "btn secondary small" }));
    }));
    if (!rows.length) section.append(el("p", { className: "note", textContent: "暂无缴费记录" }));
  }

  // The page's own start-up (main's data-page names it), held until it settles: the shared pages and the channel's.
  function start(own) {
    const page = document.querySelector("main").dataset.page;
    const pages = { cxyl: pension, result, records, ...own };
    sim.hold((pages[page] || (() => {}))());
  }

  return { API, post, get, sendCode, submit, values, register, login, home, start };
}
