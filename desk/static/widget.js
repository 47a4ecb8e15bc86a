/* Payment-help chat widget.
 *
 * Embed with one tag: <script src="https://desk.example/widget.js" defer></script>
 * It talks to the desk it was loaded from (see desk/API.md), keeps the conversation
 * token and any unacknowledged messages in localStorage, and lives in a shadow root
 * so the shop's CSS and ours never meet.
 *
 * Proactive chat: a shop page that knows its customer adds the token its backend signed
 * (desk/API.md, "Identity tokens"): <script src=".../widget.js" data-payhelp-identity="<jwt>">.
 * A chat link from a notice email carries one in ?payhelp_chat=<jwt>. Either way the
 * chat opens with the bot already on that order; without one it behaves as always.
 */
(() => {
  "use strict";

  if (window.PaymentHelpWidget) return; // the tag was pasted twice: keep the first

  const SCRIPT = document.currentScript;
  const DESK_ORIGIN = new URL(SCRIPT?.src || "/widget.js", location.href).origin;
  const WS_ORIGIN = DESK_ORIGIN.replace(/^http/, "ws");
  // identity: the order (and email) the chat last opened on for a token, so a reload of
  // the same page (whose token is signed afresh each time) does not open it again.
  const KEYS = { token: "payhelp.token", outbox: "payhelp.outbox", identity: "payhelp.identity" };
  const LINK_PARAMETER = "payhelp_chat";
  const MAX_MESSAGE_CHARS = 2000;
  const RETRY_FIRST_MS = 1000;
  const RETRY_MAX_MS = 30000;
  const ERROR_SHOWN_MS = 6000;

  // Every line the customer reads, in English and Chinese, kept together for review and
  // translation. The conversation's language picks one (the desk's state says which; before
  // it knows, the page's language or the browser's).
  const TEXTS = {
    en: {
      bubble: "Chat with us",
      bubbleUnread: "Chat with us (new message)",
      title: "Payment help",
      close: "Close chat",
      log: "Conversation",
      inputLabel: "Your message",
      placeholder: "Type your message…",
      send: "Send",
      sending: "sending…",
      you: "You",
      assistant: "Assistant",
      support: "Support",
      botTyping: "The assistant is typing…",
      agentTyping: (name) => `${name} is typing…`,
      waiting: (position) =>
        position ? `Waiting for a support agent — you are number ${position}` : "Waiting for a support agent",
      joined: (name) => `${name} from support joined`,
      backToBot: "You are back with the assistant",
      closed: "This conversation is closed.",
      closedAskRating: "This conversation is closed. How did we do?",
      rateGroup: "Rate this conversation from 1 to 5",
      rateButton: (score) => `${score} out of 5`,
      thanks: "Thanks for your rating",
      reconnecting: "Reconnecting…",
      // Read out while the chat is closed, so a screen-reader user hears the reply.
      newMessage: (who, text) => `New message from ${who}: ${text}`,
    },
    zh: {
      bubble: "在线咨询",
      bubbleUnread: "在线咨询（有新消息）",
      title: "付款帮助",
      close: "关闭聊天",
      log: "对话记录",
      inputLabel: "您的消息",
      placeholder: "请输入您的问题…",
      send: "发送",
      sending: "发送中…",
      you: "您",
      assistant: "智能助手",
      support: "客服",
      botTyping: "智能助手正在输入…",
      agentTyping: (name) => `${name} 正在输入…`,
      waiting: (position) => (position ? `正在等待客服人员，您排在第 ${position} 位` : "正在等待客服人员"),
      joined: (name) => `客服 ${name} 已加入对话`,
      backToBot: "您已回到智能助手",
      closed: "本次对话已结束。",
      closedAskRating: "本次对话已结束。请为我们的服务打分：",
      rateGroup: "为本次对话打分（1 到 5 分）",
      rateButton: (score) => `${score} 分（满分 5 分）`,
      thanks: "感谢您的评分",
      reconnecting: "正在重新连接…",
      newMessage: (who, text) => `${who} 发来新消息：${text}`,
    },
  };

  // "zh" when the page or the browser's first language is Chinese, else "en". The
  // customer's first words decide from then on (the desk tells the widget).
  function pageLanguage() {
    const tags = [document.documentElement.lang, (navigator.languages || [])[0] || navigator.language];
    return tags.some((tag) => /^zh\b/i.test(tag || "")) ? "zh" : "en";
  }

  let language = pageLanguage();
  let TEXT = TEXTS[language];

  // What the widget knows; the DOM is redrawn from it, never read back.
  const chat = {
    token: readStored(KEYS.token),
    outbox: readOutbox(), // [{type, text, payload?, client_id}] sent but not yet acknowledged
    state: null, // the desk's routing state, see API.md
    backWithBot: false, // the last change was with_agent -> bot
    rated: false,
    lastId: 0,
    rows: new Map(), // message id -> row element
    pendingRows: new Map(), // client_id -> row element
    socket: null,
    connecting: false,
    lost: false, // a connection failed: say "Reconnecting…"
    retryDelay: RETRY_FIRST_MS,
    retryTimer: 0,
    error: "",
    errorTimer: 0,
    isOpen: false,
    opener: null, // what had the focus when the chat opened: it gets it back on close
    inerted: [], // page elements made inert while the chat covers a phone's screen
    identity: pageIdentity(), // a token vouching for the customer, not used yet
  };

  // On a phone the open chat covers the page: there it is a modal dialog.
  const PHONE = matchMedia("(max-width: 480px)");

  /* ---------- storage: localStorage may throw (private mode, blocked storage) ---------- */

  function readStored(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  }

  function writeStored(key, value) {
    try {
      if (value == null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      // Not persisted: the chat still works until the page is left.
    }
  }

  function readOutbox() {
    try {
      const items = JSON.parse(readStored(KEYS.outbox) || "[]");
      return Array.isArray(items) ? items.filter((item) => item && item.client_id && item.text) : [];
    } catch {
      return [];
    }
  }

  // The identity token from a chat link (taken out of the address bar, so it is not
  // bookmarked or shared) or from the shop page's script tag; null once used.
  function pageIdentity() {
    let token = null;
    try {
      const url = new URL(location.href);
      token = url.searchParams.get(LINK_PARAMETER);
      if (token) {
        url.searchParams.delete(LINK_PARAMETER);
        history.replaceState(history.state, "", url);
      }
    } catch {
      token = null;
    }
    token = token || SCRIPT?.dataset?.payhelpIdentity || null;
    return token && vouchedFor(token) !== readStored(KEYS.identity) ? token : null;
  }

  // What a token names (its order and email), read without checking it: only the desk
  // can check it; this only avoids opening the same chat twice.
  function vouchedFor(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const claims = JSON.parse(atob(part));
      return `${claims.order_id} ${claims.email}`;
    } catch {
      return token;
    }
  }

  function forgetStoredConversation() {
    chat.token = null;
    chat.outbox = [];
    writeStored(KEYS.token, null);
    saveOutbox();
  }

  function identityUsed() {
    writeStored(KEYS.identity, vouchedFor(chat.identity));
    chat.identity = null;
  }

  function saveOutbox() {
    writeStored(KEYS.outbox, chat.outbox.length ? JSON.stringify(chat.outbox) : null);
  }

  function newClientId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    // randomUUID needs a secure context (https); shape random bytes as a v4 UUID instead.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* ---------- DOM ---------- */

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

  function icon(pathData) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", pathData);
    svg.append(path);
    return svg;
  }

  const CHAT_ICON = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
  const CLOSE_ICON = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z";

  const CSS = `
    :host { all: initial; }
    [hidden] { display: none !important; }
    .phw-root { font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; }
    .phw-root *, .phw-root *::before, .phw-root *::after { box-sizing: border-box; }
    button, input { font: inherit; }
    /* A dark ring with a white halo: at least 3:1 against any page, light or dark. */
    :focus-visible { outline: 3px solid #1f2328; outline-offset: 2px; box-shadow: 0 0 0 2px #fff; }
    .phw-header :focus-visible { outline-color: #fff; box-shadow: none; }
    .phw-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .phw-bubble { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 60px; height: 60px;
      border: 0; border-radius: 50%; background: #1d4ed8; color: #fff; cursor: pointer;
      box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; place-items: center; }
    .phw-bubble:hover { background: #1e40af; }
    .phw-bubble svg { width: 28px; height: 28px; fill: currentColor; }
    .phw-unread::after { content: ""; position: absolute; top: 4px; right: 4px; width: 14px; height: 14px;
      border-radius: 50%; background: #dc2626; border: 2px solid #fff; }
    .phw-panel { position: fixed; right: 20px; bottom: 92px; z-index: 2147483000; width: 370px; height: 560px;
      max-height: calc(100vh - 112px); display: flex; flex-direction: column; background: #fff;
      border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.3); overflow: hidden; }
    .phw-header { display: flex; align-items: center; justify-content: space-between; padding: 12px 16px;
      background: #1d4ed8; color: #fff; }
    .phw-header h2 { margin: 0; font-size: 17px; font-weight: 600; }
    .phw-close { width: 36px; height: 36px; border: 0; border-radius: 6px; background: transparent; color: inherit;
      cursor: pointer; display: grid; place-items: center; }
    .phw-close svg { width: 20px; height: 20px; fill: currentColor; }
    .phw-messages { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px;
      background: #f8f9fb; }
    .phw-row { display: flex; flex-direction: column; max-width: 85%; align-self: flex-start; }
    .phw-row-customer { align-self: flex-end; align-items: flex-end; }
    .phw-row-system { align-self: center; max-width: 95%; text-align: center; }
    .phw-author { font-size: 12px; font-weight: 600; color: #4b5563; margin: 0 4px 2px; }
    .phw-text { padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }
    .phw-row-customer .phw-text { background: #1d4ed8; color: #fff; border-bottom-right-radius: 4px; }
    .phw-row-bot .phw-text { background: #e9ecf1; border-bottom-left-radius: 4px; }
    .phw-row-agent .phw-text { background: #dcfce7; border-bottom-left-radius: 4px; }
    .phw-row-system .phw-text { padding: 2px 8px; font-size: 13px; color: #4b5563; font-style: italic; }
    .phw-pending .phw-text { background: #e5e7eb; color: #374151; }
    .phw-sending { font-size: 12px; color: #4b5563; margin: 2px 4px 0; }
    .phw-quick { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
    .phw-quick button, .phw-rating button { border: 1px solid #1d4ed8; background: #fff; color: #1d4ed8;
      border-radius: 16px; padding: 5px 12px; cursor: pointer; }
    .phw-quick button:hover:not(:disabled), .phw-rating button:hover { background: #eff6ff; }
    .phw-quick button:disabled { border-color: #d1d5db; color: #6b7280; cursor: default; }
    .phw-row-system .phw-quick { justify-content: center; }
    .phw-typing { margin: 0; padding: 4px 16px; font-size: 13px; color: #4b5563; font-style: italic; }
    .phw-typing:empty { padding: 0; }
    .phw-status-area { padding: 0 16px; border-top: 1px solid #e5e7eb; }
    .phw-status { margin: 8px 0; font-size: 13px; color: #374151; min-height: 1.4em; }
    .phw-status:empty { display: none; }
    .phw-rating { display: flex; gap: 6px; margin-bottom: 8px; }
    .phw-rating button { width: 40px; padding: 5px 0; }
    .phw-composer { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid #e5e7eb; }
    .phw-composer input { flex: 1; min-width: 0; font-size: 16px; padding: 8px 10px; border: 1px solid #9ca3af;
      border-radius: 8px; }
    .phw-composer button { border: 0; border-radius: 8px; padding: 8px 16px; background: #1d4ed8; color: #fff;
      cursor: pointer; }
    @media (max-width: 480px) {
      .phw-panel { inset: 0; width: 100%; height: 100%; max-height: none; border-radius: 0; }
      .phw-open .phw-bubble { display: none; }
    }
  `;

  const ui = buildUi();

  function buildUi() {
    const bubble = el("button", {
      class: "phw-bubble", type: "button", "aria-label": TEXT.bubble, "aria-expanded": "false",
      "aria-controls": "phw-panel", "data-testid": "phw-bubble", onclick: () => (chat.isOpen ? close() : open()),
    }, icon(CHAT_ICON));
    const closeButton = el("button", {
      class: "phw-close", type: "button", "aria-label": TEXT.close, onclick: close,
    }, icon(CLOSE_ICON));
    const messages = el("div", {
      class: "phw-messages", role: "log", "aria-live": "polite", "aria-label": TEXT.log,
      tabindex: "0", "data-testid": "phw-messages",
    });
    // A status region that stays in place: only its words change, so each change is read.
    const typing = el("p", { class: "phw-typing", role: "status", "data-testid": "phw-typing" });
    const announcer = el("p", { class: "phw-sr", role: "status", "data-testid": "phw-announcer" });
    const status = el("p", { class: "phw-status", role: "status", "data-testid": "phw-status" });
    const rating = el("div", { class: "phw-rating", role: "group", "aria-label": TEXT.rateGroup, hidden: "" },
      ...[1, 2, 3, 4, 5].map((score) => el("button", {
        type: "button", text: String(score), "aria-label": TEXT.rateButton(score),
        "data-testid": "phw-rate", "data-score": String(score), onclick: () => rate(score),
      })));
    const input = el("input", {
      id: "phw-input", type: "text", maxlength: String(MAX_MESSAGE_CHARS), autocomplete: "off",
      placeholder: TEXT.placeholder, "data-testid": "phw-input",
    });
    const inputLabel = el("label", { class: "phw-sr", for: "phw-input", text: TEXT.inputLabel });
    const sendButton = el("button", { type: "submit", text: TEXT.send, "data-testid": "phw-send" });
    const composer = el("form", { class: "phw-composer", onsubmit: onSubmit }, inputLabel, input, sendButton);
    const title = el("h2", { id: "phw-title", text: TEXT.title, "data-testid": "phw-title" });
    // A plain div for the title bar: a <header> here would be a second "banner" on the shop's page.
    const panel = el("section", {
      id: "phw-panel", class: "phw-panel", role: "dialog", "aria-labelledby": "phw-title", hidden: "",
    },
      el("div", { class: "phw-header" }, title, closeButton),
      messages, typing, el("div", { class: "phw-status-area" }, status, rating), composer);
    const root = el("div", { class: "phw-root", onkeydown: onKeyDown }, bubble, panel, announcer);

    const host = el("div", { id: "payhelp-widget" });
    const shadow = host.attachShadow({ mode: "open" });
    adoptStyles(shadow);
    shadow.append(root);
    document.body.append(host);
    return {
      host, shadow, root, bubble, panel, messages, typing, status, rating, input, announcer,
      closeButton, title, inputLabel, sendButton,
    };
  }

  // The conversation's language changed (the desk said so): every fixed string follows.
  function setLanguage(next) {
    if (!TEXTS[next] || next === language) return;
    language = next;
    TEXT = TEXTS[next];
    relabel();
    renderStatus();
  }

  function relabel() {
    ui.root.setAttribute("lang", language === "zh" ? "zh-CN" : "en");
    const unread = ui.bubble.classList.contains("phw-unread");
    ui.bubble.setAttribute("aria-label", unread ? TEXT.bubbleUnread : TEXT.bubble);
    ui.closeButton.setAttribute("aria-label", TEXT.close);
    ui.messages.setAttribute("aria-label", TEXT.log);
    ui.rating.setAttribute("aria-label", TEXT.rateGroup);
    ui.rating.querySelectorAll("button").forEach((button) =>
      button.setAttribute("aria-label", TEXT.rateButton(Number(button.dataset.score))));
    ui.input.placeholder = TEXT.placeholder;
    ui.inputLabel.textContent = TEXT.inputLabel;
    ui.sendButton.textContent = TEXT.send;
    ui.title.textContent = TEXT.title;
  }

  // A constructed stylesheet is not inline CSS, so a shop's Content-Security-Policy allows it.
  function adoptStyles(shadow) {
    if ("adoptedStyleSheets" in shadow && "replaceSync" in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    } else {
      shadow.append(el("style", { text: CSS }));
    }
  }

  /* ---------- opening and closing ---------- */

  function open(opener) {
    if (!chat.isOpen) chat.opener = opener || focusedElement();
    chat.isOpen = true;
    ui.panel.hidden = false;
    ui.root.classList.add("phw-open");
    ui.bubble.setAttribute("aria-expanded", "true");
    ui.announcer.textContent = "";
    markRead();
    applyModality();
    scrollToEnd();
    ui.input.focus();
    connect(); // the first open starts the conversation
  }

  function close() {
    chat.isOpen = false;
    ui.panel.hidden = true;
    ui.root.classList.remove("phw-open");
    ui.bubble.setAttribute("aria-expanded", "false");
    applyModality();
    // Back to whatever opened the chat (the bubble, or a "Chat with us" link on the page).
    const opener = chat.opener;
    chat.opener = null;
    if (opener?.isConnected && opener !== document.body) opener.focus();
    else ui.bubble.focus();
  }

  // The focused element, looking inside our shadow root (the page only sees its host).
  function focusedElement() {
    const active = document.activeElement;
    return active === ui.host ? ui.shadow.activeElement : active;
  }

  // On a phone the open chat is modal: the page behind is inert and Tab stays inside.
  function applyModality() {
    const modal = chat.isOpen && PHONE.matches;
    ui.panel.setAttribute("aria-modal", String(modal));
    if (modal && !chat.inerted.length) {
      chat.inerted = [...document.body.children].filter((node) => node !== ui.host && !node.inert);
      chat.inerted.forEach((node) => (node.inert = true));
    } else if (!modal) {
      chat.inerted.forEach((node) => (node.inert = false));
      chat.inerted = [];
    }
  }

  function onKeyDown(event) {
    if (event.key === "Escape" && chat.isOpen) close();
    else if (event.key === "Tab" && chat.isOpen && PHONE.matches) keepFocusInside(event);
  }

  function keepFocusInside(event) {
    const focusable = [...ui.panel.querySelectorAll("button, input, [tabindex='0']")]
      .filter((node) => !node.disabled && node.getClientRects().length);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const current = focusedElement();
    if (event.shiftKey && (current === first || !ui.panel.contains(current))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (current === last || !ui.panel.contains(current))) {
      event.preventDefault();
      first.focus();
    }
  }

  function markUnread() {
    if (chat.isOpen) return;
    ui.bubble.classList.add("phw-unread");
    ui.bubble.setAttribute("aria-label", TEXT.bubbleUnread);
  }

  function markRead() {
    ui.bubble.classList.remove("phw-unread");
    ui.bubble.setAttribute("aria-label", TEXT.bubble);
  }

  /* ---------- the transcript ---------- */

  function messageRow(sender, text, author) {
    const label = { customer: TEXT.you, bot: TEXT.assistant, agent: author || TEXT.support }[sender];
    // Only the agent's name is shown; the other labels are for screen readers.
    const authorClass = sender === "agent" ? "phw-author" : "phw-sr";
    return el("div", { class: `phw-row phw-row-${sender}` },
      label ? el("span", { class: authorClass, text: label }) : "",
      el("div", { class: "phw-text", "data-testid": "phw-message", "data-sender": sender, text }));
  }

  // Rows are kept in id order; unacknowledged ones (no id yet) stay at the end.
  function renderMessage(message) {
    if (message.sender === "note" || chat.rows.has(message.id)) return;
    const row = messageRow(message.sender, message.text, message.author);
    row.dataset.id = String(message.id);
    // The desk's own quick replies (leave the queue, a callback) count while the customer waits.
    if (message.buttons?.length) row.append(quickReplies(message.buttons, message.sender === "system"));
    const later = [...ui.messages.children].find((r) => !r.dataset.id || Number(r.dataset.id) > message.id);
    keepScrolledToEnd(() => ui.messages.insertBefore(row, later || null));
    placed(row, message);
    if (message.sender !== "customer") hideTyping();
    renderQueueChoices();
  }

  function placed(row, message) {
    chat.rows.set(message.id, row);
    chat.lastId = Math.max(chat.lastId, message.id);
    if (message.sender === "customer") retireQuickReplies(message.id);
  }

  // The customer's own row is drawn once: the stored message fills in the "sending…" row,
  // so a screen reader announces it once, not again when the desk confirms it.
  function renderPending(item) {
    const row = messageRow("customer", item.text);
    row.classList.add("phw-pending");
    row.append(el("span", { class: "phw-sending", "aria-hidden": "true", text: TEXT.sending }));
    keepScrolledToEnd(() => ui.messages.append(row));
    chat.pendingRows.set(item.client_id, row);
    retireQuickReplies(Infinity);
  }

  function confirmPending(row, message) {
    row.classList.remove("phw-pending");
    row.querySelector(".phw-sending")?.remove();
    const text = row.querySelector(".phw-text");
    if (text.textContent !== message.text) text.textContent = message.text; // card data masked
    row.dataset.id = String(message.id);
    placed(row, message);
  }

  function quickReplies(buttons, queueChoices = false) {
    const group = el("div", { class: queueChoices ? "phw-quick phw-queue-choices" : "phw-quick" });
    for (const { title, payload } of buttons) {
      group.append(el("button", {
        type: "button", text: title, "data-testid": "phw-quick-reply",
        onclick: () => {
          send({ type: "message", text: title, payload, client_id: newClientId() });
          ui.input.focus(); // the clicked button is about to be disabled
        },
      }));
    }
    return group;
  }

  // A quick-reply set is only live until the customer says something after it.
  function retireQuickReplies(beforeId) {
    for (const group of ui.messages.querySelectorAll(".phw-quick:not(.phw-queue-choices)")) {
      if (Number(group.parentElement.dataset.id) < beforeId) {
        group.querySelectorAll("button").forEach((button) => (button.disabled = true));
      }
    }
  }

  // Only the newest set of queue choices shows, and only while the customer waits.
  function renderQueueChoices() {
    const waiting = chat.state?.status === "waiting";
    const sets = [...ui.messages.querySelectorAll(".phw-queue-choices")];
    sets.forEach((group, index) => (group.hidden = !waiting || index < sets.length - 1));
  }

  function keepScrolledToEnd(change) {
    const list = ui.messages;
    const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    change();
    if (atEnd) scrollToEnd();
  }

  function scrollToEnd() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  function clearTranscript() {
    ui.messages.replaceChildren();
    chat.rows.clear();
    chat.pendingRows.clear();
    chat.lastId = 0;
  }

  /* ---------- status line, typing and rating ---------- */

  function renderStatus() {
    const state = chat.state;
    const offline = chat.lost;
    ui.status.textContent = chat.error || (offline ? TEXT.reconnecting : stateLine(state));
    const ratingWanted = state?.status === "resolved" && state.rating_requested && state.rating == null;
    ui.rating.hidden = !ratingWanted || chat.rated || offline || Boolean(chat.error);
  }

  function stateLine(state) {
    switch (state?.status) {
      case "waiting":
        return TEXT.waiting(state.position);
      case "with_agent":
        return TEXT.joined(state.agent || TEXT.support);
      case "resolved":
        if (state.rating != null || chat.rated) return TEXT.thanks;
        return state.rating_requested ? TEXT.closedAskRating : TEXT.closed;
      case "bot":
        return chat.backWithBot ? TEXT.backToBot : "";
      default:
        return "";
    }
  }

  function applyState(state) {
    if (!state) return;
    const before = chat.state?.status;
    if (state.status !== before) chat.backWithBot = before === "with_agent" && state.status === "bot";
    if (state.status !== "resolved") chat.rated = false; // a reopened conversation can be rated again
    chat.state = state;
    if (state.language) setLanguage(state.language);
    renderStatus();
    renderQueueChoices();
  }

  function showError(text) {
    chat.error = text;
    renderStatus();
    clearTimeout(chat.errorTimer);
    chat.errorTimer = setTimeout(() => {
      chat.error = "";
      renderStatus();
    }, ERROR_SHOWN_MS);
  }

  function showTyping(who, on) {
    if (!on) return hideTyping();
    ui.typing.textContent = who === "agent" ? TEXT.agentTyping(chat.state?.agent || TEXT.support) : TEXT.botTyping;
  }

  function hideTyping() {
    ui.typing.textContent = "";
  }

  function rate(score) {
    if (!transmit({ type: "rating", score })) return;
    chat.rated = true;
    renderStatus();
    ui.input.focus(); // the rating buttons just disappeared
  }

  /* ---------- sending: every message waits in the outbox until the desk acks it ---------- */

  function onSubmit(event) {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (!text) return;
    ui.input.value = "";
    send({ type: "message", text, client_id: newClientId() });
  }

  function send(item) {
    chat.outbox.push(item);
    saveOutbox();
    renderPending(item);
    if (!transmit(item)) connect();
  }

  function transmit(payload) {
    if (chat.socket?.readyState !== WebSocket.OPEN) return false;
    chat.socket.send(JSON.stringify(payload));
    return true;
  }

  // Safe to repeat: the desk stores a client_id once.
  function resendOutbox() {
    chat.outbox.forEach(transmit);
  }

  function acknowledge(clientId) {
    const remaining = chat.outbox.filter((item) => item.client_id !== clientId);
    if (remaining.length !== chat.outbox.length) {
      chat.outbox = remaining;
      saveOutbox();
    }
  }

  // Every stored message passes here, live or from history; its client_id ends any resend.
  function settle(message) {
    const pending = message.client_id && chat.pendingRows.get(message.client_id);
    if (message.client_id) {
      acknowledge(message.client_id);
      chat.pendingRows.delete(message.client_id);
    }
    if (pending && !chat.rows.has(message.id)) confirmPending(pending, message);
    else {
      pending?.remove(); // already drawn (another tab sent it, or history came first)
      renderMessage(message);
    }
  }

  // The log inside a closed chat is hidden, so say new messages out loud from outside it.
  function announceWhileClosed(message) {
    if (chat.isOpen || message.sender === "customer" || message.sender === "note") return;
    const who = { bot: TEXT.assistant, agent: message.author || TEXT.support }[message.sender] || TEXT.title;
    ui.announcer.textContent = TEXT.newMessage(who, message.text);
  }

  /* ---------- talking to the desk ---------- */

  // One entry point: start a conversation if there is none, then open the live channel.
  async function connect() {
    clearTimeout(chat.retryTimer);
    if (chat.socket || chat.connecting) return;
    if (!chat.token && !chat.isOpen) return; // a conversation starts only when the chat is opened
    chat.connecting = true;
    try {
      if (!chat.token) await startConversation();
      openSocket();
    } catch {
      chat.lost = true;
      renderStatus();
      scheduleReconnect();
    } finally {
      chat.connecting = false;
    }
  }

  async function startConversation() {
    const body = chat.identity ? { identity: chat.identity } : {};
    const response = await fetch(`${DESK_ORIGIN}/api/chat/start`, {
      // The page's (or browser's) language: the bot greets in it; a shop identity token opens it on the order.
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...body, language }),
    });
    if (!response.ok) throw new Error(`start: HTTP ${response.status}`);
    const { token, state } = await response.json();
    chat.token = token;
    writeStored(KEYS.token, token);
    if (chat.identity) identityUsed(); // accepted or not: a bad one is not tried again
    applyState(state);
  }

  function openSocket() {
    const socket = new WebSocket(`${WS_ORIGIN}/ws/chat?token=${encodeURIComponent(chat.token)}`);
    chat.socket = socket;
    socket.onopen = async () => {
      chat.lost = false;
      chat.retryDelay = RETRY_FIRST_MS;
      renderStatus();
      await syncHistory(); // whatever was said while we were away
      resendOutbox();
    };
    socket.onmessage = (event) => {
      if (chat.socket === socket) handleEvent(JSON.parse(event.data));
    };
    socket.onclose = async () => {
      if (chat.socket !== socket) return; // replaced on purpose
      chat.socket = null;
      chat.lost = true;
      hideTyping();
      renderStatus();
      // The desk also closes the socket when it refuses the token; history tells us which.
      if ((await syncHistory()) === "gone") return;
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    clearTimeout(chat.retryTimer);
    // Jitter, so a desk restart is not hit by every open widget at the same instant.
    const delay = chat.retryDelay * (0.75 + Math.random() / 2);
    chat.retryDelay = Math.min(chat.retryDelay * 2, RETRY_MAX_MS);
    chat.retryTimer = setTimeout(connect, delay);
  }

  // Fetches messages newer than the last one seen: "ok", "offline", or "gone" (token refused).
  async function syncHistory() {
    const token = chat.token;
    try {
      const response = await fetch(`${DESK_ORIGIN}/api/chat/history?after=${chat.lastId}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (token !== chat.token) return "gone"; // replaced meanwhile: not ours to reconnect
      if (response.status === 401) {
        forgetConversation();
        return "gone";
      }
      if (!response.ok) return "offline";
      const { messages, state } = await response.json();
      messages.forEach(settle);
      applyState(state);
      return "ok";
    } catch {
      return "offline";
    }
  }

  // The desk no longer knows our token: start afresh, keeping what the customer typed.
  function forgetConversation() {
    const socket = chat.socket;
    chat.socket = null;
    socket?.close();
    clearTimeout(chat.retryTimer);
    chat.token = null;
    writeStored(KEYS.token, null);
    Object.assign(chat, { state: null, backWithBot: false, lost: false, error: "" });
    clearTranscript();
    chat.outbox.forEach(renderPending);
    renderStatus();
    if (chat.isOpen) connect();
  }

  function handleEvent(event) {
    switch (event.type) {
      case "ack":
        if (event.language) setLanguage(event.language); // the customer's words decide
        settle(event.message);
        break;
      case "message":
        settle(event.message);
        if (event.message.sender !== "customer") {
          markUnread();
          announceWhileClosed(event.message);
        }
        break;
      case "message_update": // card data found later: the stored text was masked
        chat.rows.get(event.message.id)?.querySelector(".phw-text")?.replaceChildren(event.message.text);
        break;
      case "typing":
        showTyping(event.who, event.on);
        break;
      case "state":
        applyState(event.state);
        break;
      case "error":
        showError(event.text);
        break;
    }
  }

  /* ---------- start-up ---------- */

  relabel();
  if (chat.identity) {
    // The shop vouches for a customer: a new conversation on their order, never one
    // left in this browser by someone else (a shared computer).
    forgetStoredConversation();
    open();
  } else {
    chat.outbox.forEach(renderPending);
    connect(); // a returning customer: redraw the transcript, hear what's new
  }
  window.addEventListener("online", () => chat.lost && connect());
  // Shops can add their own "Chat with us" links without writing script: data-payhelp-open.
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("[data-payhelp-open]");
    if (!link) return;
    event.preventDefault();
    open(link);
  });
  PHONE.addEventListener("change", applyModality);

  window.PaymentHelpWidget = Object.freeze({ open: () => open(), close });
})();
