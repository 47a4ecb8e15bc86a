/* /staff/impact: what failed payments cost and what the assistant recovered, for a date
 * range, with charts (Chart.js, vendored) and each table as CSV. */
(() => {
  "use strict";
  const { el, api, start, say } = window.OpsKit;
  const COLOURS = ["#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#0e7490", "#be185d", "#4b5563", "#65a30d", "#9333ea", "#ea580c"];
  const TITLES = {
    failed_by_method: "Failed payments by day and method",
    failed_by_cause: "Failed payments by day and cause",
    conversations: "Conversations",
    recovered: "Recovered payments (paid within 48 h of a failure, after a conversation or a notice)",
    timing: "Time to the first agent reply and to resolution",
    csat: "Customer satisfaction (1-5)",
    unrecognised: "Top unrecognised customer messages (card data masked)",
  };
  const charts = {};

  function isoDay(date) {
    return date.toISOString().slice(0, 10);
  }

  function stacked(id, rows, key) {
    const days = [...new Set(rows.map((r) => r.day))].sort();
    const names = [...new Set(rows.map((r) => r[key]))].sort();
    const datasets = names.map((name, i) => ({
      label: name,
      data: days.map((d) => rows.filter((r) => r.day === d && r[key] === name).reduce((n, r) => n + r.count, 0)),
      backgroundColor: COLOURS[i % COLOURS.length],
    }));
    draw(id, "bar", days, datasets, { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } });
  }

  function draw(id, type, labels, datasets, scales) {
    charts[id]?.destroy();
    charts[id] = new window.Chart(document.getElementById(id), {
      type, data: { labels, datasets },
      options: { maintainAspectRatio: false, animation: false, scales, plugins: { legend: { position: "bottom" } } },
    });
  }

  function figure(label, value) {
    return el("div", { class: "figure" }, el("strong", { text: String(value) }), el("span", { class: "muted", text: label }));
  }

  function money(amounts) {
    const parts = Object.entries(amounts).map(([currency, amount]) => `${amount} ${currency}`);
    return parts.length ? parts.join(" · ") : "0";
  }

  function render(report, since, until) {
    const c = report.conversations;
    document.getElementById("headline").replaceChildren(
      figure("failed payments", report.failed_payments.total),
      figure("conversations", c.started),
      figure("contained by the bot", c.started ? `${Math.round((100 * c.contained) / c.started)} %` : "–"),
      figure("recovered orders", report.recovered.orders),
      figure("recovered amount", money(report.recovered.amount)),
      figure("first reply p50 / p90", `${report.first_agent_reply_seconds.p50 ?? "–"} / ${report.first_agent_reply_seconds.p90 ?? "–"} s`),
      figure("CSAT", report.csat.average === null ? "–" : `${report.csat.average} (${report.csat.count})`),
    );
    stacked("chart-cause", report.failed_payments.per_day_by_cause, "cause");
    stacked("chart-method", report.failed_payments.per_day_by_method, "method");
    const reasons = Object.entries(c.handed_off_by_reason);
    draw("chart-talks", "bar",
      ["started", "contained", "handed off", ...reasons.map(([r]) => `→ ${r}`), "callbacks asked", "callbacks done"],
      [{ label: "conversations", backgroundColor: COLOURS[0],
         data: [c.started, c.contained, c.handed_off, ...reasons.map(([, n]) => n), c.callbacks_requested, c.callbacks_done] }],
      { y: { beginAtZero: true, ticks: { precision: 0 } } });
    draw("chart-csat", "bar", report.csat.per_agent.map((a) => a.agent),
      [{ label: "average rating", backgroundColor: COLOURS[2], data: report.csat.per_agent.map((a) => a.average) }],
      { y: { min: 0, max: 5 } });
    renderTables(report, since, until);
  }

  let generation = 0; // a newer range replaces tables still being fetched for an older one

  async function renderTables(report, since, until) {
    const mine = ++generation;
    const sections = [];
    for (const name of report.tables) {
      const query = new URLSearchParams({ table: name, since, until });
      const { ok, data } = await fetchCsvPreview(query);
      if (mine !== generation) return;
      const section = el("section", { class: "card", "aria-labelledby": `t-${name}` },
        el("h2", { id: `t-${name}`, text: TITLES[name] || name }),
        el("p", {}, el("a", { href: `/staff/api/ops/impact.csv?${query}`, download: `impact-${name}.csv`, "data-testid": `csv-${name}` }, "Download CSV")));
      if (ok) section.append(table(data));
      sections.push(section);
    }
    document.getElementById("tables").replaceChildren(...sections);
  }

  async function fetchCsvPreview(query) {
    const reply = await fetch(`/staff/api/ops/impact.csv?${query}`, { credentials: "same-origin" });
    if (!reply.ok) return { ok: false };
    return { ok: true, data: parseCsv(await reply.text()) };
  }

  // Enough CSV for our own exports: quoted cells with doubled quotes, commas, newlines.
  function parseCsv(textIn) {
    const rows = [[]];
    let cell = "", quoted = false;
    for (let i = 0; i < textIn.length; i++) {
      const ch = textIn[i];
      if (quoted) {
        if (ch === '"' && textIn[i + 1] === '"') { cell += '"'; i++; }
        else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ",") { rows[rows.length - 1].push(cell); cell = ""; }
      else if (ch === "\n") { rows[rows.length - 1].push(cell); cell = ""; rows.push([]); }
      else if (ch !== "\r") cell += ch;
    }
    if (cell || rows[rows.length - 1].length) rows[rows.length - 1].push(cell);
    return rows.filter((r) => r.length && !(r.length === 1 && r[0] === ""));
  }

  function table(rows) {
    const [header, ...body] = rows;
    return el("table", {},
      el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...(body.length ? body.map((r) => el("tr", {}, ...r.map((v) => el("td", { text: v }))))
        : [el("tr", {}, el("td", { colspan: String(header.length), class: "muted", text: "Nothing in this range." }))])));
  }

  async function show(event) {
    event?.preventDefault();
    const since = document.getElementById("since").value;
    const until = document.getElementById("until").value;
    say("impact-status", "Counting…");
    const { ok, status, data } = await api(`/staff/api/ops/impact?${new URLSearchParams({ since, until })}`);
    if (!ok) return say("impact-status", data?.error || `Could not count (HTTP ${status}).`, true);
    render(data, since, until);
    say("impact-status", `From ${since} to ${until} (UTC days, both included).`);
  }

  start("impact").then(() => {
    const today = new Date();
    document.getElementById("until").value = isoDay(today);
    document.getElementById("since").value = isoDay(new Date(today.getTime() - 6 * 86400000));
    document.getElementById("range-form").addEventListener("submit", show);
    show();
  }).catch(() => {});
})();
