// What the 社保缴费 mini-programs of WeChat (the 宁波税务 official account's web app) and Alipay (宁波社保缴费) do
// alike: the page's state kept for the tab, the payer's insured items, 选择缴费类型 (mp_type_step.html), the result of
// a payment (mp_result_step.html) and 缴费记录 (mp_records_step.html). Each page's script gives its API prefix and
// ``fail``, what it does with a refused call's result (say why, or go to the login first).
const mp = {
  // The page's state, kept in the tab's session storage under ``key``: [state, save].
  stored(key) {
    const state = JSON.parse(sessionStorage.getItem(key) || "{}");
    return [state, () => sessionStorage.setItem(key, JSON.stringify(state))];
  },
  // The payer's insured items as radios in #items; picking one enables the button ``next`` (disabled till then).
  items(items, next) {
    const button = document.getElementById(next);
    button.disabled = true;
    document.getElementById("items").replaceChildren(...items.map((item) => {
      const radio = sim.el("input", { type: "radio", name: "insurance", value: item.insurance });
      radio.addEventListener("change", () => { button.disabled = false; });
      return sim.el("label", { className: "item" }, radio, item.name,
        sim.el("span", { className: "status", textContent: item.status }));
    }));
  },
  // 下一步 from the items: the chosen item must be the pension; 缴费年度 and 缴费档次 come from it, then
  // 选择缴费类型 shows. Returns the item, or null after saying why not.
  choosePension(payerName, items) {
    const chosen = document.querySelector("input[name=insurance]:checked");
    if (!chosen) { sim.say("请选择险种"); return null; }
    if (chosen.value !== "pension") { sim.say("本渠道模拟仅支持缴纳城乡居民基本养老保险费"); return null; }
    const item = items.find((i) => i.insurance === "pension");
    const $ = (id) => document.getElementById(id);
    $("type-payer").textContent = `${payerName} · 城乡居民基本养老保险费`;
    $("year").replaceChildren(...item.years.map((y) => new Option(`${y}年`, y)));
    $("tier").replaceChildren(new Option("请选择", ""), ...item.tiers.map((t) => new Option(`${t}元`, t)));
    $("pay_type").value = "";
    $("choose-tier").hidden = true; $("special").hidden = true;
    $("pay_type").onchange = () => {
      $("choose-tier").hidden = $("pay_type").value !== "选档缴费";
      $("special").hidden = $("pay_type").value !== "特殊缴费";
    };
    sim.show("step-type");
    return item;
  },
  // 选档缴费's 确认 (a tier must be chosen) and 特殊缴费's 下一步: ``quote`` asks the amount, with the year and the
  // tier or with neither (the amount the system sets).
  onChoice(quote) {
    const $ = (id) => document.getElementById(id);
    $("tier-confirm").addEventListener("click", () => {
      if (!$("tier").value) return sim.say("请选择缴费档次");
      quote({ year: Number($("year").value), tier: Number($("tier").value) });
    });
    $("special-next").addEventListener("click", () => quote({}));
  },
  // 缴费结果 of the order the provider's cashier came back with.
  async showResult(api, orderNo, fail) {
    const result = await sim.get(`${api}/orders/${encodeURIComponent(orderNo)}`);
    sim.show("step-result");
    if (!result.ok) return fail(result);
    const o = result.data;
    const paid = o.status === "PAID";
    const title = document.getElementById("result-title");
    title.textContent = paid ? "缴费成功" : (o.status === "PAYING" ? "支付结果确认中" : `缴费未完成:${o.status_text}`);
    title.className = paid ? "success" : "failure";
    sim.kv("result-kv", [["缴费人", o.payer.name], ["险种", o.insurance], ["缴费类型", o.pay_type],
      ["缴费年度", o.lines.map((l) => l.year).join("、")], ["金额", `${o.amount}元`], ["订单号", o.order_no],
      ...(o.failure ? [["原因", o.failure]] : [])]);
    if (o.status === "PAYING") {  // asked again, while the result is on screen, until the provider's answer is known
      sim.later(() => mp.showResult(api, orderNo, fail), () => !document.getElementById("step-result").hidden);
    }
  },
  // 缴费记录 of the payer (name, id_type, id_number).
  async showRecords(api, payer, fail) {
    const result = await sim.post(`${api}/records/query`, payer);
    sim.show("step-records");
    if (!result.ok) return fail(result);
    sim.text("records-payer", `${result.data.payer.name} ${sim.maskId(result.data.payer.id_number)}`);
    sim.rows("records-lines", result.data.records.map((r) => [r.year, r.kind, r.amount, sim.time(r.paid_at), r.ticket_no]));
    document.getElementById("records-empty").hidden = result.data.records.length > 0;
  },
};
