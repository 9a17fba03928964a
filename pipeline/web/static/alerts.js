// The banner of alerts firing now (what Alertmanager posted to /api/alerts/alertmanager), above the wallboard.
// Its own file so the wallboard's script stays as it is; it reads the page's language from the shared state.
import { chosenLanguage, el, state } from "/static/common.js";

const POLL_S = 5; // until the page has its settings (then their refresh_s)

function render(banner, answer) {
  banner.replaceChildren();
  banner.hidden = answer.alerts.length === 0;
  if (banner.hidden) return;
  banner.append(el("strong", {}, `${answer.title} (${answer.alerts.length})`));
  for (const alert of answer.alerts) {
    const where = alert.queue ? ` · ${alert.queue}` : "";
    banner.append(el("span", { class: `alert ${alert.severity}` }, `${alert.title}${where} · ${alert.since_label} ${alert.since}`));
  }
}

async function poll() {
  const banner = document.getElementById("alert-banner");
  try {
    const lang = (state.ui && state.ui.lang) || chosenLanguage();
    const response = await fetch(`/api/alerts/firing${lang ? `?lang=${encodeURIComponent(lang)}` : ""}`);
    if (response.ok) render(banner, await response.json());
  } catch (error) {
    console.warn("alert banner: the server did not answer; trying again", error);  // keeps what it showed
  } finally {
    setTimeout(poll, ((state.ui && state.ui.refresh_s) || POLL_S) * 1000);
  }
}

poll();
