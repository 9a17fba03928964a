// Shared by the people pages (/me, /team, /payroll): the session's user in the header, logout, POST with CSRF.
import { applyLabels, chosenLanguage, el, languageButton, loadUi, t } from "/static/common.js";

export const session = { me: null };

export async function start(rerender) {
  await loadUi(chosenLanguage());
  const response = await fetch("/api/me", { credentials: "same-origin" });
  if (response.status === 401) {
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    return null;
  }
  session.me = await response.json();
  renderUser();
  languageButton(() => { renderUser(); rerender(); });
  applyLabels();
  return session.me;
}

function renderUser() {
  const user = document.getElementById("user");
  user.replaceChildren(el("span", { class: "who" }, `${session.me.username} · ${t("people.role." + session.me.role)}`),
    el("button", { type: "button", id: "logout" }, t("people.logout")));
  document.getElementById("logout").onclick = logout;
}

export async function post(url, body, asJson = true) {
  const headers = { "X-CSRF-Token": session.me.csrf_token };
  if (asJson) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method: "POST", credentials: "same-origin", headers,
    body: asJson ? JSON.stringify(body) : body });
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

export async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

async function logout() {
  await post("/api/logout", {});
  location.href = "/login";
}

// the month before the current one, YYYY-MM (the month whose card is usually due)
export function lastMonth() {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

export function monthsBefore(month, n) {
  const [y, m] = month.split("-").map(Number);
  const out = [];
  for (let i = n - 1; i >= 0; i--) out.push(new Date(Date.UTC(y, m - 1 - i, 1)).toISOString().slice(0, 7));
  return out;
}

export function show(value) {
  if (value === null || value === undefined || value === "") return "–";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (Array.isArray(value)) return value.join("; ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function error(text) {
  const node = document.getElementById("error");
  node.textContent = text || "";
}

export { t, el };
