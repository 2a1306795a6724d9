// The simulator's test-mode drawer (`make serve`, --test-mode; templates/testmode.html): what a person trying the
// channels by hand cannot see on a channel's page. The SMS codes the tenant's phones received, the text of the
// 随机验证码 picture the page shows, the tax apps' scan of the 电子税务局 login QR code the page shows, and the
// tenant's clock. It reads the control API (/__sim/) and the page's own pictures; it never writes into the page's
// fields or message lines (the person types what the drawer shows). Of sim.js (on every page) it uses only the mask
// and the clipboard: sim.call would clear the page's message line.
(() => {
  const root = document.getElementById("sim-testmode");
  if (!root) return;
  const tenant = root.dataset.tenant;
  const control = `/__sim/tenants/${encodeURIComponent(tenant)}`;
  const $ = (id) => document.getElementById(id);
  const panel = $("sim-testmode-panel");
  const tab = $("sim-testmode-tab");
  const OPEN = "sim-testmode-open";  // the drawer stays open from page to page (sessionStorage)
  const EVERY = 1500;  // while open, it reads again this often: a code sent a moment ago shows without a click
  let timer = null;
  const shown = {};  // what each part shows now, so an unchanged answer leaves the DOM (and a selection) alone

  async function ask(method, url, body, type = "application/json") {
    const options = { method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = type;
      options.body = type === "application/json" ? JSON.stringify(body) : body;
    }
    try {
      const response = await fetch(url, options);
      const data = await response.json().catch(() => ({}));
      if (response.ok) return { ok: true, data };
      return { ok: false, message: (data.error && data.error.message) || `请求失败(${response.status})` };
    } catch (error) {
      return { ok: false, message: "模拟器没有应答" };
    }
  }

  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };
  const time = (value) => String(value ?? "").slice(0, 19);
  const visible = (node) => Boolean(node && node.offsetParent !== null);
  function replace(part, key, build) {  // rebuild a part only when what it shows has changed (and the drawer is open)
    if (panel.hidden || shown[part] === key) return;
    shown[part] = key;
    build();
  }

  // 短信验证码: the newest five texts of the tenant, the code large -------------------------------------------------
  async function readSms() {
    const answer = await ask("GET", `${control}/sms`);
    const list = $("stm-sms");
    if (!answer.ok) return replace("sms", answer.message, () => list.replaceChildren(el("li", { className: "stm-error", textContent: answer.message })));
    const latest = answer.data.messages.slice(-5).reverse();
    replace("sms", JSON.stringify(latest), () => {
      if (!latest.length) {
        list.replaceChildren(el("li", { className: "stm-empty", textContent: "还没有发出短信:在页面上点击【获取验证码】" }));
        return;
      }
      list.replaceChildren(...latest.map((m) => el("li", {},
        el("div", { className: "stm-sms-line" },
          m.code ? el("span", { className: "stm-code", textContent: m.code }) : el("span", { className: "stm-nocode", textContent: "(无验证码)" }),
          el("span", { className: "stm-phone", textContent: sim.maskPhone(m.phone) }),
          el("time", { className: "stm-time", textContent: time(m.sent_at).slice(11) || time(m.sent_at) }),
          m.code ? copyButton(m.code) : ""),
        el("div", { className: "stm-text", textContent: m.text }))));
    });
  }
  function copyButton(code) {
    const button = el("button", { type: "button", className: "stm-copy", textContent: "复制" });
    button.setAttribute("aria-label", `复制验证码${code}`);
    button.addEventListener("click", async () => {
      const done = await sim.copy(code);
      button.textContent = done ? "已复制" : "复制失败";
      setTimeout(() => { button.textContent = "复制"; }, 1500);
    });
    return button;
  }

  // 随机验证码: the picture the page shows, read as the person in front of it reads it ---------------------------
  async function readCaptcha() {
    const out = () => $("stm-captcha");
    const picture = [...document.querySelectorAll("img#captcha-image")].find(visible);
    const found = picture && /\/api\/captchas\/([A-Za-z0-9_-]+)\.png/.exec(picture.getAttribute("src") || "");
    if (!found) {
      return replace("captcha", "", () => out().replaceChildren(el("span", { className: "stm-empty", textContent: "本页没有显示随机验证码图片" })));
    }
    const answer = await ask("GET", `${control}/captchas/${found[1]}`);
    if (!answer.ok) return replace("captcha", answer.message, () => out().replaceChildren(el("span", { className: "stm-error", textContent: answer.message })));
    const { text, used, expires_at: expires } = answer.data;
    replace("captcha", `${text}|${used}|${expires}`, () => out().replaceChildren(
      el("span", { className: "stm-code", textContent: text }),
      el("span", { className: "stm-note", textContent: used ? "已使用过,请在页面上换一张" : `图片上的字符,有效至 ${time(expires).slice(11)}` })));
  }

  // 扫码登录: the login QR code the page shows, scanned by the chosen tax app on the person's phone ---------------
  const loginQr = () => [...document.querySelectorAll("img.login-qr")].find((img) => visible(img) && img.getAttribute("src"));
  function readQr() {
    const qr = loginQr();
    const panelName = qr ? (qr.getAttribute("alt") || "").replace(/登录二维码$/, "") : "";
    replace("qr", qr ? qr.src + panelName : "", () => {
      $("stm-qr").textContent = qr ? `页面上的二维码:${panelName}` : "本页没有显示登录二维码(电子税务局【登录验证】里选择扫码方式后出现)";
      panel.querySelectorAll("[data-scan-app]").forEach((b) => { b.disabled = !qr; });
    });
  }
  async function scan(app, button) {
    const out = () => $("stm-scan") || {};
    const qr = loginQr();
    if (!qr) { out().textContent = "本页没有显示登录二维码"; return; }
    button.disabled = true;
    try {
      const picture = await fetch(qr.src, { credentials: "same-origin" }).then((r) => (r.ok ? r.blob() : null)).catch(() => null);
      if (!picture) { out().textContent = "读取二维码图片失败:请在页面上点击【刷新二维码】"; return; }
      const answer = await ask("POST", `/etax/api/scans?scan_app=${encodeURIComponent(app)}`, picture, picture.type || "image/png");
      Object.assign(out(), { className: `stm-result ${answer.ok ? "stm-ok" : "stm-error"}`,
        textContent: answer.ok ? answer.data.message : answer.message });
    } finally {
      button.disabled = !loginQr();
    }
  }

  // 模拟时钟 --------------------------------------------------------------------------------------------------------
  async function readClock() {
    const answer = await ask("GET", `${control}/clock`);
    const text = answer.ok ? `${answer.data.now}${answer.data.frozen ? "(已冻结)" : ""}` : answer.message;
    replace("clock", text, () => { $("stm-clock").textContent = text; });
  }
  async function changeClock(url, body) {
    const answer = await ask("POST", url, body);
    Object.assign($("stm-clock-result") || {}, { className: `stm-result ${answer.ok ? "stm-ok" : "stm-error"}`,
      textContent: answer.ok ? `模拟时钟现在是 ${answer.data.now}` : answer.message });
    await readClock();
  }

  async function refresh() {
    readQr();
    await Promise.all([readSms(), readCaptcha(), readClock()]);
  }
  function setOpen(open) {
    if (open) build(); else panel.replaceChildren();
    panel.hidden = !open;
    root.classList.toggle("stm-open", open);
    tab.setAttribute("aria-expanded", String(open));
    try { sessionStorage.setItem(OPEN, open ? "1" : ""); } catch (error) { /* storage off: open per page */ }
    clearInterval(timer);
    timer = null;
    if (open) {
      refresh();
      timer = setInterval(refresh, EVERY);
    }
  }

  // Closed, the drawer is its tab alone: the panel's content is made from its <template> on opening and dropped on
  // closing, so nothing of it stands beside the page's own fields, buttons and texts while a person uses the page.
  function build() {
    panel.replaceChildren($("sim-testmode-body").content.cloneNode(true));
    Object.keys(shown).forEach((part) => { delete shown[part]; });
    panel.querySelector(".stm-close").addEventListener("click", () => { setOpen(false); tab.focus(); });
    panel.querySelectorAll("[data-scan-app]").forEach((b) => b.addEventListener("click", () => scan(b.dataset.scanApp, b)));
    panel.querySelectorAll("[data-advance]").forEach((b) => b.addEventListener("click",
      () => changeClock(`${control}/clock/advance`, { seconds: Number(b.dataset.advance) })));
    $("stm-set-clock").addEventListener("submit", (event) => {
      event.preventDefault();
      changeClock(`${control}/clock`, { now: $("stm-clock-at").value.trim() });
    });
  }

  tab.addEventListener("click", () => setOpen(panel.hidden));
  document.addEventListener("keydown", (event) => { if (event.key === "Escape" && !panel.hidden) setOpen(false); });
  let remembered = false;
  try { remembered = sessionStorage.getItem(OPEN) === "1"; } catch (error) { /* storage off */ }
  if (remembered) setOpen(true);
})();
