// The 宁波社保缴费 mini-program in Alipay: the guide's section 2, 第2–6步, one section each.
const API = "/alipay/api";
const [state, save] = mp.stored("alipay-sbjf");
const $ = (id) => document.getElementById(id);
const named = (p) => ({ name: p.name, id_type: p.id_type, id_number: p.id_number });
const selection = () => ({ ...named(state.payer), insurance: state.insurance, pay_type: state.pay_type,
  year: state.year ?? null, tier: state.tier ?? null });
const fail = (result) => {
  if (result.status === 401) return window.location.assign(`/alipay/login?next=${encodeURIComponent("/alipay/sbjf")}`);
  sim.say(result.message);
};
const home = () => { history.replaceState(null, "", "/alipay/sbjf"); sim.show("step-home"); };

$("agree").addEventListener("click", async () => {
  const result = await sim.post(`${API}/oauth/authorize`, {});
  if (!result.ok) return fail(result);
  state.me = result.data; save();
  home();
});

// Step 2: 我为自己缴 (identity from the account) or 我帮他人缴 (name and ID number).
$("for-self").addEventListener("click", () => {
  sim.kv("self-kv", [["姓名", state.me.name], ["证件类型", state.me.id_type], ["证件号码", sim.maskId(state.me.masked_id)]]);
  sim.show("step-self");
});
$("for-other").addEventListener("click", () => sim.show("step-other"));
$("self-next").addEventListener("click", () => findItems({ ...named(state.me), shown_id: state.me.masked_id }));
$("other-next").addEventListener("click", () => {
  const name = $("name").value.trim();
  const number = $("id_number").value.trim();
  if (!name) return sim.say("请输入缴费人姓名");
  if (!number) return sim.say("请输入证件号码");
  findItems({ name, id_type: "居民身份证", id_number: number, shown_id: "" });
});

// Step 3: the payer's insured items.
async function findItems(payer) {
  const result = await sim.post(`${API}/payer/items`, named(payer));
  if (!result.ok) return fail(result);
  state.payer = { ...named(payer), shown_id: payer.shown_id || result.data.payer.id_number };
  state.items = result.data.items; save();
  $("items-payer").textContent = `${result.data.payer.name} ${sim.maskId(result.data.payer.id_number)} 的参保险种`;
  mp.items(result.data.items, "items-next");
  sim.show("step-items");
}
$("items-next").addEventListener("click", () => {
  if (mp.choosePension(state.payer.name, state.items)) { state.insurance = "pension"; save(); }
});

// Step 4: 缴费类型, then 选档缴费 (year, tier, 确认) or 特殊缴费 (下一步, the system's amount).
async function quote(extra) {
  Object.assign(state, { pay_type: $("pay_type").value, year: null, tier: null }, extra); save();
  const result = await sim.post(`${API}/quote`, selection());
  if (!result.ok) return fail(result);
  const q = result.data;
  state.quote = q; state.key = sim.key(); save();
  sim.kv("pay-kv", [["缴费人", q.payer.name], ["证件号码", sim.maskId(q.payer.id_number)], ["险种", q.insurance],
    ["缴费类型", q.pay_type], ["缴费年度", q.lines.map((l) => l.year).join("、")], ["应缴金额", `${q.amount}元`]]);
  sim.rows("pay-lines", q.lines.map((l) => [l.year, l.kind, l.amount, l.government]));
  sim.text("pay-amount", `${q.amount}元`);
  sim.show("step-pay");
}
mp.onChoice(quote);

// Step 5: 去支付 → Alipay's cashier (确认付款), which comes back here with the order number.
$("go-pay").addEventListener("click", async (event) => {
  event.target.disabled = true;
  const order = await sim.post(`${API}/orders`, { ...selection(), idempotency_key: state.key,
    expected_amount: state.quote.amount });
  if (!order.ok) { event.target.disabled = false; return fail(order); }
  state.order_no = order.data.order_no; save();
  const paid = await sim.post(`${API}/orders/${state.order_no}/pay`, { gateway: "alipay" });
  event.target.disabled = false;
  if (!paid.ok) return fail(paid);
  window.location.assign(paid.data.cashier_url);
});

// Step 6: 缴费记录.
const showRecords = (payer) => mp.showRecords(API, named(payer), fail);
$("to-records").addEventListener("click", () => showRecords(state.payer || state.me));
$("home-records").addEventListener("click", () => showRecords(state.me));
$("again").addEventListener("click", home);
document.querySelectorAll(".to-home").forEach((button) => button.addEventListener("click", home));

// Step 2, second paragraph: 缴费批扣定档 under a valid bank agreement, then the bank's batch deduction.
async function showBatch(done) {
  const result = await sim.get(`${API}/batch`);
  sim.show("step-batch");
  if (!result.ok) return fail(result);
  const b = result.data;
  sim.text("batch-payer", `${b.payer.name} ${sim.maskId(b.payer.id_number)}`);
  $("batch-agreement").hidden = !b.agreement;
  if (b.agreement) {
    sim.kv("batch-agreement", [["开户银行", b.agreement.bank], ["银行账号", b.agreement.account],
      ["三方协议号", b.agreement.agreement_no], ["协议状态", b.agreement.status],
      ["下一扣款日", b.next_day || "本年度批量扣款已结束"]]);
  }
  // after the year's last batch day the form is not offered: the page says why, as the back end would refuse it
  const ended = b.agreement && !b.next_day && b.years.length
    ? `${b.years[0]}年度的银行批量扣款已全部结束,请选择【我为自己缴】在线缴费` : "";
  const problem = b.problem || b.paid || ended;
  $("batch-problem").hidden = !problem;
  $("batch-problem").textContent = problem || "";
  $("batch-problem").className = b.problem || ended ? "failure-note" : "mp-done";
  $("batch-form").hidden = Boolean(problem) || !b.next_day;
  $("batch-year").replaceChildren(...b.years.map((y) => new Option(`${y}年`, y)));
  $("batch-tier").replaceChildren(new Option("请选择", ""), ...b.tiers.map((t) => new Option(`${t}元`, t)));
  $("batch-done").hidden = !done;
  $("batch-done").textContent = done || "";
  sim.rows("batch-lines", b.enrolments.map((e) => [e.year, e.tier, e.done_at ? e.done_at.slice(0, 10) : e.due_on,
    e.status, e.message]));
  $("batch-empty").hidden = b.enrolments.length > 0;
}
$("to-batch").addEventListener("click", () => showBatch(""));
$("batch-confirm").addEventListener("click", async (event) => {
  if (!$("batch-tier").value) return sim.say("请选择缴费档次");
  event.target.disabled = true;
  const result = await sim.post(`${API}/batch/enrolments`,
    { year: Number($("batch-year").value), tier: Number($("batch-tier").value) });
  event.target.disabled = false;
  if (!result.ok) return fail(result);
  const e = result.data;
  showBatch(`已定档:${e.year}年度${e.amount}元。银行将于${e.due_on}从三方协议账户发起扣款,请保持账户余额充足。`);
});

(async () => {
  const account = await sim.get(`${API}/account`);
  if (!account.ok) return fail(account);
  if (!state.me || state.me.user_id !== account.data.user_id) {  // another account on the phone: start afresh
    Object.keys(state).forEach((k) => delete state[k]);
  }
  if (!account.data.authorized) return sim.show("step-auth");
  state.me = account.data; save();
  const orderNo = new URLSearchParams(location.search).get("order_no");
  if (orderNo) mp.showResult(API, orderNo, fail); else sim.show("step-home");
})();
