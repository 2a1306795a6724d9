// Small helpers every simulated page shares: calls to its back end (JSON, or a file posted as it is), the message
// line, and showing a page only once it is ready (sim.hold).
const sim = {
  async call(method, url, body) {
    const options = { method, headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return this.send(url, options, "请求失败");
  },
  // A file posted as it is (a picture to scan), answered as call() answers.
  upload(url, file) {
    const headers = { "Content-Type": file.type || "application/octet-stream", "Accept": "application/json" };
    return this.send(url, { method: "POST", body: file, headers }, "识别失败");
  },
  async send(url, options, failed) {
    this.say("");  // a new request makes the last message stale: it never answers for this one
    let response;
    try {
      response = await fetch(url, { ...options, credentials: "same-origin" });
    } catch (error) {
      return { ok: false, status: 0, message: "网络异常,请稍后重试" };
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = (data.error && data.error.message) || data.message || `${failed}(${response.status})`;
      return { ok: false, status: response.status, message, data };
    }
    return { ok: true, status: response.status, data };
  },
  // Run ``again`` in two seconds if ``still()`` holds then: a page that waits for an answer asks once more.
  later(again, still = () => true) {
    setTimeout(() => { if (still()) again(); }, 2000);
  },
  post(url, body) { return this.call("POST", url, body); },
  get(url) { return this.call("GET", url); },
  say(text) {
    const line = document.getElementById("message");
    if (line) { line.textContent = text || ""; line.hidden = !text; }
  },
  note(text) {  // a line that informs, not warns (where the page has one)
    const line = document.getElementById("notice");
    if (line) { line.textContent = text || ""; line.hidden = !text; }
  },
  show(id) {
    document.querySelectorAll("[data-step]").forEach((el) => { el.hidden = el.id !== id; });
    this.say("");
    window.scrollTo(0, 0);
  },
  key() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now()).replace(/-/g, "");
  },
  text(el, value) { document.getElementById(el).textContent = value; },
  time(value) { return String(value ?? "").slice(0, 19); },  // "2024-03-01 10:00:00.123456" → to the second
  el(tag, props = {}, ...children) {  // a new element with these properties and children
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  },
  kv(list, pairs) {  // a <dl> (or its id) of 名称 → 内容 pairs; a value may be text or a node
    const target = typeof list === "string" ? document.getElementById(list) : list;
    target.replaceChildren(...pairs.flatMap(([k, v]) => {
      const dt = document.createElement("dt"); dt.textContent = k;
      const dd = document.createElement("dd"); dd.append(v instanceof Node ? v : String(v ?? ""));
      return [dt, dd];
    }));
  },
  // An ID or phone number as a page shows it, masked as the real channels do (330203********1234, 138****5678);
  // a number the back end has masked already stays as it is. Inputs a person types into are never masked.
  maskId(number) {
    const text = String(number ?? "").replace(/\s/g, "");
    if (text.includes("*")) return text;
    return text.length === 15 ? simMask(text, 6, 3) : simMask(text, 6, 4);
  },
  maskPhone(number) {
    const text = String(number ?? "").replace(/\s/g, "");
    return text.includes("*") ? text : simMask(text, 3, 4);
  },
  // The full number on the clipboard (for a person to paste), never on the page; true once copied.
  async copy(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (error) {  // no clipboard API (a plain-http address): the old way, through a hidden field
      const field = Object.assign(document.createElement("textarea"), { value: text, readOnly: true });
      field.style.cssText = "position:fixed;left:-9999px;opacity:0";
      document.body.append(field);
      field.select();
      const done = document.execCommand("copy");
      field.remove();
      return done;
    }
  },
  rows(tbody, rows) {
    const body = document.getElementById(tbody);
    body.replaceChildren(...rows.map((cells) => {
      const tr = document.createElement("tr");
      cells.forEach((value) => { const td = document.createElement("td"); td.textContent = value; tr.append(td); });
      return tr;
    }));
  },
};

function simMask(text, head, tail) {
  return text.length <= head + tail ? "*".repeat(text.length)
    : text.slice(0, head) + "*".repeat(text.length - head - tail) + text.slice(text.length - tail);
}

// A page shows itself only once its scripts have run and what they hold it for (sim.hold) has settled,
// so nothing can be pressed before it has a handler. Ten seconds at most: a hung call never hides a page.
const simHolds = [];
sim.hold = (work) => { simHolds.push(Promise.resolve(work).catch(() => {})); return work; };
document.addEventListener("DOMContentLoaded", () => {
  const shown = () => document.documentElement.classList.remove("loading");
  Promise.race([Promise.all(simHolds), new Promise((done) => setTimeout(done, 10000))]).then(shown);
});
