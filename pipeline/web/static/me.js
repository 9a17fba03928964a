// One agent's month (/me, or /me?agent_id=A for a supervisor, clerk or manager): the card, the last six months,
// QA evaluations, the coaching note, the acknowledgement. Every figure comes from the API, scoped by the server.
import { applyLabels, duration, percent, state } from "/static/common.js";
import { el, error, getJson, lastMonth, monthsBefore, post, session, show, start, t } from "/static/people.js";

const params = new URLSearchParams(location.search);
const monthInput = document.getElementById("month");
monthInput.value = params.get("month") || lastMonth();
let card = null;
let chart = null;

function agentId() {
  return params.get("agent_id") || session.me.agent_id || "";
}

function fmt(kind, value) {
  if (value === null || value === undefined || value === "") return "–";
  if (kind === "rate") return percent(Number(value));
  if (kind === "duration") return duration(Number(value));
  return show(value);
}

function kindOf(key) {
  const column = card.columns.find(([name]) => name === key);
  return column ? column[2] : "text";
}

function labelOf(key) {
  const column = card.columns.find(([name]) => name === key);
  return column ? column[1] : key;
}

function nav() {
  const links = { agent: [["/me", "people.me.title"]], supervisor: [["/team", "people.team.title"]],
    clerk: [["/payroll", "people.payroll.title"], ["/team", "people.team.title"]],
    manager: [["/team", "people.team.title"]] }[session.me.role] || [];
  document.getElementById("nav").replaceChildren(...links.map(([href, key]) => el("a", { href }, t(key))));
}

function renderCard(sheet, row) {
  document.getElementById("card").hidden = false;
  document.getElementById("agent-name").textContent = `${row.name || ""} (${row.agent_id})`;
  document.getElementById("state").textContent = t(sheet.closed ? "people.closed" : "people.open");
  document.getElementById("tier").textContent = show(row.tier);
  document.getElementById("amount").textContent = `${show(row.amount)} ${card.currency}`;
  document.getElementById("payable").textContent = `${show(row.payable)} ${card.currency}`;
  document.getElementById("reasons").replaceChildren(
    ...String(row.reasons || "").split(/;\s*/).filter(Boolean).map((line) => el("li", {}, line)));
  document.querySelector("#kpis tbody").replaceChildren(...card.card.map((line) =>
    el("tr", {}, el("td", {}, labelOf(line.kpi)), el("td", { class: "num" }, fmt(kindOf(line.kpi), row[line.kpi])),
      el("td", { class: "num" }, `${line.comparison} ${fmt(kindOf(line.kpi), line.target)}`),
      el("td", { class: "num" }, `${show(row["card_" + line.kpi])} / ${line.weight}`))));
  const figures = ["handled_total", "hours", "aht_s", "fcr_rate", "qa_avg_combined", "complaints_valid", "card_total"];
  document.querySelector("#figures tbody").replaceChildren(...figures.filter((k) => k in row).map((key) =>
    el("tr", {}, el("th", {}, labelOf(key)), el("td", { class: "num" }, fmt(kindOf(key), row[key])))));
  const ledger = Object.keys(row).filter((key) => key.startsWith("points_"));
  document.getElementById("ledger-panel").hidden = !ledger.length;
  document.querySelector("#ledger tbody").replaceChildren(...ledger.map((key) =>
    el("tr", {}, el("th", {}, labelOf(key)), el("td", { class: "num" }, show(row[key])))));
}

async function renderAck(sheet) {
  const button = document.getElementById("ack");
  const stateText = document.getElementById("ack-state");
  const mine = session.me.role === "agent";
  button.hidden = !(mine && sheet.closed);
  stateText.textContent = sheet.closed ? "" : t("people.ack_after_close");
  if (mine && sheet.closed) {
    const own = await getJson(`/api/scorecards/ack?month=${monthInput.value}`);
    if (own.ok && own.data.acknowledged) {
      button.hidden = true;
      stateText.textContent = t("people.acked", { at: minutes(own.data.at) });
    }
  }
  button.onclick = async () => {
    const result = await post("/api/scorecards/ack", { month: monthInput.value });
    if (!result.ok) { error(result.data.error); return; }
    button.hidden = true;
    stateText.textContent = t("people.acked", { at: minutes(result.data.at) });
  };
}

