// A supervisor's agents side by side (a clerk or manager sees every agent): card, acknowledgement, two months
// below standard flagged, the coaching note and plan (supervisor writes), the inputs upload for the team.
import { applyLabels, state } from "/static/common.js";
import { el, error, getJson, lastMonth, monthsBefore, post, session, show, start, t } from "/static/people.js";

const monthInput = document.getElementById("month");
monthInput.value = new URLSearchParams(location.search).get("month") || lastMonth();

function nav() {
  const links = session.me.role === "clerk" ? [["/payroll", "people.payroll.title"]] : [];
  document.getElementById("nav").replaceChildren(...links.map(([href, key]) => el("a", { href }, t(key))));
}

function noteForm(agent, note) {
  const form = el("form", { class: "coach" },
    el("label", {}, t("people.note"), el("textarea", { name: "note", rows: "3" })),
    el("label", {}, t("people.plan"), el("textarea", { name: "plan", rows: "3" })),
    el("button", { type: "submit" }, t("people.save")), el("span", { class: "hint saved" }));
  form.note.value = note ? note.note : "";
  form.plan.value = note ? note.plan : "";
  form.onsubmit = async (event) => {
    event.preventDefault();
    const result = await post("/api/coaching", { month: monthInput.value, agent_id: agent,
      note: form.note.value, plan: form.plan.value });
    form.querySelector(".saved").textContent = result.ok ? t("people.saved") : result.data.error;
  };
  return form;
}

async function agentCard(row, before, ack, lowest) {
  const below = row.tier === lowest && before && before.tier === lowest;
  const noteResult = await getJson(`/api/coaching?month=${monthInput.value}&agent_id=${encodeURIComponent(row.agent_id)}`);
  const note = noteResult.ok ? noteResult.data.note : null;
  const card = el("article", { class: "panel agent" + (below ? " flagged" : ""), data: { agent: row.agent_id } },
    el("h2", {}, el("a", { href: `/me?agent_id=${encodeURIComponent(row.agent_id)}&month=${monthInput.value}` },
      `${row.name || ""} (${row.agent_id})`)),
    el("p", {}, `${t("people.tier")} `, el("strong", {}, show(row.tier)), `  ${t("people.amount")} `,
      el("strong", {}, show(row.amount))),
    el("p", { class: "hint" }, `${t("people.card_total")} ${show(row.card_total)} · ${t("people.handled")} ${show(row.handled_total)}`),
    el("p", { class: "ack" }, ack ? (ack.acknowledged ? t("people.acked_short") : ack.overdue ? t("people.overdue") : t("people.not_acked")) : ""));
  if (below) card.append(el("p", { class: "error" }, t("people.two_months_below")));
  if (session.me.role === "supervisor") card.append(noteForm(row.agent_id, note));
  else if (note) card.append(el("p", { class: "note" }, note.note), el("p", { class: "note" }, note.plan));
  return card;
}

async function render() {
  error("");
  applyLabels();
  nav();
  const [previous] = monthsBefore(monthInput.value, 2);
  const [cardInfo, now, then, acks] = await Promise.all([getJson(`/api/scorecards/card?lang=${state.ui.lang}`),
    getJson(`/api/scorecards?month=${monthInput.value}`), getJson(`/api/scorecards?month=${previous}`),
    getJson(`/api/scorecards/acks?month=${monthInput.value}`)]);
  if (!now.ok) { error(now.data.error); return; }
  const lowest = cardInfo.data.tiers[cardInfo.data.tiers.length - 1];
  const before = Object.fromEntries((then.ok ? then.data.rows : []).map((r) => [r.agent_id, r]));
  const ackBy = Object.fromEntries((acks.ok ? acks.data.rows : []).map((r) => [r.agent_id, r]));
  const pending = (acks.ok ? acks.data.rows : []).filter((r) => !r.acknowledged).map((r) => r.agent_id);
  document.getElementById("ack-summary").textContent = acks.ok && acks.data.closed
    ? t("people.pending_acks", { agents: pending.join(", ") || "–" }) : t("people.open");
  const cards = await Promise.all(now.data.rows.map((row) => agentCard(row, before[row.agent_id], ackBy[row.agent_id], lowest)));
  document.getElementById("agents").replaceChildren(...cards);
  document.getElementById("inputs-panel").hidden = !["supervisor", "clerk"].includes(session.me.role);
}

document.getElementById("inputs").onsubmit = async (event) => {
  event.preventDefault();
  const result = await post(`/api/payroll/inputs?month=${monthInput.value}`, new FormData(event.target), false);
  document.getElementById("inputs-result").textContent = result.ok
    ? t("people.uploaded", { agents: result.data.agents, version: result.data.version }) : result.data.error;
};
monthInput.onchange = render;
if (await start(render)) await render();
