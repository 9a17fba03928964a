// Shared by the pages: labels from the server's catalogue (/api/ui), the centre's zone, m:ss durations.
const LANG_KEY = "cckpi.lang";
export const state = { ui: null };

export function chosenLanguage() {
  return new URLSearchParams(location.search).get("lang") || localStorage.getItem(LANG_KEY) || "";
}

export async function loadUi(lang) {
  const query = lang ? `?lang=${encodeURIComponent(lang)}` : "";
  const response = await fetch(`/api/ui${query}`);
  state.ui = await response.json();
  document.documentElement.lang = state.ui.lang;
  return state.ui;
}

export function t(key, vars = {}) {
  let text = (state.ui && state.ui.labels[key]) || key;
  for (const [name, value] of Object.entries(vars)) text = text.replace(`{${name}}`, value);
  return text;
}

// every element with data-label gets its label; the language button switches and re-renders
export function applyLabels(root = document) {
  for (const el of root.querySelectorAll("[data-label]")) el.textContent = t(el.dataset.label);
}

export function languageButton(rerender) {
  const button = document.getElementById("lang");
  button.textContent = t("web.language");
  button.onclick = async () => {
    const next = state.ui.lang === "zh-CN" ? "en" : "zh-CN";
    localStorage.setItem(LANG_KEY, next);
    await loadUi(next);
    button.textContent = t("web.language");
    applyLabels();
    rerender();
  };
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${h ? h + ":" : ""}${mm}:${String(s).padStart(2, "0")}`;
}

export function percent(value) {
  return value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`;
}

export function number(value) {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString(state.ui ? state.ui.lang : "en");
}

// date and time of an ISO instant, in the centre's zone (not the browser's)
export function localTime(iso, withDate = false) {
  const options = { timeZone: state.ui.tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false };
  if (withDate) Object.assign(options, { year: "numeric", month: "2-digit", day: "2-digit" });
  return new Intl.DateTimeFormat(state.ui.lang, options).format(new Date(iso));
}

export function contactsHref(filters) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
  return `/contacts?${query}`;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name === "data") Object.assign(node.dataset, value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}