async function renderHistory() {
  const months = monthsBefore(monthInput.value, 6);
  const sheets = await Promise.all(months.map((m) =>
    getJson(`/api/scorecards?month=${m}&agent_id=${encodeURIComponent(agentId())}`)));
  const rows = sheets.map((s) => (s.ok && s.data.rows[0]) || {});
  chart = chart || echarts.init(document.getElementById("chart"), "dark");
  chart.setOption({ animation: false, backgroundColor: "transparent", tooltip: { trigger: "axis" }, legend: { top: 0 },
    grid: { left: 60, right: 60, top: 40, bottom: 30 }, xAxis: { type: "category", data: months },
    yAxis: [{ type: "value", name: card.currency }, { type: "value", name: t("people.card_total") }],
    series: [
      { name: t("people.amount"), type: "bar", data: rows.map((r) => (r.amount === undefined ? null : Number(r.amount))),
        itemStyle: { color: "#388bfd" } },
      { name: t("people.card_total"), type: "line", yAxisIndex: 1, symbolSize: 10, itemStyle: { color: "#2ea043" },
        data: rows.map((r) => (r.card_total === undefined ? null : Number(r.card_total))) },
    ] }, true);
}

async function renderQa() {
  const result = await getJson(`/api/qa?month=${monthInput.value}&agent_id=${encodeURIComponent(agentId())}`);
  const head = ["at", "contact_id", "score", "fatal_errors", "nonfatal_errors", "source"];
  document.querySelector("#qa thead").replaceChildren(el("tr", {}, ...head.map((k) => el("th", {}, t("people.qa." + k)))));
  document.querySelector("#qa tbody").replaceChildren(...(result.ok ? result.data.rows : []).map((row) =>
    el("tr", {}, el("td", {}, row.at.slice(0, 16).replace("T", " ")),
      el("td", {}, el("a", { class: "drill", href: `/contacts?agent_id=${encodeURIComponent(agentId())}&from=${row.at.slice(0, 10)}&to=${nextDay(row.at)}` }, row.contact_id)),
      el("td", { class: "num" }, show(row.score)), el("td", { class: "num" }, row.fatal_errors),
      el("td", { class: "num" }, row.nonfatal_errors), el("td", {}, row.source))));
  const [y, m] = monthInput.value.split("-").map(Number);
  const to = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  document.getElementById("contacts").href = `/contacts?agent_id=${encodeURIComponent(agentId())}&from=${monthInput.value}-01&to=${to}`;
}

// "2026-11-09 10:15" of an ISO instant the server gave in the centre's zone
function minutes(iso) {
  return iso.slice(0, 16).replace("T", " ");
}

function nextDay(iso) {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

async function renderCoaching() {
  const result = await getJson(`/api/coaching?month=${monthInput.value}&agent_id=${encodeURIComponent(agentId())}`);
  const note = result.ok ? result.data.note : null;
  document.getElementById("note").textContent = note ? note.note || "–" : t("people.no_note");
  document.getElementById("plan").textContent = note ? note.plan || "–" : "–";
  document.getElementById("coaching-meta").textContent = note ? t("people.noted_by", { who: note.who }) : "";
}

async function render() {
  error("");
  applyLabels();
  nav();
  const query = `/api/scorecards?month=${monthInput.value}&agent_id=${encodeURIComponent(agentId())}`;
  const [cardResult, sheet] = await Promise.all([getJson(`/api/scorecards/card?lang=${state.ui.lang}`), getJson(query)]);
  card = cardResult.data;
  if (!sheet.ok) { document.getElementById("card").hidden = true; error(sheet.data.error); return; }
  const row = sheet.data.rows[0];
  if (!row) { document.getElementById("card").hidden = true; error(t("people.no_card")); return; }
  renderCard(sheet.data, row);
  await Promise.all([renderAck(sheet.data), renderQa(), renderCoaching()]);
  await renderHistory();  // six months of rollups: after the month's own details
}

monthInput.onchange = render;
if (await start(render)) await render();
