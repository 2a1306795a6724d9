// The 社保缴费 web app inside the 宁波税务 official account: the guide's 第2–8步, one section each.
const API = "/wechat/api";
const state = JSON.parse(sessionStorage.getItem("wechat-sbjf") || "{}");
const save = () => sessionStorage.setItem("wechat-sbjf", JSON.stringify(state));
const $ = (id) => document.getElementById(id);
const payer = () => ({ name: state.payer.name, id_type: state.payer.id_type, id_number: state.payer.id_number });
const selection = () => ({ ...payer(), insurance: state.insurance, pay_type: state.pay_type,
  year: state.year ?? null, tier: state.tier ?? null });

$("agree").addEventListener("click", async () => {
  const result = await sim.post(`${API}/oauth/authorize`, {});
  if (!result.ok) return sim.say(result.message);
  state.authorized = true; save();
  sim.show("step-start");
});
$("start").addEventListener("click", () => sim.show("step-payer"));

let lookup = 0;
async function findItems() {
  const body = { name: $("name").value, id_type: $("id_type").value, id_number: $("id_number").value };
  if (!body.name.trim() || body.id_number.trim().length < 15) return;
  const mine = ++lookup;
  const result = await sim.post(`${API}/payer/items`, body);
  if (mine !== lookup) return;
  $("payer-next").disabled = true;
  $("payer-records").disabled = !result.ok;
  if (!result.ok) { $("items").hidden = true; return sim.say(result.message); }
  sim.say("");
  state.payer = body; state.items = result.data.items; save();
  $("items").replaceChildren(...result.data.items.map((item) => {
    const label = document.createElement("label"); label.className = "item";
    const radio = document.createElement("input");
    Object.assign(radio, { type: "radio", name: "insurance", value: item.insurance });
    radio.addEventListener("change", () => { $("payer-next").disabled = false; });
    const status = document.createElement("span"); status.className = "status"; status.textContent = item.status;
    label.append(radio, item.name, status);
    return label;
  }));
  $("items").hidden = false;
}
["name", "id_number"].forEach((id) => $(id).addEventListener("input", findItems));
$("id_type").addEventListener("change", findItems);

$("payer-next").addEventListener("click", () => {
  if (sim.choosePension(state.payer.name, state.items)) { state.insurance = "pension"; save(); }
});

async function quote(extra) {
  Object.assign(state, { pay_type: $("pay_type").value, year: null, tier: null }, extra); save();
  const result = await sim.post(`${API}/quote`, selection());
  if (!result.ok) return sim.say(result.message);
  state.quote = result.data; save();
  const q = result.data;
  sim.kv("detail-kv", [["缴费人", q.payer.name], ["证件号码", sim.maskId(q.payer.id_number)], ["险种", q.insurance],
    ["缴费类型", q.pay_type], ["应缴金额", `${q.amount}元`]]);
  sim.rows("detail-lines", q.lines.map((l) => [l.year, l.kind, l.amount, l.government]));
  sim.show("step-detail");
}
$("tier-confirm").addEventListener("click", () => {
  if (!$("tier").value) return sim.say("请选择缴费档次");
  quote({ year: Number($("year").value), tier: Number($("tier").value) });
});
$("special-next").addEventListener("click", () => quote({}));

$("detail-next").addEventListener("click", () => {
  const q = state.quote;
  sim.kv("review-kv", [["缴费人", q.payer.name], ["证件号码", sim.maskId(q.payer.id_number)], ["险种", q.insurance],
    ["缴费类型", q.pay_type], ["缴费年度", q.lines.map((l) => l.year).join("、")], ["应缴金额", `${q.amount}元`]]);
  state.key = sim.key(); save();
  sim.show("step-review");
});

$("submit").addEventListener("click", async (event) => {
  event.target.disabled = true;
  const result = await sim.post(`${API}/orders`, { ...selection(), idempotency_key: state.key,
    expected_amount: state.quote.amount });
  event.target.disabled = false;
  if (!result.ok) return sim.say(result.message);
  state.order_no = result.data.order_no; save();
  sim.text("pay-order", result.data.order_no);
  sim.text("pay-amount", `${result.data.amount}元`);
  sim.show("step-pay");
});

$("pay").addEventListener("click", async (event) => {
  event.target.disabled = true;
  const gateway = document.querySelector("input[name=gateway]:checked").value;
  const result = await sim.post(`${API}/orders/${state.order_no}/pay`, { gateway });
  event.target.disabled = false;
  if (!result.ok) return sim.say(result.message);
  window.location.href = result.data.cashier_url;
});

async function showResult(orderNo) {
  const result = await sim.get(`${API}/orders/${encodeURIComponent(orderNo)}`);
  sim.show("step-result");
  if (!result.ok) return sim.say(result.message);
  const o = result.data;
  const paid = o.status === "PAID";
  $("result-title").textContent = paid ? "缴费成功" : (o.status === "PAYING" ? "支付结果确认中" : `缴费未完成:${o.status_text}`);
  $("result-title").className = paid ? "success" : "failure";
  sim.kv("result-kv", [["缴费人", o.payer.name], ["险种", o.insurance], ["缴费类型", o.pay_type],
    ["缴费年度", o.lines.map((l) => l.year).join("、")], ["金额", `${o.amount}元`], ["订单号", o.order_no],
    ...(o.failure ? [["原因", o.failure]] : [])]);
}

async function showRecords() {
  const result = await sim.post(`${API}/records/query`, payer());
  sim.show("step-records");
  if (!result.ok) return sim.say(result.message);
  sim.text("records-payer", `${result.data.payer.name} ${sim.maskId(result.data.payer.id_number)}`);
  sim.rows("records-lines", result.data.records.map((r) => [r.year, r.kind, r.amount, sim.time(r.paid_at), r.ticket_no]));
  $("records-empty").hidden = result.data.records.length > 0;
}
$("to-records").addEventListener("click", showRecords);
$("payer-records").addEventListener("click", showRecords);
$("again").addEventListener("click", () => { history.replaceState(null, "", "/wechat/sbjf"); sim.show("step-payer"); });

const orderNo = new URLSearchParams(location.search).get("order_no");
if (orderNo && state.payer) showResult(orderNo);
else sim.show(state.authorized ? "step-start" : "step-auth");
