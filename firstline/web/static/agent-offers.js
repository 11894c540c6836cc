// Firstline console: chats offered to this agent (routing in offer/accept mode), on the live chats page.
//
// agent-chat.js owns the agent websocket. It re-dispatches every frame as a "firstline:chat-frame" event on
// #chat-workspace, and opens a chat on a "firstline:open-chat" event whose detail is the conversation summary.
// This script shows each "offer" frame (and those the page was rendered with) as a card with a countdown and Accept / Decline, answers through
// POST /api/v1/conversations/{id}/offer/accept|decline, and drops the card at expiry, after an answer, or
// when a "conversation.updated" frame shows the chat taken. Text is only ever set with textContent.
(function () {
  "use strict";

  var workspace = document.getElementById("chat-workspace");
  var section = document.getElementById("chat-offers-section");
  var list = document.getElementById("chat-offers");
  if (!workspace || !section || !list || workspace.firstlineOffers) return;
  workspace.firstlineOffers = true;

  var LANGUAGE_NAMES = { en: "English", it: "Italian", pt: "Portuguese", de: "German", es: "Spanish" };
  var TICK_MS = 250;
  var ERROR_SHOWN_MS = 4000;
  var offers = {}; // conversation id -> { card, expiresAt, total, countdown, bar, buttons, error }
  var ticker = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function label(value) {
    var text = String(value || "").replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function initials(name) {
    var parts = String(name || "?").trim().split(/\s+/);
    return ((parts[0] || "?").charAt(0) + (parts.length > 1 ? parts[parts.length - 1].charAt(0) : "")).toUpperCase();
  }

  // The CSRF header htmx sends with every console request.
  function requestHeaders() {
    var headers = { "Accept": "application/json" };
    try { Object.assign(headers, JSON.parse(document.body.getAttribute("hx-headers") || "{}")); } catch (error) { /* none */ }
    return headers;
  }

  function secondsLeft(offer) {
    return Math.max(0, Math.ceil((offer.expiresAt - Date.now()) / 1000));
  }

  function buildCard(id, summary) {
    var name = (summary.customer && summary.customer.name) || "Customer";
    var language = String(summary.language || "");
    var card = el("li", "offer-card");
    card.setAttribute("data-conversation-id", String(id));
    card.setAttribute("aria-label", "Chat offered to you: " + name);
    var head = el("div", "offer-head");
    head.appendChild(el("strong", "offer-title", "New chat for you"));
    var countdown = el("span", "offer-countdown");
    countdown.setAttribute("role", "timer");
    head.appendChild(countdown);
    var who = el("div", "offer-line");
    who.appendChild(el("span", "avatar", initials(name))).setAttribute("aria-hidden", "true");
    who.appendChild(el("strong", "offer-name", name));
    var badge = who.appendChild(el("span", "badge lang", language.toUpperCase()));
    badge.title = LANGUAGE_NAMES[language] || language;
    var topic = summary.subject || label(summary.category) || "Chat";
    var meta = el("div", "offer-topic", summary.reference ? topic + " · " + summary.reference : topic);
    var preview = el("div", "offer-preview", summary.preview || "—");
    var bar = el("span", "offer-bar-fill");
    var track = el("div", "offer-bar");
    track.setAttribute("aria-hidden", "true");
    track.appendChild(bar);
    var actions = el("div", "offer-actions");
    var accept = actions.appendChild(el("button", "primary offer-accept", "Accept"));
    var decline = actions.appendChild(el("button", "offer-decline", "Decline"));
    accept.type = decline.type = "button";
    accept.addEventListener("click", function () { answer(id, "accept"); });
    decline.addEventListener("click", function () { answer(id, "decline"); });
    var error = el("p", "offer-error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    [head, who, meta, preview, track, actions, error].forEach(function (node) { card.appendChild(node); });
    return { card: card, countdown: countdown, bar: bar, buttons: [accept, decline], error: error };
  }

  function show(frame) {
    var id = Number(frame.conversation_id);
    var expiresAt = Date.parse(frame.expires_at);
    if (!id || isNaN(expiresAt) || expiresAt <= Date.now()) return;
    withdraw(id);
    var offer = buildCard(id, frame.conversation || { id: id });
    offer.expiresAt = expiresAt;
    offer.total = Math.max(1, Math.ceil((expiresAt - Date.now()) / 1000));
    offers[id] = offer;
    list.insertBefore(offer.card, list.firstChild);
    section.hidden = false;
    render(offer);
    if (!ticker) ticker = window.setInterval(tick, TICK_MS);
  }

  function render(offer) {
    var left = secondsLeft(offer);
    offer.countdown.textContent = left + " s";
    offer.bar.style.width = Math.min(100, (100 * left) / offer.total) + "%";
    offer.card.classList.toggle("is-ending", left <= 5);
  }

  function tick() {
    if (!document.contains(workspace)) { // the page was swapped away (htmx navigation)
      window.clearInterval(ticker);
      ticker = null;
      return;
    }
    Object.keys(offers).forEach(function (id) {
      var offer = offers[id];
      if (offer.answering) return;
      if (secondsLeft(offer) <= 0) withdraw(Number(id));
      else render(offer);
    });
  }

  function withdraw(id) {
    var offer = offers[id];
    if (!offer) return;
    offer.card.remove();
    delete offers[id];
    if (Object.keys(offers).length === 0) {
      section.hidden = true;
      window.clearInterval(ticker);
      ticker = null;
    }
  }

  function answer(id, verb) {
    var offer = offers[id];
    if (!offer || offer.answering) return;
    offer.answering = true;
    offer.buttons.forEach(function (button) { button.disabled = true; });
    fetch("/api/v1/conversations/" + id + "/offer/" + verb, { method: "POST", credentials: "same-origin", headers: requestHeaders() })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (!result.ok) return failed(id, (result.data.error && result.data.error.message) || "The offer could not be answered.");
        withdraw(id);
        if (verb === "accept" && result.data.conversation) {
          workspace.dispatchEvent(new CustomEvent("firstline:open-chat", { detail: result.data.conversation }));
        }
        return undefined;
      })
      .catch(function () { failed(id, "The connection failed; try again."); });
  }

  // A refused answer (the offer expired or went to someone else) is shown briefly, then the card goes.
  function failed(id, message) {
    var offer = offers[id];
    if (!offer) return;
    offer.error.textContent = message;
    offer.error.hidden = false;
    window.setTimeout(function () { withdraw(id); }, ERROR_SHOWN_MS);
  }

  // Offers already running when the page was rendered (opened or reloaded during an offer).
  try {
    JSON.parse((document.getElementById("chat-offers-data") || {}).textContent || "[]").forEach(show);
  } catch (error) { /* no offers block */ }

  workspace.addEventListener("firstline:chat-frame", function (event) {
    var frame = event.detail || {};
    if (frame.type === "offer") {
      show(frame);
    } else if (frame.type === "conversation.updated" && frame.conversation && offers[frame.conversation.id]) {
      var taken = frame.conversation.assignee_id != null || frame.conversation.status !== "open";
      if (taken && !offers[frame.conversation.id].answering) withdraw(frame.conversation.id);
    }
  });
})();
