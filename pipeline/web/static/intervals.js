// Interval views: service level and offered (with the target line), AHT and abandon rate, per 15/30/60 min
// for a day or per day for a week or a month, from /api/report; a click on a bar opens its contacts.
import { applyLabels, chosenLanguage, contactsHref, duration, languageButton, loadUi, localTime, percent, state,
  t } from "/static/common.js";

const form = document.getElementById("controls");
const charts = { sl: echarts.init(document.getElementById("chart-sl"), "dark"),
  aht: echarts.init(document.getElementById("chart-aht"), "dark") };
let rows = [];
let range = null;

const isoDate = (date) => date.toISOString().slice(0, 10);

// [from, to) as local dates of the centre (the server reads a date without offset in the centre's zone)
function period(day, kind) {
  const start = new Date(`${day}T00:00:00Z`);
  if (kind === "week") start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
  if (kind === "month") start.setUTCDate(1);
  const end = new Date(start);
  if (kind === "day") end.setUTCDate(end.getUTCDate() + 1);
  if (kind === "week") end.setUTCDate(end.getUTCDate() + 7);
  if (kind === "month") end.setUTCMonth(end.getUTCMonth() + 1);
  return [isoDate(start), isoDate(end)];
}

function label(row) {
  return range.kind === "day" ? localTime(row.interval_start).slice(0, 5) : row.interval_start.slice(5, 10);
}

function target() {
  const queue = form.queue.value;
  return (state.ui.queues[queue] || {}).sl_target ?? state.ui.default_sl_target;
}

function draw() {
  applyLabels();
  const x = rows.map(label);
  const common = { animation: false, backgroundColor: "transparent", tooltip: { trigger: "axis" }, legend: { top: 4 },
    grid: { left: 70, right: 70, top: 70, bottom: 30 }, xAxis: { type: "category", data: x },
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily } };
  charts.sl.setOption({ ...common, title: { text: t("web.chart.sl_offered"), left: 8, top: 4 },
    yAxis: [{ type: "value", name: t("kpi.offered") }, { type: "value", min: 0, max: 1, axisLabel: { formatter: (v) => percent(v) } }],
    series: [
      { name: t("kpi.offered"), type: "bar", data: rows.map((r) => r.offered), itemStyle: { color: "#388bfd" } },
      { name: t("kpi.service_level"), type: "line", yAxisIndex: 1, data: rows.map((r) => r.service_level),
        itemStyle: { color: "#2ea043" }, symbolSize: 12, lineStyle: { width: 4 }, tooltip: { valueFormatter: percent },
        markLine: { symbol: "none", lineStyle: { color: "#da3633", type: "dashed", width: 2 },
          label: { formatter: `${t("web.target")} ${percent(target())}` }, data: [{ yAxis: target() }] } },
    ] }, true);
  charts.aht.setOption({ ...common, title: { text: t("web.chart.aht_abandon"), left: 8, top: 4 },
    yAxis: [{ type: "value", name: t("kpi.aht_s"), minInterval: 60, axisLabel: { formatter: duration } },
      { type: "value", min: 0, axisLabel: { formatter: (v) => percent(v) } }],
    series: [
      { name: t("kpi.aht_s"), type: "bar", data: rows.map((r) => r.aht_s), itemStyle: { color: "#a371f7" },
        tooltip: { valueFormatter: duration } },
      { name: t("kpi.abandon_rate"), type: "line", yAxisIndex: 1, data: rows.map((r) => r.abandon_rate),
        itemStyle: { color: "#d29922" }, symbolSize: 12, lineStyle: { width: 4 }, tooltip: { valueFormatter: percent } },
    ] }, true);
}

function drill(params) {
  const row = rows[params.dataIndex];
  const start = new Date(row.interval_start);
  const next = rows[params.dataIndex + 1];
  const end = range.kind === "day"
    ? new Date(start.getTime() + { "15m": 900e3, "30m": 1800e3, "1h": 3600e3, "1d": 86400e3 }[range.interval])
    : new Date(start.getTime() + 86400e3);
  const to = next && new Date(next.interval_start) < end ? next.interval_start : end.toISOString();
  location.href = contactsHref({ from: row.interval_start, to, queue: form.queue.value });
}

const STEP_MS = { "15m": 900e3, "30m": 1800e3, "1h": 3600e3 };

// the report lists only intervals with contacts; a chart shows the quiet ones between them as empty
// (fixed steps within a day: a DST change inside a day view would shift the later labels by the hour)
function withEmptyIntervals(found, interval) {
  const step = STEP_MS[interval];
  if (!step || found.length < 2) return found;
  const filled = [];
  for (let i = 0; i < found.length; i += 1) {
    filled.push(found[i]);
    if (i + 1 === found.length) break;
    for (let at = Date.parse(found[i].interval_start) + step; at < Date.parse(found[i + 1].interval_start); at += step) {
      filled.push({ interval_start: new Date(at).toISOString(), offered: 0, service_level: null, aht_s: null,
        abandon_rate: null });
    }
  }
  return filled;
}

async function load() {
  const kind = form.period.value;
  const interval = kind === "day" ? form.interval.value : "1d";
  const [from, to] = period(form.day.value, kind);
  range = { kind, interval, from, to };
  const query = new URLSearchParams({ from, to, by: "interval", interval });
  if (form.queue.value) query.set("queue", form.queue.value);
  const response = await fetch(`/api/report?${query}`);
  const body = await response.json();
  document.getElementById("error").textContent = response.ok ? "" : body.error;
  rows = response.ok ? withEmptyIntervals(body, interval) : [];
  document.getElementById("nav-contacts").href = contactsHref({ from, to, queue: form.queue.value });
  draw();
}

async function queues(from, to) {
  const response = await fetch(`/api/report?${new URLSearchParams({ from, to, by: "queue" })}`);
  const names = response.ok ? (await response.json()).map((r) => r.queue) : [];
  const select = form.queue;
  select.replaceChildren(new Option(t("web.all_queues"), ""), ...names.map((n) => new Option(n, n)));
}

await loadUi(chosenLanguage());
applyLabels();
const query = new URLSearchParams(location.search);
form.day.value = query.get("day") || new Intl.DateTimeFormat("en-CA", { timeZone: state.ui.tz }).format(new Date(state.ui.now));
form.period.value = query.get("period") || "day";
await queues(...period(form.day.value, "month"));
form.queue.value = query.get("queue") || "";
languageButton(async () => { form.queue.options[0].text = t("web.all_queues"); draw(); });
form.onsubmit = (event) => { event.preventDefault(); load(); };
for (const chart of Object.values(charts)) chart.on("click", drill);
window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
await load();
