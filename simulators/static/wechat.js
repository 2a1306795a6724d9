// The 社保缴费 web app inside the 宁波税务 official account: the guide's 第2–8步, one section each.
const API = "/wechat/api";
const [state, save] = mp.stored("wechat-sbjf");
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
  mp.items(result.data.items, "payer-next");
  $("items").hidden = false;
}
["name", "id_number"].forEach((id) => $(id).addEventListener("input", findItems));
$("id_type").addEventListener("change", findItems);

$("payer-next").addEventListener("click", () => {
  if (mp.choosePension(state.payer.name, state.items)) { state.insurance = "pension"; save(); }
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
mp.onChoice(quote);

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

const fail = (result) => sim.say(result.message);
const showRecords = () => mp.showRecords(API, payer(), fail);
$("to-records").addEventListener("click", showRecords);
$("payer-records").addEventListener("click", showRecords);
$("again").addEventListener("click", () => { history.replaceState(null, "", "/wechat/sbjf"); sim.show("step-payer"); });

const orderNo = new URLSearchParams(location.search).get("order_no");
if (orderNo && state.payer) mp.showResult(API, orderNo, fail);
else sim.show(state.authorized ? "step-start" : "step-auth");
