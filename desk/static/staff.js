/* Staff console of the payment-help desk (served at /staff).
 *
 * Log-in, the live queue, one conversation with its order and diagnosis, and the
 * actions a person takes on it. The HTTP and WebSocket calls follow desk/API.md.
 */
(() => {
  "use strict";

  const QUEUE_REFRESH_MS = 15000; // fallback when a queue event is missed
  const CLOCK_TICK_MS = 10000;
  const RETRY_FIRST_MS = 1000;
  const RETRY_MAX_MS = 30000;

  const TEXT = {
    unreachable: "Cannot reach the desk. Check your connection and try again.",
    reconnecting: "Reconnecting…",
    badLogin: "Wrong username or password.",
    loginFailed: (status) => `Log-in failed (HTTP ${status}). Try again in a moment.`,
    sessionEnded: "Your session has ended. Please log in again.",
    queueFailed: "Could not refresh the queue. Retrying…",
    queueEmpty: "No conversations right now.",
    loadFailed: (status) => `Could not load this conversation (HTTP ${status}).`,
    actionFailed: (status, reason) => `The desk refused that (${reason || `HTTP ${status}`}).`,
    alreadyClaimed: (name) => `Already claimed by ${name || "someone else"}`,
    youHold: "You are handling this conversation.",
    heldBy: (name) => `Claimed by ${name}.`,
    unclaimed: "Nobody has claimed this conversation yet.",
    resolved: (outcome) => `Resolved${outcome ? `: ${outcome}` : ""}.`,
    readOnly: (how) => `${how ? `${how}. ` : ""}Read-only: if the customer writes again, the assistant answers first.`,
    chooseOutcome: "Choose an outcome before resolving.",
    noCustomer: "Customer not identified",
    details: (id, started) => `Conversation ${id} · started ${started}`,
    order: (id) => `order ${id}`,
    agentIs: (name) => `Agent: ${name}`,
    rated: (score) => `Rated ${score}/5`,
    searchEmpty: "No conversations found.",
    searchFailed: "The search did not work. Try again.",
    found: (count) => `${count} conversation${count === 1 ? "" : "s"} found.`,
    noOrder: "No order is linked to this conversation.",
    noPayments: "No payment attempts on record.",
    noDiagnosis: "No diagnosis yet.",
    noEvidence: "No evidence recorded.",
    nothingTried: "Nothing tried yet.",
    noReason: "No reason given",
    noneSelected: "No conversation selected.",
  };
  // The desk sends its own labels (status_label, headline...); these cover older answers.
  const STATUS_LABELS = { bot: "With the assistant", waiting: "Waiting", with_agent: "With an agent", resolved: "Resolved" };
  const SENDER_LABELS = { customer: "Customer", bot: "Bot", agent: "Agent", system: "System", note: "Internal note" };

  // What the console knows; the page is drawn from it.
  const desk = {
    agent: null, // {id, name} once logged in
    csrf: null, // kept in memory only, sent on every POST
    outcomes: [], // [{value, label}] to resolve with, from the desk
    queue: [], // summaries, each stamped with seenAt (ms) for its waiting clock
    clocks: [], // [span, summary] pairs whose waiting time counts up
    openId: null, // id (as a string) of the conversation on screen
    open: null, // its summary
    shownIds: new Set(), // message ids in the transcript
    socket: null,
    lost: false,
    retryDelay: RETRY_FIRST_MS,
    retryTimer: 0,
    intervals: [],
  };

  const $ = (id) => document.getElementById(id);

  // Builds an element; strings among the children become text nodes, never HTML.
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  /* ---------- talking to the desk ---------- */

  class SessionEnded extends Error {}

  class ActionFailed extends Error {
    constructor(status, reason) {
      super(reason || `HTTP ${status}`);
      this.status = status;
      this.reason = reason; // the desk's own words, from {"error": "..."}
    }
  }

  // A 401 while logged in means the session expired: back to the log-in form.
  async function api(path, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && desk.csrf) headers["X-CSRF-Token"] = desk.csrf;
    const response = await fetch(path, {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401 && desk.agent) {
      endSession(TEXT.sessionEnded);
      throw new SessionEnded();
    }
    const data = await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, data };
  }

  async function post(path, body) {
    const { ok, status, data } = await api(path, { method: "POST", body });
    if (!ok) throw new ActionFailed(status, typeof data?.error === "string" ? data.error : "");
    return data;
  }

  const conversationPath = (id) => `/staff/api/conversations/${encodeURIComponent(id)}`;

  /* ---------- session ---------- */

  async function boot() {
    try {
      const { ok, status, data } = await api("/staff/api/me");
      if (ok) startDesk(data);
      else if (status === 401) showLogin("");
      else throw new Error(`me: HTTP ${status}`);
    } catch {
      showConnection(TEXT.unreachable);
      setTimeout(boot, RETRY_MAX_MS);
    }
  }

  function showLogin(message) {
    $("desk-view").hidden = true;
    $("who").hidden = true;
    $("login-view").hidden = false;
    $("login-error").textContent = message;
    $("username").focus();
  }

  async function logIn(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const button = form.querySelector("button");
    button.disabled = true;
    $("login-error").textContent = "";
    try {
      const credentials = { username: $("username").value.trim(), password: $("password").value };
      const { ok, status, data } = await api("/staff/api/login", { method: "POST", body: credentials });
      if (ok) {
        form.reset();
        startDesk(data);
      } else {
        $("login-error").textContent = status === 401 ? TEXT.badLogin : TEXT.loginFailed(status);
      }
    } catch {
      $("login-error").textContent = TEXT.unreachable;
    } finally {
      button.disabled = false;
    }
  }

  async function logOut() {
    try {
      await api("/staff/api/logout", { method: "POST" });
    } catch {
      // Logged out here anyway; the cookie expires on its own.
    }
    endSession("");
  }

  function startDesk({ agent, csrf, outcomes }) {
    desk.agent = agent;
    desk.csrf = csrf;
    desk.outcomes = outcomes || [];
    renderOutcomes();
    showConnection("");
    $("login-view").hidden = true;
    $("desk-view").hidden = false;
    $("who").hidden = false;
    $("agent-name").textContent = agent.name;
    document.dispatchEvent(new CustomEvent("desk:agent", { detail: agent }));
    $("queue-title").focus(); // the log-in form just vanished under the keyboard
    refreshQueue();
    search();
    openSocket();
    desk.intervals = [setInterval(refreshQueue, QUEUE_REFRESH_MS), setInterval(tickClocks, CLOCK_TICK_MS)];
  }

  function endSession(message) {
    const socket = desk.socket;
    desk.socket = null;
    socket?.close();
    desk.intervals.forEach(clearInterval);
    clearTimeout(desk.retryTimer);
    Object.assign(desk, { agent: null, csrf: null, lost: false, intervals: [] });
    showConnection("");
    closeConversation();
    showLogin(message);
  }

  /* ---------- live events ---------- */

  function openSocket() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/staff/ws`);
    desk.socket = socket;
    socket.onopen = () => {
      desk.retryDelay = RETRY_FIRST_MS;
      showConnection("");
      if (desk.lost) catchUp();
      desk.lost = false;
    };
    socket.onmessage = (event) => {
      if (desk.socket === socket) handleEvent(JSON.parse(event.data));
    };
    socket.onclose = async () => {
      if (desk.socket !== socket) return; // closed on purpose
      desk.socket = null;
      desk.lost = true;
      showConnection(TEXT.reconnecting);
      // The desk closes the socket when the session expires; the queue call finds out.
      if (!(await refreshQueue())) return;
      const delay = desk.retryDelay * (0.75 + Math.random() / 2);
      desk.retryDelay = Math.min(desk.retryDelay * 2, RETRY_MAX_MS);
      desk.retryTimer = setTimeout(() => desk.agent && !desk.socket && openSocket(), delay);
    };
  }

  // After a dropped connection, fetch what the missed events would have told us.
  function catchUp() {
    refreshQueue();
    if (desk.openId) loadConversation(desk.openId);
  }

  function handleEvent(event) {
    switch (event.type) {
      case "queue":
        refreshQueue();
        refreshHistory();
        break;
      case "message":
        if (String(event.conversation_id) === desk.openId) showMessage(event.message);
        break;
      case "message_update": // card data found later: the stored text was masked
        if (String(event.conversation_id) === desk.openId) {
          const shown = $("transcript").querySelector(`[data-id="${Number(event.message.id)}"] .message-text`);
          if (shown) shown.textContent = event.message.text;
        }
        break;
      case "conversation":
        // API.md promises the summary; without one, refetch the conversation if it is on screen.
        if (event.summary) updateSummary(event.summary);
        else if (String(event.conversation_id) === desk.openId) loadConversation(desk.openId);
        break;
      default: // other listeners (console-ops.js: channel alerts) take the rest
        document.dispatchEvent(new CustomEvent("desk:event", { detail: event }));
    }
  }

  function showConnection(text) {
    $("connection").textContent = text;
  }

  /* ---------- the queue ---------- */

  // Returns false only when the session has ended; other failures are shown and retried.
  async function refreshQueue() {
    try {
      const { ok, data } = await api("/staff/api/queue");
      if (!ok) throw new Error("queue");
      desk.queue = data.conversations.map(stamp);
      renderQueue();
      return true;
    } catch (error) {
      if (error instanceof SessionEnded) return false;
      $("queue-status").textContent = TEXT.queueFailed;
      return true;
    }
  }

  function renderQueue() {
    const focusedId = document.activeElement?.dataset.conversationId;
    const waitingFirst = [...desk.queue].sort((a, b) => (b.status === "waiting") - (a.status === "waiting"));
    desk.clocks = [];
    $("queue-list").replaceChildren(...waitingFirst.map((summary) => el("li", {}, queueRow(summary))));
    $("queue-status").textContent = desk.queue.length ? "" : TEXT.queueEmpty;
    // Redrawing must not steal the keyboard user's place in the list.
    if (focusedId) queueButton(focusedId)?.focus();
  }

  function queueRow(summary, testId = "queue-row") {
    const waited = el("span", { class: "waited", text: waitedText(summary) });
    if (summary.status === "waiting") desk.clocks.push([waited, summary]);
    const customer = summary.customer_name
      ? `${summary.customer_name}${summary.customer_email ? ` <${summary.customer_email}>` : ""}`
      : TEXT.noCustomer;
    const facts = [
      summary.order_id && TEXT.order(summary.order_id),
      summary.diagnosis_label,
      summary.agent && TEXT.agentIs(summary.agent),
      summary.outcome_label,
      summary.rating != null && TEXT.rated(summary.rating),
    ].filter(Boolean);
    return el("button", {
      type: "button", class: `queue-row status-${summary.status}`, "data-testid": testId,
      "data-conversation-id": String(summary.id), "aria-current": String(String(summary.id) === desk.openId),
      onclick: () => openConversation(summary.id),
    },
      el("span", { class: "row-top" },
        el("span", { class: "badge", text: statusLabel(summary) }),
        // The customer's language: the canned replies are in it, and so should a reply be.
        summary.language_label ? el("span", {
          class: "badge badge-language", "data-testid": "queue-language", text: summary.language_label,
        }) : "",
        waited),
      el("span", { class: "row-reason", text: summary.headline || TEXT.noReason }),
      el("span", { class: "row-customer", text: customer }),
      summary.last_message ? el("span", { class: "row-last", text: `“${summary.last_message}”` }) : "",
      facts.length ? el("span", { class: "row-facts", text: facts.join(" · ") }) : "");
  }

  function statusLabel(summary) {
    return summary.status_label || STATUS_LABELS[summary.status] || summary.status;
  }

  function queueButton(id) {
    return $("queue-list").querySelector(`[data-conversation-id="${CSS.escape(String(id))}"]`);
  }

  // Waiting times count up from the moment the desk sent them.
  function stamp(summary) {
    return { ...summary, seenAt: Date.now() };
  }

  function waitedText(summary) {
    if (summary.waiting_seconds == null) return "";
    const since = summary.status === "waiting" ? (Date.now() - (summary.seenAt || Date.now())) / 1000 : 0;
    const minutes = Math.floor((summary.waiting_seconds + since) / 60);
    if (minutes < 1) return "< 1 min";
    if (minutes < 60) return `${minutes} min`;
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  }

  function tickClocks() {
    for (const [span, summary] of desk.clocks) span.textContent = waitedText(summary);
  }

  // A summary changed (an action's answer or a live event): redraw what shows it.
  function updateSummary(summary) {
    const index = desk.queue.findIndex((c) => String(c.id) === String(summary.id));
    if (index >= 0) {
      desk.queue[index] = stamp(summary);
      renderQueue();
    }
    if (String(summary.id) === desk.openId) {
      desk.open = summary;
      renderActions();
    }
  }

  /* ---------- one conversation ---------- */

  async function openConversation(id) {
    if (String(id) !== desk.openId) closeConversation();
    desk.openId = String(id);
    say("");
    document.querySelectorAll(".queue-row").forEach((row) => {
      row.setAttribute("aria-current", String(row.dataset.conversationId === desk.openId));
    });
    await loadConversation(id);
    // Stacked layout: bring the conversation into view.
    if (matchMedia("(max-width: 760px)").matches) $("conversation-title").focus();
  }

  // Clears everything that belongs to the conversation on screen, drafts included.
  function closeConversation() {
    desk.openId = null;
    desk.open = null;
    desk.shownIds.clear();
    $("transcript").replaceChildren();
    $("reply-input").value = "";
    $("note-input").value = "";
    $("resolve-outcome").value = ""; // never carried over to another conversation
    $("conversation").hidden = true;
    $("conversation-placeholder").hidden = false;
    for (const body of ["order-body", "diagnosis-body"]) {
      $(body).replaceChildren(el("p", { class: "muted", text: TEXT.noneSelected }));
    }
  }

  async function loadConversation(id) {
    try {
      const { ok, status, data } = await api(conversationPath(id));
      if (String(id) !== desk.openId) return; // another conversation was picked meanwhile
      if (ok) renderConversation(data);
      else say(TEXT.loadFailed(status));
    } catch (error) {
      if (!(error instanceof SessionEnded)) say(TEXT.unreachable);
    }
  }

  function renderConversation({ conversation, messages, order, payments, diagnosis, canned_replies: canned }) {
    desk.open = conversation;
    $("conversation-placeholder").hidden = true;
    $("conversation").hidden = false;
    // Busy while filling in, so screen readers do not read a whole transcript aloud.
    $("transcript-log").setAttribute("aria-busy", "true");
    messages.forEach(showMessage);
    $("transcript-log").setAttribute("aria-busy", "false");
    renderCanned(canned || []);
    renderOrder(order, payments || []);
    renderDiagnosis(diagnosis);
    renderActions();
    // Last, once the panels around the transcript have their final size.
    scrollToNewest();
  }

  // Kept in id order and shown once, whether it came from a load, an action or an event.
  function showMessage(message) {
    if (desk.shownIds.has(message.id)) return;
    const author = message.sender === "agent" ? message.author || SENDER_LABELS.agent : SENDER_LABELS[message.sender];
    const label = message.sender === "note" && message.author ? `${author} · ${message.author}` : author;
    const item = el("li", {
      class: `message from-${message.sender}`, "data-testid": "transcript-message", "data-sender": message.sender,
    },
      el("span", { class: "message-meta" },
        el("span", { class: "message-author", text: label }),
        el("time", { datetime: message.created_at, text: formatTime(message.created_at) })),
      el("span", { class: "message-text", text: message.text }));
    const transcript = $("transcript");
    const later = [...transcript.children].find((li) => Number(li.dataset.id) > message.id);
    item.dataset.id = String(message.id);
    transcript.insertBefore(item, later || null);
    desk.shownIds.add(message.id);
    if (!later) scrollToNewest();
  }

  function scrollToNewest() {
    const log = $("transcript-log");
    log.scrollTop = log.scrollHeight;
  }

  // Mirrors the desk's state machine: claim a waiting conversation; reply once you hold it;
  // resolve or hand back a waiting one or your own.
  function renderActions() {
    const { status, agent, rating, id } = desk.open;
    const withAgent = status === "with_agent";
    const mine = withAgent && agent === desk.agent.name;
    const settleable = status === "waiting" || mine;
    const closed = status === "bot" || status === "resolved";
    $("conversation-summary").textContent = [
      statusLabel(desk.open), desk.open.headline, desk.open.customer_name, desk.open.language_label,
    ].filter(Boolean).join(" · ");
    $("conversation-details").textContent = [
      TEXT.details(id, formatWhen(desk.open.created_at, true)),
      desk.open.order_id && TEXT.order(desk.open.order_id),
      desk.open.diagnosis_label,
      rating != null && TEXT.rated(rating),
    ].filter(Boolean).join(" · ");
    $("holder").textContent = status === "resolved" ? TEXT.resolved(desk.open.outcome_label)
      : status === "bot" ? TEXT.readOnly(desk.open.outcome_label)
        : mine ? TEXT.youHold
          : withAgent ? TEXT.heldBy(agent) : TEXT.unclaimed;
    $("claim").hidden = status !== "waiting";
    $("working").hidden = closed; // a closed conversation is read-only
    for (const control of ["reply-input", "reply-send"]) $(control).disabled = !mine;
    for (const control of ["resolve-outcome", "resolve", "handback"]) $(control).disabled = !settleable;
    $("canned").querySelectorAll("button").forEach((button) => (button.disabled = !mine));
  }

  function renderOutcomes() {
    $("resolve-outcome").replaceChildren($("resolve-outcome").options[0],
      ...desk.outcomes.map(({ value, label }) => el("option", { value, text: label })));
  }

  function renderCanned(replies) {
    $("canned").replaceChildren(...replies.map(({ title, text }) => el("button", {
      type: "button", class: "chip", text: title, "data-testid": "canned-reply",
      onclick: () => {
        $("reply-input").value = text;
        $("reply-input").focus();
      },
    })));
  }

  function say(text) {
    $("action-status").textContent = text;
  }

  /* ---------- order and diagnosis ---------- */

  function renderOrder(order, payments) {
    if (!order) {
      $("order-body").replaceChildren(el("p", { class: "muted", text: TEXT.noOrder }));
      return;
    }
    $("order-body").replaceChildren(
      facts([
        ["Order", order.id], ["Customer", order.customer], ["Status", order.status],
        ["Total", money(order.total, order.currency)],
      ]),
      el("h3", { text: "Payments" }),
      payments.length
        ? el("ul", { class: "payments" }, ...payments.map(paymentItem))
        : el("p", { class: "muted", text: TEXT.noPayments }));
  }

  function paymentItem(payment) {
    const failure = [payment.failure_code, payment.failure_message].filter(Boolean).join(" — ");
    return el("li", { class: `payment payment-${payment.status}` },
      el("span", { class: "payment-head", text: `${payment.method} · ${payment.status} · ${money(payment.amount, payment.currency)}` }),
      failure ? el("span", { class: "payment-failure", text: `Failure: ${failure}` }) : "",
      el("time", { datetime: payment.created_at, text: formatTime(payment.created_at) }));
  }

  function renderDiagnosis(diagnosis) {
    if (!diagnosis) {
      $("diagnosis-body").replaceChildren(el("p", { class: "muted", text: TEXT.noDiagnosis }));
      return;
    }
    $("diagnosis-body").replaceChildren(
      facts([
        ["Cause", diagnosis.detail_label || diagnosis.cause_label || diagnosis.cause],
        ["Codes", `${diagnosis.cause} · ${diagnosis.detail}`], // what the bot and the logs call it
      ]),
      el("h3", { text: "Evidence" }), list((diagnosis.evidence || []).map(localTimes), TEXT.noEvidence),
      el("h3", { text: "Already tried" }), list(diagnosis.tried, TEXT.nothingTried));
  }

  function facts(pairs) {
    return el("dl", { class: "facts" }, ...pairs.flatMap(([term, value]) => [
      el("dt", { text: term }), el("dd", { text: value ?? "—" }),
    ]));
  }

  function list(items, emptyText) {
    if (!items?.length) return el("p", { class: "muted", text: emptyText });
    return el("ul", { class: "plain-list" }, ...items.map((item) => el("li", { text: String(item) })));
  }

  function money(amount, currency) {
    if (amount == null) return "—";
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(Number(amount));
    } catch {
      return `${amount} ${currency || ""}`.trim(); // unknown currency code
    }
  }

  // Today's times alone; older ones with their date.
  function formatTime(iso) {
    return formatWhen(iso, false);
  }

  function formatWhen(iso, withDate) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso || "";
    const today = date.toDateString() === new Date().toDateString();
    return date.toLocaleString([], today && !withDate ? { timeStyle: "short" } : { dateStyle: "medium", timeStyle: "short" });
  }

  // Evidence is written with UTC timestamps; staff read them in their own time zone.
  function localTimes(text) {
    return String(text).replace(
      /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g,
      (iso) => formatWhen(iso, true));
  }

  /* ---------- actions ---------- */

  // Runs one staff action with its button disabled; every failure becomes a polite line.
  async function act(button, action) {
    const id = desk.openId;
    button.disabled = true;
    say("");
    try {
      await action(id);
      return true;
    } catch (error) {
      if (!(error instanceof SessionEnded)) {
        say(error instanceof ActionFailed ? TEXT.actionFailed(error.status, error.reason) : TEXT.unreachable);
      }
      return false;
    } finally {
      button.disabled = false;
      if (desk.open) renderActions();
    }
  }

  // The controls just went away (read-only now): the line saying what happened takes the focus.
  async function settle(button, path, body) {
    const done = await act(button, async (id) => updateSummary(await post(`${conversationPath(id)}/${path}`, body)));
    if (done) {
      $("holder").focus();
      search(); // it now belongs to the history
    }
  }

  function claim() {
    act($("claim"), async (id) => {
      try {
        updateSummary(await post(`${conversationPath(id)}/claim`));
        $("reply-input").focus();
      } catch (error) {
        if (!(error instanceof ActionFailed && error.status === 409)) throw error;
        await loadConversation(id); // learn who has it
        say(TEXT.alreadyClaimed(desk.open?.agent));
      }
    });
  }

  function sendText(event, kind) {
    event.preventDefault();
    const input = $(`${kind}-input`);
    const text = input.value.trim();
    if (!text) return;
    act($(`${kind}-send`), async (id) => {
      showMessage(await post(`${conversationPath(id)}/${kind}`, { text }));
      input.value = ""; // only once the desk has it
    });
  }

  function resolve(event) {
    event.preventDefault();
    const outcome = $("resolve-outcome").value;
    if (!outcome) {
      say(TEXT.chooseOutcome);
      $("resolve-outcome").focus();
      return;
    }
    settle($("resolve"), "resolve", { outcome });
  }

  function handBack() {
    settle($("handback"), "handback");
  }

  /* ---------- history ---------- */

  // Queue changes (a rating, a resolve) show in the history too, unless the agent is in it.
  let historyTimer = 0;
  function refreshHistory() {
    clearTimeout(historyTimer);
    historyTimer = setTimeout(() => {
      if (!document.activeElement?.closest?.(".history")) search();
    }, 300);
  }

  // The date is the agent's own calendar day, sent as the instants it starts and ends.
  async function search(event) {
    event?.preventDefault();
    const params = new URLSearchParams({ q: $("search-text").value.trim() });
    const day = $("search-date").value;
    if (day) {
      const start = new Date(`${day}T00:00`);
      const end = new Date(start);
      end.setDate(end.getDate() + 1);
      params.set("since", start.toISOString());
      params.set("until", end.toISOString());
    }
    try {
      const { ok, data } = await api(`/staff/api/conversations?${params}`);
      if (!ok) throw new Error("search");
      const found = data.conversations;
      $("search-list").replaceChildren(...found.map((summary) => el("li", {}, queueRow(summary, "search-row"))));
      $("search-status").textContent = found.length ? (event ? TEXT.found(found.length) : "") : TEXT.searchEmpty;
    } catch (error) {
      if (!(error instanceof SessionEnded)) $("search-status").textContent = TEXT.searchFailed;
    }
  }

  // Enter sends; Shift+Enter keeps a new line.
  function submitOnEnter(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      event.currentTarget.form.requestSubmit();
    }
  }

  /* ---------- start-up ---------- */

  $("login-form").addEventListener("submit", logIn);
  $("logout").addEventListener("click", logOut);
  $("claim").addEventListener("click", claim);
  $("reply-form").addEventListener("submit", (event) => sendText(event, "reply"));
  $("note-form").addEventListener("submit", (event) => sendText(event, "note"));
  $("resolve-form").addEventListener("submit", resolve);
  $("handback").addEventListener("click", handBack);
  $("search-form").addEventListener("submit", search);
  $("reply-input").addEventListener("keydown", submitOnEnter);
  $("note-input").addEventListener("keydown", submitOnEnter);
  boot();
})();
