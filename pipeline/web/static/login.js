// The people login: POST /api/login, then the page asked for (same site only) or the role's home page.
import { applyLabels, chosenLanguage, languageButton, loadUi, t } from "/static/common.js";

const HOME = { agent: "/me", supervisor: "/team", clerk: "/payroll", manager: "/team" };
const form = document.getElementById("login");

function next(role) {
  const wanted = new URLSearchParams(location.search).get("next") || "";
  return wanted.startsWith("/") && !wanted.startsWith("//") ? wanted : HOME[role] || "/me";
}

form.onsubmit = async (event) => {
  event.preventDefault();
  const response = await fetch("/api/login", { method: "POST", headers: { "Content-Type": "application/json" },
    credentials: "same-origin", body: JSON.stringify({ username: form.username.value, password: form.password.value }) });
  const data = await response.json().catch(() => ({}));
  if (response.ok) { location.href = next(data.role); return; }
  const key = response.status === 429 ? "people.too_many" : response.status === 401 ? "people.wrong_login" : "";
  document.getElementById("error").textContent = key ? t(key) : data.error || response.statusText;
};

await loadUi(chosenLanguage());
applyLabels();
languageButton(() => {});
