// The live wallboard: polls /api/live every refresh_s seconds; every queue number links to its contacts.
import { applyLabels, chosenLanguage, contactsHref, duration, el, languageButton, loadUi, localTime, number,
  percent, state, t } from "/static/common.js";

let board = null;

function figure(name, value, href, extraClass = "") {
  const link = el("a", { class: `figure drill ${extraClass}`, href, data: { metric: name } },
    el("span", { class: "value" }, value), el("span", { class: "name" }, t(`kpi.${name}`)));
  return link;
}

function queueCard(q) {
  const [wFrom, wTo] = board.ranges.window;
  const [dFrom, dTo] = board.ranges.today;
  const base = { queue: q.queue };
  const today = (outcome) => contactsHref({ ...base, from: dFrom, to: dTo, outcome });
  const longAlert = q.longest_wait_s !== null && q.longest_wait_s > q.sl_threshold_s ? "alert" : "";
  return el("article", { class: `queue ${q.sl_status}`, data: { queue: q.queue } },
    el("h2", {}, q.queue),
    el("div", { class: "sl" },
      el("a", { class: "big drill", href: contactsHref({ ...base, from: wFrom, to: wTo }), data: { metric: "service_level" } },
        percent(q.service_level)),
      el("div", {},
        el("div", { class: "status" }, t(`web.status.${q.sl_status}`)),
        el("div", { class: "target" }, `${t("web.sl_window", { n: Math.round(board.window_s / 60) })} · ${t("web.target")} ${percent(q.sl_target)}`))),
    el("div", { class: "figures" },
      figure("waiting", number(q.waiting), today("waiting"), q.waiting > 0 ? "" : ""),
      figure("longest_wait_s", duration(q.longest_wait_s), today("waiting"), longAlert),
      figure("answered", number(q.answered), today("answered")),
      figure("abandoned", number(q.abandoned), today("abandoned")),
      figure("asa_s", duration(q.asa_s), today("answered"))));
}

function render() {
  if (!board) return;
  applyLabels();
  const queues = document.getElementById("queues");
  queues.replaceChildren(...(board.queues.length ? board.queues.map(queueCard) : [el("p", { class: "hint" }, t("web.empty"))]));
  const counts = document.getElementById("state-counts");
  counts.replaceChildren(...Object.entries(board.agent_counts).map(([name, value]) =>
    el("div", { class: `state-count ${name}`, data: { state: name } },
      el("span", { class: "value" }, number(value)), el("span", { class: "name" }, t(`state.${name}`)))));
  const [dFrom, dTo] = board.ranges.today;
  const grid = document.getElementById("agent-grid");
  grid.replaceChildren(...board.agents.map((a) =>
    el("a", { class: `agent drill ${a.state}`, href: contactsHref({ from: dFrom, to: dTo, agent_id: a.agent_id }), data: { agent: a.agent_id } },
      el("span", { class: "dur" }, duration(a.in_state_s)),
      el("div", { class: "id" }, a.agent_id),
      el("div", { class: "st" }, t(`state.${a.state}`) + (a.reason ? ` · ${a.reason}` : "")))));
  document.getElementById("clock").textContent = localTime(board.now);
  document.getElementById("updated").textContent = localTime(board.now, true);
  document.getElementById("nav-contacts").href = contactsHref({ from: dFrom, to: dTo });
}

async function refresh() {
  try {
    const response = await fetch("/api/live");
    if (response.ok) { board = await response.json(); render(); }
  } finally {
    setTimeout(refresh, state.ui.refresh_s * 1000);
  }
}

await loadUi(chosenLanguage());
applyLabels();
languageButton(render);
refresh();
