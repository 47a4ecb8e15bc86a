/* The console's share of operations: links to the admin pages for admins, and an alert
 * when a payment channel goes down or recovers (the desk's "channel_alert" event, heard
 * through staff.js's socket as a "desk:event"). Kept apart from staff.js on purpose. */
(() => {
  "use strict";

  const NAMES = { card: "Card", paypal: "PayPal", apple_pay: "Apple Pay", google_pay: "Google Pay",
                  alipay: "Alipay", wechat_pay: "WeChat Pay", bank_transfer: "Bank transfer" };

  document.addEventListener("desk:agent", (event) => {
    document.getElementById("admin-links").hidden = event.detail.role !== "admin";
  });

  document.addEventListener("desk:event", (event) => {
    const detail = event.detail;
    if (detail.type !== "channel_alert") return;
    const change = detail.change;
    const name = NAMES[change.method] || change.method;
    const down = change.status === "down";
    const text = down
      ? `${name} is down. ${change.evidence}`
      : `${name} has recovered (${change.status}).`;
    const line = document.createElement("p");
    line.className = `channel-alert ${down ? "down" : "recovered"}`;
    const words = document.createElement("span");
    words.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.addEventListener("click", () => line.remove());
    line.append(words, close);
    document.getElementById("channel-alerts").append(line);
  });
})();
