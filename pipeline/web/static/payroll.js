// The clerk's month end: inputs upload, dry run (with what changes against the last close), close, reopen with
// a reason, history, the workbook. Refusals are shown exactly as the server (the CLI's words) gives them.
import { applyLabels } from "/static/common.js";
import { el, error, getJson, lastMonth, post, show, start, t } from "/static/people.js";

const monthInput = document.getElementById("month");
monthInput.value = new URLSearchParams(location.search).get("month") || lastMonth();
const SHOWN = ["agent_id", "name", "team", "tier", "amount", "adjustment", "payable", "reasons"];

function say(text) { document.getElementById("result").textContent = text || ""; }

async function refresh() {
  error("");
  applyLabels();
  const month = monthInput.value;
  document.getElementById("download-xlsx").href = `/api/payroll/export?month=${month}&format=xlsx`;
  document.getElementById("download-csv").href = `/api/payroll/export?month=${month}&format=csv`;
  const [history, sheet] = await Promise.all([getJson(`/api/payroll/history?month=${month}`),
    getJson(`/api/scorecards?month=${month}`)]);
  if (!history.ok) { error(history.data.error); return; }
  document.getElementById("status").textContent = sheet.ok
    ? t(sheet.data.closed ? "people.closed" : "people.open") + ` · ${t("people.agents", { n: sheet.data.rows.length })}` : "";
  const head = ["version", "action", "at", "who", "reason", "payable_total"];
  document.querySelector("#history thead").replaceChildren(el("tr", {}, ...head.map((k) => el("th", {}, t("people.h." + k)))));
  document.querySelector("#history tbody").replaceChildren(...history.data.versions.map((v) => el("tr", {},
    el("td", {}, v.version), el("td", {}, v.action), el("td", {}, new Date(v.at_ms).toISOString().slice(0, 16).replace("T", " ")),
    el("td", {}, v.who), el("td", {}, v.reason || "–"), el("td", { class: "num" }, show(v.totals.payable_total)))));
}

function preview(result) {
  document.getElementById("preview-panel").hidden = false;
  document.getElementById("preview-title").textContent = t("people.would_freeze", { n: result.rows.length });
  document.querySelector("#preview thead").replaceChildren(el("tr", {}, ...SHOWN.map((k) => el("th", {}, k))));
  document.querySelector("#preview tbody").replaceChildren(...result.rows.map((row) =>
    el("tr", {}, ...SHOWN.map((k) => el("td", {}, show(row[k]))))));
  document.querySelector("#changes tbody").replaceChildren(...(result.changes.length ? result.changes.map((c) =>
    el("tr", {}, el("td", {}, c.agent_id), el("td", {}, Object.entries(c.changes).map(([k, v]) =>
      `${k}: ${show(v.closed)} → ${show(v.now)}`).join("; ")))) : [el("tr", {}, el("td", {}, t("people.no_changes")))]));
}

document.getElementById("dry-run").onclick = async () => {
  const result = await post("/api/payroll/close", { month: monthInput.value, dry_run: true });
  if (!result.ok) { say(""); error(result.data.error); return; }
  error("");
  say(t("people.dry_run_done"));
  preview(result.data);
};

document.getElementById("close").onclick = async () => {
  const result = await post("/api/payroll/close", { month: monthInput.value, dry_run: false });
  if (!result.ok) { say(""); error(result.data.error); return; }
  error("");
  say(t("people.closed_done", { month: result.data.month, agents: result.data.agents, checksum: result.data.checksum }));
  await refresh();
};

document.getElementById("reopen").onsubmit = async (event) => {
  event.preventDefault();
  const result = await post("/api/payroll/reopen", { month: monthInput.value, reason: event.target.reason.value });
  if (!result.ok) { say(""); error(result.data.error); return; }
  error("");
  say(t("people.reopened", { month: result.data.month, version: result.data.version }));
  await refresh();
};

document.getElementById("inputs").onsubmit = async (event) => {
  event.preventDefault();
  const result = await post(`/api/payroll/inputs?month=${monthInput.value}`, new FormData(event.target), false);
  if (!result.ok) { say(""); error(result.data.error); return; }
  say(t("people.uploaded", { agents: result.data.agents, version: result.data.version }));
  await refresh();
};

monthInput.onchange = refresh;
if (await start(refresh)) await refresh();
