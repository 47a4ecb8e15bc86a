/* /staff/ops: each payment channel's health now, its hourly success rate over 24 hours
 * (Chart.js, vendored) and the status changes the regular check recorded. */
(() => {
  "use strict";
  const { el, api, start, say, percent, when } = window.OpsKit;
  const REFRESH_MS = 30000;
  const COLOURS = ["#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#0e7490", "#be185d"];
  let chart = null;

  function statusBadge(status) {
    return el("span", { class: `status status-${status}`, "data-testid": "channel-status", text: status });
  }

  function renderChannels(channels) {
    document.getElementById("channel-rows").replaceChildren(...channels.map((c) => el("tr", { "data-method": c.method },
      el("th", { scope: "row", text: c.label }),
      el("td", {}, statusBadge(c.status), c.maintenance ? el("div", { class: "muted", text: `maintenance until ${when(c.maintenance.ends_at)}` }) : null),
      el("td", { class: "num", text: percent(c.success_rate["15m"]) }),
      el("td", { class: "num", text: percent(c.success_rate["1h"]) }),
      el("td", { class: "num", text: percent(c.success_rate["24h"]) }),
      el("td", { class: "num", text: `${c.attempts["15m"]} / ${c.attempts["1h"]} / ${c.attempts["24h"]}` }),
      el("td", { text: c.top_failure_codes.map((f) => `${f.code} ×${f.count}`).join(", ") || "–" }),
      el("td", { class: "muted", text: c.evidence || "" }),
    )));
  }

  function renderChart(channels) {
    const labels = channels[0]?.hourly.map((h) => new Date(h.from).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })) || [];
    const datasets = channels.map((c, i) => ({
      label: c.label,
      data: c.hourly.map((h) => (h.success_rate === null ? null : Math.round(h.success_rate * 1000) / 10)),
      borderColor: COLOURS[i % COLOURS.length],
      backgroundColor: COLOURS[i % COLOURS.length],
      spanGaps: true,
      tension: 0, // straight lines: a curve would invent rates between the hours
    }));
    if (chart) {
      chart.data.labels = labels;
      chart.data.datasets = datasets;
      chart.update("none");
      return;
    }
    chart = new window.Chart(document.getElementById("rate-chart"), {
      type: "line",
      data: { labels, datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: "success %" } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  let labels = {};

  function renderChanges(changes) {
    document.getElementById("change-rows").replaceChildren(...changes.map((c) => el("tr", {},
      el("td", { text: when(c.at) }),
      el("td", { text: labels[c.method] || c.method }),
      el("td", {}, `${c.previous} → `, statusBadge(c.status)),
      el("td", { class: "muted", text: c.evidence }),
    )));
    if (!changes.length) {
      document.getElementById("change-rows").append(el("tr", {}, el("td", { colspan: "4", class: "muted", text: "No status changes recorded yet." })));
    }
  }

  async function refresh() {
    const { ok, status, data } = await api("/staff/api/ops/channels");
    if (!ok) return say("ops-status", `Could not load channel health (HTTP ${status}).`, true);
    labels = Object.fromEntries(data.channels.map((c) => [c.method, c.label]));
    renderChannels(data.channels);
    renderChart(data.channels);
    renderChanges(data.changes);
    say("ops-status", `Updated ${when(data.now)}; the desk checks every ${data.check_every_s} s.`);
  }

  start("ops").then(() => {
    refresh();
    setInterval(refresh, REFRESH_MS);
  }).catch(() => {});
})();
