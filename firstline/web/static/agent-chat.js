// Firstline console: live chat over the agent websocket (docs/chat-protocol.md).
//
// On /chats it runs the workspace: the chat queue, and chats side by side, each with its own message
// list resumed by seq after any reconnect. On the inbox it shows new chats as they arrive.
// Message text is only ever set with textContent; links become anchors only for http(s) URLs.
(function () {
  "use strict";

  var workspace = document.getElementById("chat-workspace");
  var alerts = document.querySelector("[data-chat-alerts]");
  var root = workspace || alerts;
  if (!root || root.firstlineChat) return;
  root.firstlineChat = true;

  var LANGUAGE_NAMES = { en: "English", it: "Italian", pt: "Portuguese", de: "German", es: "Spanish" };
  var CATEGORY_NAMES = {
    deposit_not_credited: "Deposit not credited", wrong_network_or_memo: "Wrong network or memo",
    withdrawal_pending: "Withdrawal pending", "2fa_reset": "2FA reset", account_frozen: "Account frozen",
    kyc_rejected: "KYC rejected", p2p_appeal: "P2P appeal", futures_liquidation: "Futures liquidation",
    fees: "Fees", api: "API", other: "Other"
  };
  var OPEN_PANELS_KEY = "firstline.console.chats." + (workspace ? workspace.getAttribute("data-me") : "");
  var MAX_PANELS = 4;

  // --- helpers ------------------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value == null || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child != null) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  function safeHref(raw) {
    try {
      var url = new URL(raw, window.location.origin);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }
  function richText(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var raw = match[0].replace(/[),.;:!?\]}]+$/, "");
      var href = safeHref(raw);
      if (match.index > last) fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
      fragment.appendChild(href ? el("a", { href: href, target: "_blank", rel: "noopener noreferrer nofollow", text: raw })
                                : document.createTextNode(raw));
      last = match.index + raw.length;
      URL_PATTERN.lastIndex = last;
    }
    if (last < text.length) fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function timeOf(iso) {
    var date = iso ? new Date(iso) : new Date();
    return isNaN(date.getTime()) ? "" : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  }
  function initials(name) {
    var parts = String(name || "?").trim().split(/\s+/);
    return ((parts[0] || "?").charAt(0) + (parts.length > 1 ? parts[parts.length - 1].charAt(0) : "")).toUpperCase();
  }
  function label(value) {
    var text = String(value || "").replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function readJson(id, fallback) {
    var node = document.getElementById(id);
    try {
      return node ? JSON.parse(node.textContent) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  // --- the websocket ------------------------------------------------------------------------------

  var socket = null;
  var connected = false;
  var attempts = 0;
  var reconnectTimer = null;
  var lastFrameAt = 0;
  var me = { id: Number(workspace ? workspace.getAttribute("data-me") : 0), name: "" };
  var stopped = false;

  function connect() {
    window.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (socket || stopped) return;
    var ws = new WebSocket(window.location.origin.replace(/^http/, "ws") + "/api/v1/chat/ws/agent");
    socket = ws;
    setConnection("connecting");
    ws.addEventListener("message", function (message) {
      if (socket !== ws) return;
      if (!document.contains(root)) return stop(); // the page was swapped away (htmx navigation)
      lastFrameAt = Date.now();
      var frame;
      try {
        frame = JSON.parse(message.data);
      } catch (error) {
        return undefined;
      }
      onFrame(frame);
      return undefined;
    });
    ws.addEventListener("close", function (event) {
      if (socket !== ws) return;
      socket = null;
      connected = false;
      if (event.code === 4401 || event.code === 4403) {
        setConnection("refused", event.code === 4401 ? "Your session ended: log in again." : "Not allowed from this page.");
        return;
      }
      setConnection("offline");
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (reconnectTimer || stopped) return;
    var delay = Math.min(10000, 400 * Math.pow(2, attempts)) * (0.7 + Math.random() * 0.6);
    attempts += 1;
    reconnectTimer = window.setTimeout(function () { reconnectTimer = null; connect(); }, delay);
  }

  function dropConnection() {
    var ws = socket;
    socket = null;
    connected = false;
    if (ws) {
      try { ws.close(); } catch (error) { /* closing already */ }
    }
    setConnection("offline");
    scheduleReconnect();
  }

  function stop() {
    stopped = true;
    window.clearTimeout(reconnectTimer);
    if (socket) {
      var ws = socket;
      socket = null;
      ws.close();
    }
  }

  function send(frame) {
    if (!socket || !connected || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  // Typing and read frames: the server drops those beyond 5 a second per connection without a word,
  // so stay under that here; a newer frame of the same kind and chat replaces one still waiting.
  var EPHEMERAL_PER_WINDOW = 4;
  var EPHEMERAL_WINDOW_MS = 1200;
  var ephemeralSentAt = [];
  var ephemeralWaiting = {};
  var ephemeralTimer = null;
  function sendEphemeral(key, frame) {
    delete ephemeralWaiting[key]; // re-inserted last, so the order of kinds is kept
    ephemeralWaiting[key] = frame;
    flushEphemeral();
  }
  function flushEphemeral() {
    var now = Date.now();
    ephemeralSentAt = ephemeralSentAt.filter(function (at) { return now - at < EPHEMERAL_WINDOW_MS; });
    Object.keys(ephemeralWaiting).forEach(function (key) {
      if (ephemeralSentAt.length >= EPHEMERAL_PER_WINDOW) return;
      if (send(ephemeralWaiting[key])) ephemeralSentAt.push(now);
      delete ephemeralWaiting[key];
    });
    if (Object.keys(ephemeralWaiting).length && !ephemeralTimer) {
      ephemeralTimer = window.setTimeout(function () {
        ephemeralTimer = null;
        flushEphemeral();
      }, EPHEMERAL_WINDOW_MS - (now - ephemeralSentAt[0]) + 10);
    }
  }

  function setConnection(state, text) {
    var node = document.getElementById("chat-connection");
    if (!node) return;
    node.setAttribute("data-state", state);
    node.textContent = text || { connecting: "Connecting…", live: "Live", offline: "Connection lost — reconnecting…" }[state] || state;
  }

  window.setInterval(function () {
    if (stopped) return;
    if (!document.contains(root)) { stop(); return; }
    var now = Date.now();
    if (connected && now - lastFrameAt > 45000) dropConnection();
    else if (connected && now - lastFrameAt > 20000) send({ type: "ping" });
    Object.keys(panels).forEach(function (id) { panels[id].resendOverdue(now); });
  }, 5000);
  window.addEventListener("online", function () { attempts = 0; if (!socket) connect(); });
  window.addEventListener("offline", function () { if (socket) dropConnection(); });

  function onFrame(frame) {
    var panel = frame.conversation_id != null ? panels[frame.conversation_id] : null;
    if (workspace) workspace.dispatchEvent(new CustomEvent("firstline:chat-frame", { detail: frame }));
    switch (frame.type) {
      case "ready":
        me = { id: frame.agent.id, name: frame.agent.name };
        connected = true;
        attempts = 0;
        setConnection("live");
        send({ type: "watch_inbox" });
        Object.keys(panels).forEach(function (id) { panels[id].subscribe(); });
        break;
      case "subscribed":
        if (panels[frame.conversation.id]) panels[frame.conversation.id].onSubscribed(frame);
        break;
      case "event":
        if (panel) panel.onEvent(frame);
        break;
      case "ack":
        if (panel) panel.onAck(frame);
        break;
      case "conflict":
        if (panel) panel.onConflict(frame);
        break;
      case "error":
        onError(frame);
        break;
      case "ok":
        if (frame["for"] === "set_status" && panels[frame.conversation_id]) panels[frame.conversation_id].setStatus(frame.status);
        break;
      case "conversation.status":
        if (panel) panel.setStatus(frame.status);
        break;
      case "typing":
        if (panel) panel.onTyping(frame);
        break;
      case "read":
        if (panel) panel.onRead(frame);
        break;
      case "conversation.opened":
        queue.upsert(frame.conversation, true);
        showAlert(frame.conversation);
        break;
      case "conversation.updated":
        queue.upsert(frame.conversation, false);
        if (panels[frame.conversation.id]) panels[frame.conversation.id].setSummary(frame.conversation);
        break;
      case "conversation.activity":
        queue.activity(frame);
        break;
      default:
        break;
    }
  }

  function onError(frame) {
    var id = frame.ref && /^c(\d+)-/.exec(frame.ref);
    var panel = id ? panels[Number(id[1])] : null;
    if (panel && frame.client_msg_id && panel.onSendError(frame)) return;
    if (panel) panel.alert(frame.message);
    else if (!frame.fatal && workspace) setConnection(connected ? "live" : "offline", frame.message);
  }

  // --- the queue ----------------------------------------------------------------------------------

  var agentNames = readJson("chat-agent-names", {});
  var queue = {
    rows: {},
    init: function (data) {
      (data.waiting || []).concat(data.mine || []).forEach(function (row) { queue.rows[row.id] = row; });
      queue.render();
    },
    bucket: function (row) {
      if (row.channel && row.channel !== "chat") return null;
      if (row.assignee_id == null && row.status === "open") return "waiting";
      if (row.assignee_id === me.id && (row.status === "open" || row.status === "pending")) return "mine";
      return null;
    },
    upsert: function (summary, fresh) {
      var row = Object.assign(queue.rows[summary.id] || {}, summary);
      if (fresh) row.fresh = true;
      queue.rows[summary.id] = row;
      queue.render();
    },
    activity: function (frame) {
      var row = queue.rows[frame.conversation_id];
      if (!row) return;
      if (frame.preview) row.preview = frame.preview;
      if (frame.author_kind === "customer" && !(panels[row.id] && panels[row.id].isActive())) row.unread = (row.unread || 0) + 1;
      row.last_message_at = new Date().toISOString();
      queue.render();
    },
    render: function () {
      if (!workspace) return;
      var lists = { waiting: [], mine: [] };
      Object.keys(queue.rows).forEach(function (id) {
        var row = queue.rows[id];
        var bucket = queue.bucket(row);
        if (bucket) lists[bucket].push(row);
      });
      ["waiting", "mine"].forEach(function (bucket) {
        var list = document.getElementById("queue-" + bucket);
        list.textContent = "";
        lists[bucket].sort(function (a, b) { return String(b.last_message_at).localeCompare(String(a.last_message_at)); });
        lists[bucket].forEach(function (row) { list.appendChild(queue.item(row)); });
        document.getElementById("queue-" + bucket + "-count").textContent = String(lists[bucket].length);
        document.getElementById("queue-" + bucket + "-empty").hidden = lists[bucket].length > 0;
      });
      var waiting = lists.waiting.length;
      document.title = (waiting ? "(" + waiting + ") " : "") + "Live chats · Firstline";
    },
    item: function (row) {
      var name = (row.customer && row.customer.name) || "Customer";
      var button = el("button", { type: "button", "class": "queue-item" + (row.fresh ? " is-new" : "") + (panels[row.id] ? " is-open" : ""),
                                  "data-conversation-id": String(row.id) }, [
        el("span", { "class": "avatar", "aria-hidden": "true", text: initials(name) }),
        el("span", { "class": "queue-text" }, [
          el("span", { "class": "queue-line" }, [
            el("strong", { "class": "queue-name", text: name }),
            el("span", { "class": "badge lang", title: LANGUAGE_NAMES[row.language] || row.language, text: String(row.language || "").toUpperCase() }),
            row.status === "pending" ? el("span", { "class": "badge status status-pending", text: "Pending" }) : null,
            row.fresh ? el("span", { "class": "badge new", text: "New" }) : null,
            row.unread ? el("span", { "class": "unread", text: String(row.unread), title: row.unread + " unread" }) : null
          ]),
          el("span", { "class": "queue-topic", text: (CATEGORY_NAMES[row.category] || label(row.category)) + " · " + row.reference }),
          el("span", { "class": "queue-preview", text: row.preview || "—" })
        ])
      ]);
      button.addEventListener("click", function () {
        row.fresh = false;
        row.unread = 0;
        openPanel(row.id, row);
        queue.render();
      });
      return el("li", {}, [button]);
    }
  };

  // --- a chat panel -------------------------------------------------------------------------------

  var panels = {};
  var panelsBox = document.getElementById("chat-panels");
  var canManage = workspace && workspace.getAttribute("data-can-manage") === "true";

  function Panel(id, summary) {
    this.id = id;
    this.summary = summary || { id: id, customer: {} };
    this.lastSeq = 0;
    this.status = this.summary.status || "open";
    this.joined = false;
    this.pending = {}; // client_msg_id -> {body, note, lastSeen, node, sentAt, state}
    this.customerRead = 0;
    this.build();
  }

  Panel.prototype.build = function () {
    var self = this;
    this.avatar = el("span", { "class": "avatar avatar-lg", "aria-hidden": "true" });
    this.name = el("strong", { "class": "chat-name" });
    this.meta = el("span", { "class": "chat-meta" });
    this.statusBadge = el("span", { "class": "badge status" });
    this.actions = el("div", { "class": "chat-actions" });
    this.log = el("ol", { "class": "timeline chat-log", "aria-live": "polite" });
    this.typing = el("div", { "class": "chat-typing", hidden: true });
    this.alertBox = el("div", { "class": "chat-alert", role: "alert", hidden: true });
    this.noticeBox = el("div", { "class": "chat-notice", role: "status", hidden: true });
    this.input = el("textarea", { rows: "2", "aria-label": "Reply", placeholder: "Write a reply…" });
    this.noteToggle = el("input", { type: "checkbox", "class": "chat-note-toggle" });
    this.sendButton = el("button", { type: "submit", "class": "primary", text: "Send" });
    this.composer = el("form", { "class": "chat-composer" }, [
      this.input,
      el("div", { "class": "chat-composer-row" }, [
        el("label", { "class": "chat-note" }, [this.noteToggle, " Internal note"]),
        el("span", { "class": "muted small", text: "Enter sends · Shift+Enter new line" }),
        this.sendButton
      ])
    ]);
    this.closeButton = el("button", { type: "button", "class": "button-quiet chat-close", title: "Close this panel (the chat stays open)", "aria-label": "Close panel", text: "×" });
    this.node = el("section", { "class": "chat-panel", "data-conversation-id": String(this.id) }, [
      el("header", { "class": "chat-head" }, [
        this.avatar,
        el("div", { "class": "chat-title" }, [el("div", { "class": "chat-title-line" }, [this.name, this.statusBadge]), this.meta]),
        this.closeButton
      ]),
      this.actions, this.log, this.typing, this.alertBox, this.noticeBox, this.composer
    ]);
    this.composer.addEventListener("submit", function (event) { event.preventDefault(); self.submit(); });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey && !event.isComposing) {
        event.preventDefault();
        self.submit();
      }
    });
    this.input.addEventListener("input", function () { self.onInput(); });
    this.input.addEventListener("focus", function () { self.markRead(); });
    this.noteToggle.addEventListener("change", function () {
      self.composer.classList.toggle("is-note", self.noteToggle.checked);
      self.input.placeholder = self.noteToggle.checked ? "Internal note: only agents see this…" : "Write a reply…";
    });
    this.closeButton.addEventListener("click", function () { closePanel(self.id); });
    this.render();
  };

  Panel.prototype.render = function () {
    var s = this.summary;
    var name = (s.customer && s.customer.name) || "Customer";
    this.node.setAttribute("aria-label", "Chat with " + name);
    this.avatar.textContent = initials(name);
    this.name.textContent = name;
    this.meta.textContent = [s.reference, (s.language || "").toUpperCase() + " · " + (LANGUAGE_NAMES[s.language] || s.language || ""),
                             CATEGORY_NAMES[s.category] || label(s.category)].filter(Boolean).join(" · ");
    if (s.assignee_id && s.assignee_id !== me.id) this.meta.textContent += " · with " + (agentNames[String(s.assignee_id)] || "a colleague");
    this.statusBadge.className = "badge status status-" + this.status;
    this.statusBadge.textContent = label(this.status);
    this.input.placeholder = this.noteToggle.checked ? "Internal note: only agents see this…"
      : "Reply to " + name + (LANGUAGE_NAMES[s.language] ? " in " + LANGUAGE_NAMES[s.language] : "") + "…";
    this.renderActions();
    var closed = this.status === "closed";
    this.input.disabled = closed;
    this.sendButton.disabled = closed;
  };

  Panel.prototype.renderActions = function () {
    var self = this;
    this.actions.textContent = "";
    var buttons = [];
    if (!this.joined && this.status !== "closed") buttons.push(["join", "Join chat", "primary-soft"]);
    if (canManage) {
      if (this.status === "open") buttons.push(["pending", "Mark pending", ""], ["resolved", "Resolve", ""]);
      if (this.status === "pending") buttons.push(["open", "Reopen", ""], ["resolved", "Resolve", ""]);
      if (this.status === "resolved") buttons.push(["open", "Reopen", ""]);
    }
    if (this.joined) buttons.push(["leave", "Leave chat", "button-quiet"]);
    buttons.forEach(function (spec) {
      var button = el("button", { type: "button", "class": spec[2], "data-action": spec[0], text: spec[1] });
      button.addEventListener("click", function () { self.action(spec[0]); });
      self.actions.appendChild(button);
    });
    var mail = el("button", { type: "button", "class": "button-quiet", "data-action": "email-transcript",
                              title: "Send the transcript to the customer's email address on file", text: "Email transcript" });
    mail.addEventListener("click", function () { self.emailTranscript(mail); });
    this.actions.appendChild(mail);
    this.actions.appendChild(el("a", { "class": "chat-details", href: "/conversations/" + this.id, text: "Details" }));
  };

  // Through the same service as the customer's request; the CSRF token is the one htmx sends.
  Panel.prototype.emailTranscript = function (button) {
    var self = this;
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    try { Object.assign(headers, JSON.parse(document.body.getAttribute("hx-headers") || "{}")); } catch (error) { /* none */ }
    this.transcriptRequest = this.transcriptRequest || newId();
    button.disabled = true;
    fetch("/api/v1/chat/conversations/" + this.id + "/transcript/email", {
      method: "POST", credentials: "same-origin", headers: headers, body: JSON.stringify({ request_id: this.transcriptRequest })
    })
      .then(function (response) { return response.json().catch(function () { return {}; }).then(function (data) { return { ok: response.ok, data: data }; }); })
      .then(function (result) {
        self.transcriptRequest = null;
        if (result.ok) self.notify("Transcript queued for " + result.data.recipient + ".");
        else self.alert((result.data.error && result.data.error.message) || "The transcript could not be sent.");
      })
      .catch(function () { self.alert("The transcript could not be sent; try again."); })
      .then(function () { button.disabled = false; });
  };

  Panel.prototype.notify = function (text) {
    this.alert("");
    this.noticeBox.textContent = text;
    this.noticeBox.hidden = false;
    var box = this.noticeBox;
    window.clearTimeout(this.noticeTimer);
    this.noticeTimer = window.setTimeout(function () { box.hidden = true; }, 15000);
  };

  Panel.prototype.action = function (name) {
    var ref = "c" + this.id + "-" + name;
    if (name === "join" || name === "leave") send({ type: name, conversation_id: this.id, ref: ref });
    else send({ type: "set_status", conversation_id: this.id, status: name, ref: ref });
  };

  Panel.prototype.subscribe = function () {
    this.readSent = 0;
    this.subscribed = false; // until then nothing is sent: the view is not yet known to be current
    send({ type: "subscribe", conversation_id: this.id, last_seq: this.lastSeq, ref: "c" + this.id + "-subscribe" });
  };

  Panel.prototype.onSubscribed = function (frame) {
    this.subscribed = true;
    this.setSummary(frame.conversation);
    // Messages composed before the connection dropped go again with the view they were written in.
    var self = this;
    Object.keys(this.pending).forEach(function (clientId) {
      var item = self.pending[clientId];
      if (item.state === "sending" || item.state === "acked") self.transmit(clientId);
    });
  };

  Panel.prototype.setSummary = function (summary) {
    this.summary = Object.assign({}, this.summary, summary);
    if (summary.status) this.status = summary.status;
    this.render();
  };

  Panel.prototype.setStatus = function (status) {
    this.status = status;
    this.summary.status = status;
    if (queue.rows[this.id]) {
      queue.rows[this.id].status = status;
      queue.render();
    }
    this.render();
  };

  Panel.prototype.firstPending = function () {
    return this.log.querySelector(".msg-pending");
  };

  Panel.prototype.onEvent = function (frame) {
    if (frame.seq <= this.lastSeq) return;
    if (typeof frame.prev_seq === "number" && frame.prev_seq > this.lastSeq) {
      this.subscribe(); // a gap: ask again from what this panel holds
      return;
    }
    this.lastSeq = frame.seq;
    var message = frame.message;
    if (message && message.client_msg_id && this.pending[message.client_msg_id]) {
      var item = this.pending[message.client_msg_id];
      if (item.node) item.node.remove();
      delete this.pending[message.client_msg_id];
    }
    if (frame.kind === "agent_joined" || frame.kind === "agent_left") {
      if (frame.agent && frame.agent.id === me.id) {
        this.joined = frame.kind === "agent_joined";
        this.renderActions();
      }
      this.log.insertBefore(el("li", { "class": "event", "data-seq": String(frame.seq) }, [
        el("span", { "class": "event-text", text: (frame.agent.name || "An agent") + (frame.kind === "agent_joined" ? " joined the chat" : " left the chat") })
      ]), this.firstPending());
    } else if (message) {
      this.log.insertBefore(this.messageNode(frame), this.firstPending());
      if (message.author_kind === "customer") {
        this.hideTyping();
        // On screen counts as seen; the panel is still flagged until the agent turns to it.
        if (!this.node.contains(document.activeElement)) this.node.classList.add("has-unread");
        if (document.visibilityState === "visible") this.sendRead();
      }
    }
    this.markSeen();
    this.scroll();
  };

  Panel.prototype.messageNode = function (frame) {
    var m = frame.message;
    var automatic = m.is_automatic || m.author_kind === "system";
    var who = el("div", { "class": "who" });
    if (m.author_kind === "note") {
      who.appendChild(el("span", { "class": "note-label", text: "Internal note" }));
      who.appendChild(el("span", { "class": "author", text: m.author_name || "Agent" }));
    } else if (automatic) {
      who.appendChild(el("span", { "class": "author", text: "Automatic message" }));
    } else {
      who.appendChild(el("span", { "class": "author", text: m.author_name || (m.author_kind === "customer" ? "Customer" : "Agent") }));
    }
    if (automatic) who.appendChild(el("span", { "class": "badge auto", title: "Sent by Firstline, not by a person", text: "automatic" }));
    who.appendChild(el("time", { datetime: m.created_at || "", text: timeOf(m.created_at) }));
    var node = el("li", { "class": "msg msg-" + m.author_kind + (automatic ? " msg-automatic" : ""), "data-seq": String(frame.seq || "") }, [
      who, el("div", { "class": "body" }, [richText(m.body || "")])
    ]);
    (m.attachments || []).forEach(function (item) {
      var href = safeHref(item.url || "");
      if (!href) return;
      var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer", "class": "attachment" },
        [/^image\//.test(item.content_type) ? el("img", { src: href, alt: item.filename, loading: "lazy" }) : null,
         el("span", { text: item.filename + " (" + Math.max(1, Math.round(item.size / 1024)) + " KB)" })]);
      node.appendChild(link);
    });
    if (m.author_kind === "agent") node.appendChild(el("div", { "class": "receipt" }));
    if (m.client_msg_id) node.setAttribute("data-client-id", m.client_msg_id);
    return node;
  };

  Panel.prototype.markSeen = function () {
    var seen = this.customerRead;
    var latest = null;
    this.log.querySelectorAll("li.msg-agent[data-seq]").forEach(function (node) {
      var receipt = node.querySelector(".receipt");
      if (receipt) receipt.textContent = "";
      if (Number(node.getAttribute("data-seq")) <= seen) latest = node;
    });
    if (latest) latest.querySelector(".receipt").textContent = "Seen by the customer ✓";
  };

  Panel.prototype.onRead = function (frame) {
    if (frame.by !== "customer") return;
    this.customerRead = Math.max(this.customerRead, frame.seq || 0);
    this.markSeen();
  };

  Panel.prototype.onTyping = function (frame) {
    window.clearTimeout(this.typingTimer);
    if (!frame.active) return this.hideTyping();
    var who = frame.by === "customer" ? ((this.summary.customer && this.summary.customer.name) || "The customer") : (frame.name || "A colleague");
    this.typing.textContent = who + " is typing…";
    this.typing.hidden = false;
    var self = this;
    this.typingTimer = window.setTimeout(function () { self.hideTyping(); }, 6000);
    return undefined;
  };
  Panel.prototype.hideTyping = function () { this.typing.hidden = true; };

  Panel.prototype.onInput = function () {
    var now = Date.now();
    var self = this;
    if (this.noteToggle.checked) return; // a note is not for the customer's eyes, nor its typing
    if (!this.typingSentAt || now - this.typingSentAt > 2000) {
      this.typingSentAt = now;
      sendEphemeral("typing:" + this.id, { type: "typing", conversation_id: this.id, active: true });
    }
    window.clearTimeout(this.typingIdle);
    this.typingIdle = window.setTimeout(function () { self.stopTyping(); }, 3000);
  };
  Panel.prototype.stopTyping = function () {
    window.clearTimeout(this.typingIdle);
    if (this.typingSentAt) {
      this.typingSentAt = 0;
      sendEphemeral("typing:" + this.id, { type: "typing", conversation_id: this.id, active: false });
    }
  };

  Panel.prototype.isActive = function () {
    return document.visibilityState === "visible" && this.node.contains(document.activeElement);
  };

  Panel.prototype.sendRead = function () {
    if (connected && this.lastSeq && this.lastSeq > (this.readSent || 0)) {
      this.readSent = this.lastSeq;
      sendEphemeral("read:" + this.id, { type: "read", conversation_id: this.id, seq: this.lastSeq });
    }
  };

  Panel.prototype.markRead = function () {
    this.node.classList.remove("has-unread");
    this.sendRead();
    if (queue.rows[this.id] && queue.rows[this.id].unread) {
      queue.rows[this.id].unread = 0;
      queue.render();
    }
  };

  Panel.prototype.submit = function () {
    var body = this.input.value.trim();
    if (!body || this.status === "closed") return;
    var note = this.noteToggle.checked;
    var clientId = newId();
    var node = el("li", { "class": "msg msg-pending " + (note ? "msg-note" : "msg-agent"), "data-client-id": clientId }, [
      el("div", { "class": "who" }, [el("span", { "class": "author", text: note ? "Internal note" : (me.name || "You") }),
                                      el("span", { "class": "send-state", text: "Sending…" })]),
      el("div", { "class": "body" }, [richText(body)])
    ]);
    this.pending[clientId] = { body: body, note: note, lastSeen: this.lastSeq, node: node, state: "sending", sentAt: 0 };
    this.log.appendChild(node);
    this.input.value = "";
    this.stopTyping();
    this.alert("");
    if (!note && !this.joined) send({ type: "join", conversation_id: this.id, ref: "c" + this.id + "-join" });
    this.transmit(clientId);
    this.scroll();
  };

  Panel.prototype.transmit = function (clientId) {
    var item = this.pending[clientId];
    if (!item || !this.subscribed) return; // sent once subscribed (onSubscribed)
    var sent = send({ type: "send", conversation_id: this.id, client_msg_id: clientId, body: item.body,
                      last_seen_seq: item.lastSeen, note: item.note, ref: "c" + this.id + "-send" });
    if (sent) item.sentAt = Date.now();
  };

  Panel.prototype.resendOverdue = function (now) {
    var self = this;
    Object.keys(this.pending).forEach(function (clientId) {
      var item = self.pending[clientId];
      if (connected && item.state === "sending" && item.sentAt && now - item.sentAt > 10000) self.transmit(clientId);
    });
  };

  Panel.prototype.onAck = function (frame) {
    var item = this.pending[frame.client_msg_id];
    if (!item) return;
    item.state = "acked"; // the event itself replaces the bubble when it arrives
    var state = item.node.querySelector(".send-state");
    if (state) state.textContent = "Sent";
  };

  Panel.prototype.onConflict = function (frame) {
    var self = this;
    (frame.missed || []).forEach(function (event) { self.onEvent(event); });
    var item = this.pending[frame.client_msg_id];
    if (!item || item.state === "conflict") return; // a resend crossed the first answer: one box is enough
    item.state = "conflict";
    item.node.classList.add("msg-conflict");
    // Keep the unsent bubble after what was missed, so the agent reads those first.
    this.log.appendChild(item.node);
    var state = item.node.querySelector(".send-state");
    state.textContent = "Not sent";
    var resend = el("button", { type: "button", "class": "primary", text: "Send anyway" });
    var discard = el("button", { type: "button", "class": "button-quiet", text: "Edit" });
    var box = el("div", { "class": "conflict-actions" }, [
      el("span", { text: "The customer wrote in the meantime. Read the new messages above, then send again or edit." }), resend, discard
    ]);
    item.node.appendChild(box);
    this.alert("The customer or a colleague wrote in the meantime — your message was not sent. Read the new messages, then send again.");
    resend.addEventListener("click", function () {
      box.remove();
      item.node.classList.remove("msg-conflict");
      item.state = "sending";
      item.lastSeen = self.lastSeq;
      state.textContent = "Sending…";
      self.alert("");
      self.transmit(frame.client_msg_id);
    });
    discard.addEventListener("click", function () {
      item.node.remove();
      delete self.pending[frame.client_msg_id];
      self.alert("");
      if (!self.input.value) self.input.value = item.body;
      self.input.focus();
    });
    this.scroll();
  };

  Panel.prototype.onSendError = function (frame) {
    var item = this.pending[frame.client_msg_id];
    if (!item) return false;
    var self = this;
    if (frame.code === "rate_limited" || frame.code === "unavailable") {
      window.setTimeout(function () { self.transmit(frame.client_msg_id); }, Math.max(frame.retry_after_ms || 0, 1500));
      return true;
    }
    item.state = "failed";
    item.node.classList.add("msg-failed");
    item.node.querySelector(".send-state").textContent = "Not sent: " + frame.message;
    delete this.pending[frame.client_msg_id];
    if (!this.input.value) this.input.value = item.body;
    return true;
  };

  Panel.prototype.alert = function (text) {
    this.alertBox.textContent = text || "";
    this.alertBox.hidden = !text;
  };

  Panel.prototype.scroll = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  function openPanel(id, summary) {
    id = Number(id);
    if (panels[id]) {
      panels[id].input.focus();
      return;
    }
    var ids = Object.keys(panels);
    if (ids.length >= MAX_PANELS) closePanel(ids[0]);
    var panel = new Panel(id, summary || queue.rows[id]);
    panels[id] = panel;
    panelsBox.appendChild(panel.node);
    document.getElementById("chat-panels-empty").hidden = true;
    if (connected) panel.subscribe();
    rememberPanels();
    panel.input.focus();
    queue.render();
  }

  function closePanel(id) {
    var panel = panels[id];
    if (!panel) return;
    panel.stopTyping();
    send({ type: "unsubscribe", conversation_id: Number(id) });
    panel.node.remove();
    delete panels[id];
    document.getElementById("chat-panels-empty").hidden = Object.keys(panels).length > 0;
    rememberPanels();
    queue.render();
  }

  function rememberPanels() {
    try {
      window.localStorage.setItem(OPEN_PANELS_KEY, JSON.stringify(Object.keys(panels).map(Number)));
    } catch (error) { /* the workspace simply starts empty next time */ }
  }

  // --- the inbox: new chats as they arrive --------------------------------------------------------

  function showAlert(summary) {
    if (!alerts) return;
    var list = alerts.querySelector("ul");
    var name = (summary.customer && summary.customer.name) || "Customer";
    list.insertBefore(el("li", {}, [
      el("a", { href: "/chats", text: summary.reference }), " ",
      el("strong", { text: name }), " ",
      el("span", { "class": "badge lang", text: String(summary.language || "").toUpperCase() }), " ",
      el("span", { "class": "muted", text: CATEGORY_NAMES[summary.category] || label(summary.category) })
    ]), list.firstChild);
    while (list.children.length > 5) list.lastChild.remove();
    alerts.hidden = false;
    var title = alerts.querySelector("[data-chat-alerts-count]");
    if (title) {
      var count = Number(title.getAttribute("data-count") || "0") + 1;
      title.setAttribute("data-count", String(count));
      title.textContent = count === 1 ? "1 new chat" : count + " new chats";
    }
  }

  // --- start --------------------------------------------------------------------------------------

  if (workspace) {
    queue.init(readJson("chat-queue-data", {}));
    var remembered = [];
    try {
      remembered = JSON.parse(window.localStorage.getItem(OPEN_PANELS_KEY) || "[]");
    } catch (error) { remembered = []; }
    (Array.isArray(remembered) ? remembered : []).slice(0, MAX_PANELS).forEach(function (id) {
      if (typeof id === "number") openPanel(id, queue.rows[id]);
    });
    // The hook of companion scripts (agent-offers.js): every frame of the websocket is re-dispatched as a
    // "firstline:chat-frame" event on the workspace (above, in onFrame), and a "firstline:open-chat" event
    // whose detail is a conversation summary opens that chat as clicking it in the queue does.
    workspace.addEventListener("firstline:open-chat", function (event) {
      var summary = event.detail;
      if (!summary || summary.id == null) return;
      queue.upsert(summary, false);
      queue.rows[summary.id].fresh = false;
      queue.rows[summary.id].unread = 0;
      if (panels[summary.id]) panels[summary.id].setSummary(summary);
      openPanel(summary.id, queue.rows[summary.id]);
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState !== "visible") return;
      Object.keys(panels).forEach(function (id) { panels[id].sendRead(); });
    });
  }
  connect();
})();
