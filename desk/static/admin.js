/* /staff/admin: staff accounts and planned channel maintenance (admins only). */
(() => {
  "use strict";
  const { el, api, start, say, when } = window.OpsKit;

  async function loadStaff() {
    const { ok, status, data } = await api("/staff/api/admin/staff");
    if (!ok) return say("staff-status", `Could not load the accounts (HTTP ${status}).`, true);
    $rows("staff-rows", data.staff.map((account) => el("tr", { "data-username": account.username },
      el("td", { text: account.username }),
      el("td", { text: account.name }),
      el("td", { text: account.role }),
      el("td", { text: account.active ? "active" : "disabled" }),
      el("td", {},
        el("button", { type: "button", class: "quiet", "data-testid": `toggle-${account.username}`,
          onclick: () => setActive(account, !account.active) }, account.active ? "Disable" : "Enable"),
        " ",
        el("button", { type: "button", class: "quiet", "data-testid": `reset-${account.username}`,
          onclick: () => resetPassword(account) }, "Reset password")),
    )));
  }

  function $rows(id, rows) {
    document.getElementById(id).replaceChildren(...rows);
  }

  async function setActive(account, active) {
    const { ok, data } = await api(`/staff/api/admin/staff/${account.id}/active`, { method: "POST", body: { active } });
    say("staff-status", ok ? `${account.username} is ${active ? "active" : "disabled"}.` : data?.error || "Refused.", !ok);
    loadStaff();
  }

  async function resetPassword(account) {
    const password = window.prompt(`New password for ${account.username} (10+ characters):`);
    if (!password) return;
    const { ok, data } = await api(`/staff/api/admin/staff/${account.id}/password`, { method: "POST", body: { password } });
    say("staff-status", ok ? `New password set for ${account.username}; their sessions ended.` : data?.error || "Refused.", !ok);
  }

  async function createStaff(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = Object.fromEntries(new FormData(form).entries());
    const { ok, data } = await api("/staff/api/admin/staff", { method: "POST", body });
    say("staff-status", ok ? `Created ${data.username} (${data.role}).` : data?.error || "Refused.", !ok);
    if (ok) form.reset();
    loadStaff();
  }

  async function loadMaintenance() {
    const { ok, status, data } = await api("/staff/api/admin/maintenance");
    if (!ok) return say("maintenance-status", `Could not load maintenance (HTTP ${status}).`, true);
    const select = document.getElementById("maintenance-method");
    if (!select.options.length) {
      select.append(...data.methods.map((m) => el("option", { value: m.value, text: m.label })));
    }
    $rows("maintenance-rows", data.windows.map((w) => el("tr", {},
      el("td", { text: w.method_label }),
      el("td", { text: when(w.starts_at) }),
      el("td", { text: when(w.ends_at) }),
      el("td", { text: w.message_en || "–" }),
      el("td", { text: w.message_zh || "–", lang: "zh" }),
      el("td", {}, w.active
        ? el("button", { type: "button", class: "quiet", onclick: () => endMaintenance(w) }, "End now")
        : el("span", { class: "muted", text: "over" })),
    )));
  }

  async function createMaintenance(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = Object.fromEntries(new FormData(form).entries());
    body.until = new Date(body.until).toISOString(); // the browser's local time, sent with its zone
    const { ok, data } = await api("/staff/api/admin/maintenance", { method: "POST", body });
    say("maintenance-status", ok ? `${data.method_label} is under maintenance until ${when(data.ends_at)}.` : data?.error || "Refused.", !ok);
    if (ok) form.reset();
    loadMaintenance();
  }

  async function endMaintenance(window_) {
    const { ok, data } = await api(`/staff/api/admin/maintenance/${window_.id}/end`, { method: "POST", body: {} });
    say("maintenance-status", ok ? `Maintenance of ${window_.method_label} ended.` : data?.error || "Refused.", !ok);
    loadMaintenance();
  }

  start("admin").then(() => {
    document.getElementById("create-staff").addEventListener("submit", createStaff);
    document.getElementById("create-maintenance").addEventListener("submit", createMaintenance);
    loadStaff();
    loadMaintenance();
  }).catch(() => {});
})();
