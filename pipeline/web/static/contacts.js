// The contacts behind a number: the page's query string is the /api/contacts filter; pages by cursor.
import { applyLabels, chosenLanguage, duration, el, languageButton, loadUi, localTime, state, t } from "/static/common.js";

const COLUMNS = ["contact_id", "offered_at", "queue", "channel", "agent_id", "outcome", "wait_s", "talk_s", "hold_s",
  "acw_s", "handle_s", "disposition", "csat", "nps", "abandon_reason", "transferred", "time_conflict"];
const HEADERS = { queue: "group.queue", channel: "group.channel", agent_id: "group.agent_id" };
const filters = new URLSearchParams(location.search);
filters.delete("lang");
let rows = [];
let nextCursor = null;

function today() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: state.ui.tz, year: "numeric", month: "2-digit", day: "2-digit" })
    .format(new Date(state.ui.now));
  const day = new Date(`${parts}T00:00:00Z`);
  const next = new Date(day.getTime() + 86400000).toISOString().slice(0, 10);
  return [parts, next];
}

function cell(name, row) {
  const value = row[name];
  if (name.endsWith("_s")) return el("td", { class: "num" }, duration(value));
  if (name === "offered_at") return el("td", {}, localTime(value, true));
  if (name === "outcome") return el("td", {}, t(`outcome.${value}`));
  if (name === "channel") return el("td", {}, t(`channel.${value}`));
  if (name === "transferred" || name === "time_conflict") return el("td", {}, value ? t("web.yes") : "");
  return el("td", { class: typeof value === "number" ? "num" : "" }, value === null ? "–" : value);
}

// a date without a time is already the centre's local date
const instant = (text) => (text.includes("T") ? localTime(text, true) : text);

function render() {
  applyLabels();
  const head = document.querySelector("#contacts thead");
  head.replaceChildren(el("tr", {}, ...COLUMNS.map((c) => el("th", {}, t(HEADERS[c] || `web.col.${c}`)))));
  const body = document.querySelector("#contacts tbody");
  body.replaceChildren(...rows.map((row) =>
    el("tr", { class: row.time_conflict ? "conflict" : "", data: { contact: row.contact_id } },
      ...COLUMNS.map((c) => cell(c, row)))));
  document.getElementById("count").textContent = rows.length ? t("web.rows", { n: rows.length }) : t("web.no_contacts");
  const shown = [...filters].filter(([name]) => !["from", "to"].includes(name)).map(([name, value]) =>
    `${t(HEADERS[name] || `web.col.${name}`)}: ${name === "outcome" ? t(`outcome.${value}`) : value}`);
  document.getElementById("filters").textContent =
    [`${instant(filters.get("from"))} – ${instant(filters.get("to"))}`, ...shown].join(" · ");
  document.getElementById("more").hidden = !nextCursor;
}

async function load(cursor) {
  const query = new URLSearchParams(filters);
  if (cursor) query.set("cursor", cursor);
  const response = await fetch(`/api/contacts?${query}`);
  const body = await response.json();
  if (!response.ok) { document.getElementById("error").textContent = body.error; return; }
  rows = rows.concat(body.rows);
  nextCursor = body.next_cursor;
  render();
}

await loadUi(chosenLanguage());
if (!filters.get("from") || !filters.get("to")) {
  const [from, to] = today();
  filters.set("from", from); filters.set("to", to);
}
for (const fmt of ["csv", "xlsx"]) {
  const query = new URLSearchParams(filters); query.set("format", fmt);
  document.getElementById(`export-${fmt}`).href = `/api/contacts?${query}`;
}
languageButton(render);
document.getElementById("more").onclick = () => load(nextCursor);
await load(null);
