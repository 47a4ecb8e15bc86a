/* Shared by the admins' pages (/staff/ops, /staff/impact, /staff/admin): the API call with
 * the session's CSRF token, an element builder that only ever inserts text, and the
 * page's header (who is logged in, links between the pages). Loaded before each page's
 * own script; exposes window.OpsKit. */
(() => {
  "use strict";

  const state = { csrf: null, agent: null };

  class NotAllowed extends Error {}

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  async function api(path, { method = "GET", body } = {}) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
    const reply = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await reply.json(); } catch { data = null; }
    if (reply.status === 401) {
      location.assign("/staff"); // log in there, then come back
      throw new NotAllowed("please log in");
    }
    return { ok: reply.ok, status: reply.status, data };
  }

  // Who is logged in; shows "admins only" and stops for an agent.
  async function start(pageName) {
    const { ok, data } = await api("/staff/api/me");
    if (!ok) throw new NotAllowed("no session");
    state.csrf = data.csrf;
    state.agent = data.agent;
    const who = document.getElementById("who");
    if (who) who.textContent = `${data.agent.name} (${data.agent.role})`;
    for (const link of document.querySelectorAll("nav.ops-nav a")) {
      if (link.dataset.page === pageName) link.setAttribute("aria-current", "page");
    }
    if (data.agent.role !== "admin") {
      document.getElementById("content").replaceChildren(
        el("p", { class: "error", role: "alert", text: "This page is for admins only." }));
      throw new NotAllowed("not an admin");
    }
    return data.agent;
  }

  function say(id, text, isError = false) {
    const node = document.getElementById(id);
    node.textContent = text;
    node.classList.toggle("error", isError);
  }

  function percent(value) {
    return value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)} %`;
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : "–";
  }

  window.OpsKit = { el, api, start, say, percent, when, NotAllowed };
})();
