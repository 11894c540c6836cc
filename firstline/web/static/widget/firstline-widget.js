/* Firstline chat widget (docs/chat-protocol.md). An exchange adds one tag to its pages:
 *
 *   <script src="https://support.exchange.example/static/widget/firstline-widget.js"
 *           data-site="pk_…" data-identity='{"uid":"48213377","signature":"…"}' async></script>
 *
 * Optional: data-lang (en, it, pt, de, es; else the page's <html lang>, else the browser's language)
 * and data-color (a #hex accent). Plain JavaScript, no framework, no build step, no inline script.
 *
 * The widget lives in a Shadow DOM, so the page's CSS cannot reach it. Message text is only ever set
 * with textContent; links become anchors only for http(s) URLs. Outgoing messages wait in a local
 * outbox (localStorage) with their client_msg_id until the server acknowledges them: a reload or a
 * dropped connection resends them, and the server stores each id once, so nothing is lost or doubled.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector("script[data-site][src*='firstline-widget']");
  if (!script || window.FirstlineWidget) return;
  var SITE = script.getAttribute("data-site") || "";
  if (!SITE) {
    console.warn("Firstline widget: the script tag needs data-site.");
    return;
  }
  var BASE = new URL(script.src, window.location.href);
  var ORIGIN = BASE.origin;
  var CSS_URL = new URL("firstline-widget.css", BASE).href;
  var STORAGE_KEY = "firstline.chat." + SITE;
  var LANGUAGES = ["en", "it", "pt", "de", "es"];
  var MAX_CACHED_EVENTS = 300;
  var ACK_TIMEOUT_MS = 10000;
  var TYPING_EVERY_MS = 2000;
  var TYPING_IDLE_MS = 3000;

  // --- strings ------------------------------------------------------------------------------------

  var STRINGS = {
    en: {
      launcher: "Chat with support", title: "Support", idle: "We usually answer within a minute",
      helping: "{name} is helping you", close: "Minimise the chat",
      intro: "Tell us who you are and what it is about; an agent will join you in a moment.",
      intro_identified: "You are logged in. Choose a topic and an agent will join you in a moment.",
      name: "Name", email: "Email", optional: "optional", topic: "Topic", start: "Start chat",
      placeholder: "Write a message…", send: "Send", attach: "Attach an image or a PDF",
      remove: "Remove", uploading: "Uploading…", transcript: "Download the transcript",
      email_transcript: "Email me the transcript", email_prompt: "Which email address should we send the transcript to?",
      email_send: "Send transcript", email_cancel: "Cancel", email_invalid: "Enter a valid email address, like name@example.com.",
      email_queued: "The transcript is on its way to {address}.", email_failed: "The transcript could not be sent. Try again.",
      email_limited: "You have asked for the transcript several times; please try again in an hour.",
      email_empty: "There is nothing in this chat to send yet.",
      safety: "Support will never ask for your password, 2FA code or seed phrase.",
      joined: "{name} joined the chat", left: "{name} left the chat", typing: "{name} is typing…",
      agent: "Support agent", you: "You", automatic: "Automatic message",
      sending: "Sending…", sent: "Sent", seen: "Seen", failed: "Not sent", reconnecting: "Connection lost — reconnecting…",
      closed: "This chat has ended.", new_chat: "Start a new chat",
      resolved: "This chat was marked as solved. Write again if you still need help.",
      pending: "Support is waiting for your answer.",
      too_large: "This file is too large: the limit is {max} MB.",
      unsupported: "This file cannot be sent: only images (PNG, JPEG, GIF, WebP) and PDF files are accepted.",
      upload_failed: "The file could not be uploaded. Try again.",
      too_long: "The message is too long (at most {max} characters).",
      rate_limited: "You are sending messages quickly; they will go out in a moment.",
      login_required: "Log in to your account to chat with support.",
      identity_invalid: "We could not confirm your login. Reload the page and try again.",
      unavailable: "Chat is not available on this page.", start_failed: "The chat could not be started. Try again.",
      unread: "{n} unread",
      topics: {
        deposit_not_credited: "Deposit not credited", wrong_network_or_memo: "Wrong network or memo",
        withdrawal_pending: "Withdrawal pending", "2fa_reset": "2FA reset", account_frozen: "Account frozen",
        kyc_rejected: "Identity verification (KYC)", p2p_appeal: "P2P appeal",
        futures_liquidation: "Futures liquidation", fees: "Fees", api: "API", other: "Something else"
      }
    },
    it: {
      launcher: "Chatta con l'assistenza", title: "Assistenza", idle: "Di solito rispondiamo entro un minuto",
      helping: "{name} ti sta aiutando", close: "Riduci la chat",
      intro: "Dicci chi sei e di cosa si tratta; un operatore ti raggiungerà a momenti.",
      intro_identified: "Hai effettuato l'accesso. Scegli un argomento e un operatore ti raggiungerà a momenti.",
      name: "Nome", email: "Email", optional: "facoltativa", topic: "Argomento", start: "Inizia la chat",
      placeholder: "Scrivi un messaggio…", send: "Invia", attach: "Allega un'immagine o un PDF",
      remove: "Rimuovi", uploading: "Caricamento…", transcript: "Scarica la trascrizione",
      email_transcript: "Inviami la trascrizione via email", email_prompt: "A quale indirizzo email inviamo la trascrizione?",
      email_send: "Invia la trascrizione", email_cancel: "Annulla", email_invalid: "Inserisci un indirizzo email valido, come nome@esempio.it.",
      email_queued: "La trascrizione è in arrivo a {address}.", email_failed: "Non è stato possibile inviare la trascrizione. Riprova.",
      email_limited: "Hai già richiesto la trascrizione più volte; riprova tra un'ora.",
      email_empty: "Non c'è ancora nulla da inviare in questa chat.",
      safety: "L'assistenza non ti chiederà mai password, codici 2FA o la frase seed.",
      joined: "{name} è entrato nella chat", left: "{name} ha lasciato la chat", typing: "{name} sta scrivendo…",
      agent: "Operatore", you: "Tu", automatic: "Messaggio automatico",
      sending: "Invio…", sent: "Inviato", seen: "Letto", failed: "Non inviato", reconnecting: "Connessione persa — riconnessione…",
      closed: "Questa chat è terminata.", new_chat: "Inizia una nuova chat",
      resolved: "Questa chat è stata segnata come risolta. Scrivi di nuovo se ti serve ancora aiuto.",
      pending: "L'assistenza attende una tua risposta.",
      too_large: "Il file è troppo grande: il limite è {max} MB.",
      unsupported: "Questo file non può essere inviato: sono accettate solo immagini (PNG, JPEG, GIF, WebP) e PDF.",
      upload_failed: "Non è stato possibile caricare il file. Riprova.",
      too_long: "Il messaggio è troppo lungo (al massimo {max} caratteri).",
      rate_limited: "Stai inviando messaggi molto velocemente; partiranno tra un momento.",
      login_required: "Accedi al tuo account per chattare con l'assistenza.",
      identity_invalid: "Non siamo riusciti a confermare il tuo accesso. Ricarica la pagina e riprova.",
      unavailable: "La chat non è disponibile su questa pagina.", start_failed: "Non è stato possibile avviare la chat. Riprova.",
      unread: "{n} non letti",
      topics: {
        deposit_not_credited: "Deposito non accreditato", wrong_network_or_memo: "Rete o memo errati",
        withdrawal_pending: "Prelievo in sospeso", "2fa_reset": "Reset 2FA", account_frozen: "Account bloccato",
        kyc_rejected: "Verifica dell'identità (KYC)", p2p_appeal: "Ricorso P2P",
        futures_liquidation: "Liquidazione futures", fees: "Commissioni", api: "API", other: "Altro"
      }
    },
    pt: {
      launcher: "Falar com o suporte", title: "Suporte", idle: "Costumamos responder em menos de um minuto",
      helping: "{name} está a ajudar você", close: "Minimizar o chat",
      intro: "Diga-nos quem é e qual é o assunto; um agente vai atendê-lo em instantes.",
      intro_identified: "Você está com sessão iniciada. Escolha um assunto e um agente vai atendê-lo em instantes.",
      name: "Nome", email: "E-mail", optional: "opcional", topic: "Assunto", start: "Iniciar chat",
      placeholder: "Escreva uma mensagem…", send: "Enviar", attach: "Anexar uma imagem ou um PDF",
      remove: "Remover", uploading: "A enviar…", transcript: "Descarregar a transcrição",
      email_transcript: "Enviar-me a transcrição por email", email_prompt: "Para que endereço de email enviamos a transcrição?",
      email_send: "Enviar a transcrição", email_cancel: "Cancelar", email_invalid: "Indique um endereço de email válido, como nome@exemplo.pt.",
      email_queued: "A transcrição está a caminho de {address}.", email_failed: "Não foi possível enviar a transcrição. Tente novamente.",
      email_limited: "Já pediu a transcrição várias vezes; tente novamente daqui a uma hora.",
      email_empty: "Ainda não há nada neste chat para enviar.",
      safety: "O suporte nunca pedirá a sua senha, código 2FA ou frase de recuperação (seed).",
      joined: "{name} entrou no chat", left: "{name} saiu do chat", typing: "{name} está a escrever…",
      agent: "Agente de suporte", you: "Você", automatic: "Mensagem automática",
      sending: "A enviar…", sent: "Enviada", seen: "Vista", failed: "Não enviada", reconnecting: "Ligação perdida — a religar…",
      closed: "Este chat terminou.", new_chat: "Iniciar um novo chat",
      resolved: "Este chat foi marcado como resolvido. Escreva de novo se ainda precisar de ajuda.",
      pending: "O suporte aguarda a sua resposta.",
      too_large: "Este ficheiro é demasiado grande: o limite é {max} MB.",
      unsupported: "Este ficheiro não pode ser enviado: só são aceites imagens (PNG, JPEG, GIF, WebP) e PDF.",
      upload_failed: "Não foi possível enviar o ficheiro. Tente de novo.",
      too_long: "A mensagem é demasiado longa (no máximo {max} caracteres).",
      rate_limited: "Está a enviar mensagens muito depressa; vão sair dentro de momentos.",
      login_required: "Inicie sessão na sua conta para falar com o suporte.",
      identity_invalid: "Não conseguimos confirmar a sua sessão. Recarregue a página e tente de novo.",
      unavailable: "O chat não está disponível nesta página.", start_failed: "Não foi possível iniciar o chat. Tente de novo.",
      unread: "{n} por ler",
      topics: {
        deposit_not_credited: "Depósito não creditado", wrong_network_or_memo: "Rede ou memo errados",
        withdrawal_pending: "Levantamento pendente", "2fa_reset": "Redefinir 2FA", account_frozen: "Conta congelada",
        kyc_rejected: "Verificação de identidade (KYC)", p2p_appeal: "Recurso P2P",
        futures_liquidation: "Liquidação de futuros", fees: "Taxas", api: "API", other: "Outro assunto"
      }
    },
    de: {
      launcher: "Mit dem Support chatten", title: "Support", idle: "Wir antworten meist innerhalb einer Minute",
      helping: "{name} hilft Ihnen", close: "Chat minimieren",
      intro: "Sagen Sie uns, wer Sie sind und worum es geht; gleich meldet sich ein Mitarbeiter.",
      intro_identified: "Sie sind angemeldet. Wählen Sie ein Thema; gleich meldet sich ein Mitarbeiter.",
      name: "Name", email: "E-Mail", optional: "optional", topic: "Thema", start: "Chat starten",
      placeholder: "Nachricht schreiben…", send: "Senden", attach: "Bild oder PDF anhängen",
      remove: "Entfernen", uploading: "Wird hochgeladen…", transcript: "Verlauf herunterladen",
      email_transcript: "Verlauf per E-Mail senden", email_prompt: "An welche E-Mail-Adresse sollen wir den Verlauf senden?",
      email_send: "Verlauf senden", email_cancel: "Abbrechen", email_invalid: "Geben Sie eine gültige E-Mail-Adresse ein, z. B. name@beispiel.de.",
      email_queued: "Der Verlauf ist unterwegs an {address}.", email_failed: "Der Verlauf konnte nicht gesendet werden. Bitte erneut versuchen.",
      email_limited: "Sie haben den Verlauf bereits mehrmals angefordert; bitte versuchen Sie es in einer Stunde erneut.",
      email_empty: "In diesem Chat gibt es noch nichts zu senden.",
      safety: "Der Support fragt Sie nie nach Passwort, 2FA-Code oder Seed-Phrase.",
      joined: "{name} ist dem Chat beigetreten", left: "{name} hat den Chat verlassen", typing: "{name} schreibt…",
      agent: "Support-Mitarbeiter", you: "Sie", automatic: "Automatische Nachricht",
      sending: "Wird gesendet…", sent: "Gesendet", seen: "Gelesen", failed: "Nicht gesendet", reconnecting: "Verbindung unterbrochen — neuer Versuch…",
      closed: "Dieser Chat ist beendet.", new_chat: "Neuen Chat starten",
      resolved: "Dieser Chat wurde als gelöst markiert. Schreiben Sie einfach, wenn Sie noch Hilfe brauchen.",
      pending: "Der Support wartet auf Ihre Antwort.",
      too_large: "Die Datei ist zu groß: höchstens {max} MB.",
      unsupported: "Diese Datei kann nicht gesendet werden: nur Bilder (PNG, JPEG, GIF, WebP) und PDF-Dateien.",
      upload_failed: "Die Datei konnte nicht hochgeladen werden. Bitte erneut versuchen.",
      too_long: "Die Nachricht ist zu lang (höchstens {max} Zeichen).",
      rate_limited: "Sie senden sehr schnell; Ihre Nachrichten gehen gleich hinaus.",
      login_required: "Melden Sie sich in Ihrem Konto an, um mit dem Support zu chatten.",
      identity_invalid: "Ihre Anmeldung konnte nicht bestätigt werden. Laden Sie die Seite neu.",
      unavailable: "Der Chat ist auf dieser Seite nicht verfügbar.", start_failed: "Der Chat konnte nicht gestartet werden. Bitte erneut versuchen.",
      unread: "{n} ungelesen",
      topics: {
        deposit_not_credited: "Einzahlung nicht gutgeschrieben", wrong_network_or_memo: "Falsches Netzwerk oder Memo",
        withdrawal_pending: "Auszahlung ausstehend", "2fa_reset": "2FA zurücksetzen", account_frozen: "Konto gesperrt",
        kyc_rejected: "Identitätsprüfung (KYC)", p2p_appeal: "P2P-Einspruch",
        futures_liquidation: "Futures-Liquidation", fees: "Gebühren", api: "API", other: "Etwas anderes"
      }
    },
    es: {
      launcher: "Chatear con soporte", title: "Soporte", idle: "Solemos responder en menos de un minuto",
      helping: "{name} te está ayudando", close: "Minimizar el chat",
      intro: "Dinos quién eres y de qué se trata; un agente se unirá en un momento.",
      intro_identified: "Has iniciado sesión. Elige un tema y un agente se unirá en un momento.",
      name: "Nombre", email: "Correo electrónico", optional: "opcional", topic: "Tema", start: "Iniciar chat",
      placeholder: "Escribe un mensaje…", send: "Enviar", attach: "Adjuntar una imagen o un PDF",
      remove: "Quitar", uploading: "Subiendo…", transcript: "Descargar la transcripción",
      email_transcript: "Enviarme la transcripción por correo", email_prompt: "¿A qué correo enviamos la transcripción?",
      email_send: "Enviar la transcripción", email_cancel: "Cancelar", email_invalid: "Introduce un correo válido, como nombre@ejemplo.es.",
      email_queued: "La transcripción va de camino a {address}.", email_failed: "No se pudo enviar la transcripción. Inténtalo de nuevo.",
      email_limited: "Ya pediste la transcripción varias veces; inténtalo de nuevo en una hora.",
      email_empty: "Todavía no hay nada que enviar en este chat.",
      safety: "Soporte nunca te pedirá tu contraseña, código 2FA ni frase semilla.",
      joined: "{name} se unió al chat", left: "{name} salió del chat", typing: "{name} está escribiendo…",
      agent: "Agente de soporte", you: "Tú", automatic: "Mensaje automático",
      sending: "Enviando…", sent: "Enviado", seen: "Visto", failed: "No enviado", reconnecting: "Conexión perdida — reconectando…",
      closed: "Este chat ha terminado.", new_chat: "Iniciar un nuevo chat",
      resolved: "Este chat se marcó como resuelto. Escribe de nuevo si aún necesitas ayuda.",
      pending: "Soporte espera tu respuesta.",
      too_large: "El archivo es demasiado grande: el límite es {max} MB.",
      unsupported: "Este archivo no se puede enviar: solo se aceptan imágenes (PNG, JPEG, GIF, WebP) y PDF.",
      upload_failed: "No se pudo subir el archivo. Inténtalo de nuevo.",
      too_long: "El mensaje es demasiado largo (máximo {max} caracteres).",
      rate_limited: "Estás enviando mensajes muy rápido; saldrán en un momento.",
      login_required: "Inicia sesión en tu cuenta para chatear con soporte.",
      identity_invalid: "No pudimos confirmar tu sesión. Recarga la página e inténtalo de nuevo.",
      unavailable: "El chat no está disponible en esta página.", start_failed: "No se pudo iniciar el chat. Inténtalo de nuevo.",
      unread: "{n} sin leer",
      topics: {
        deposit_not_credited: "Depósito no acreditado", wrong_network_or_memo: "Red o memo incorrectos",
        withdrawal_pending: "Retiro pendiente", "2fa_reset": "Restablecer 2FA", account_frozen: "Cuenta congelada",
        kyc_rejected: "Verificación de identidad (KYC)", p2p_appeal: "Apelación P2P",
        futures_liquidation: "Liquidación de futuros", fees: "Comisiones", api: "API", other: "Otro tema"
      }
    }
  };

  function pickLanguage(fallback) {
    var wanted = [script.getAttribute("data-lang"), document.documentElement.getAttribute("lang")]
      .concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i] || "").slice(0, 2).toLowerCase();
      if (LANGUAGES.indexOf(code) >= 0) return code;
    }
    return LANGUAGES.indexOf(fallback) >= 0 ? fallback : "en";
  }

  var lang = "en";
  function t(key, values) {
    var text = (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || key;
    return String(text).replace(/\{(\w+)\}/g, function (_, name) {
      return values && values[name] != null ? String(values[name]) : "";
    });
  }
  function topicName(topic) {
    return (STRINGS[lang].topics && STRINGS[lang].topics[topic]) || STRINGS.en.topics[topic] || topic;
  }

  // --- identity and storage -----------------------------------------------------------------------

  var identity = null;
  try {
    var rawIdentity = script.getAttribute("data-identity");
    if (rawIdentity) identity = JSON.parse(rawIdentity);
  } catch (error) {
    console.warn("Firstline widget: data-identity is not JSON; chatting as a visitor.");
  }

  // Who the page says the visitor is: a stored chat belongs to that person only.
  function identityKey() {
    if (!identity) return "anonymous";
    if (identity.uid) return "uid:" + identity.uid;
    if (identity.jwt) {
      try {
        var payload = identity.jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
        return "uid:" + JSON.parse(atob(payload)).sub;
      } catch (error) {
        return "jwt";
      }
    }
    return "anonymous";
  }

  function emptyState() {
    return { identity: identityKey(), token: null, reference: "", lastSeq: 0, events: [], outbox: [],
             unread: 0, open: false, status: "open", readSeq: 0 };
  }

  function loadState() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "null");
      if (stored && stored.identity === identityKey() && Array.isArray(stored.events) && Array.isArray(stored.outbox)) {
        return stored;
      }
    } catch (error) { /* private mode or a damaged entry: start afresh */ }
    return emptyState();
  }

  var state = loadState();

  function save() {
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (error) {
      // Storage full: keep the token and the outbox; without the cached events, replay from the start.
      try {
        var slim = Object.assign({}, state, { events: [], lastSeq: 0 });
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify(slim));
      } catch (ignored) { /* nothing more to do; the conversation still lives on the server */ }
    }
  }

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12) + Math.random().toString(36).slice(2, 8);
  }

  // --- DOM helpers --------------------------------------------------------------------------------

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

  var SVG = "http://www.w3.org/2000/svg";
  var ICONS = {
    chat: "M4 5h16v11H10l-5 4v-4H4z",
    close: "M6 6l12 12M18 6 6 18",
    clip: "m20 12-8 8a5 5 0 0 1-7-7l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7L10 17.4a1.7 1.7 0 0 1-2.4-2.4L15 7.6",
    send: "M4 12 20 4l-6 16-2.5-6.5z",
    download: "M12 4v11m0 0-4-4m4 4 4-4M5 20h14",
    bolt: "M13 3 5 14h6l-1 7 8-11h-6z",
    shield: "M12 3 5 6v6c0 4 3 7.5 7 9 4-1.5 7-5 7-9V6z",
    mail: "M4 6h16v12H4zm0 0 8 7 8-7"
  };
  function icon(name) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "fl-icon");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  // Text with http(s) links made clickable; everything else stays text.
  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  function safeHref(raw) {
    try {
      var url = new URL(raw, ORIGIN);
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
      if (href) {
        fragment.appendChild(el("a", { href: href, target: "_blank", rel: "noopener noreferrer nofollow", text: raw }));
      } else {
        fragment.appendChild(document.createTextNode(raw));
      }
      last = match.index + raw.length;
      URL_PATTERN.lastIndex = last;
    }
    if (last < text.length) fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function timeOf(iso) {
    var date = iso ? new Date(iso) : new Date();
    if (isNaN(date.getTime())) return "";
    return date.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  }

  // --- the widget's elements ----------------------------------------------------------------------

  var config = null;
  var ui = {};
  var pendingFiles = [];
  var presentAgents = [];

  function buildHost() {
    var host = el("div", { "data-firstline-widget": "", "class": "firstline-widget-host" });
    host.style.position = "fixed";
    host.style.zIndex = "2147483000";
    host.style.right = "0";
    host.style.bottom = "0";
    host.style.display = "none"; // until the stylesheet is in: no flash of unstyled widget
    var color = script.getAttribute("data-color");
    if (color && /^#[0-9a-f]{3,8}$/i.test(color)) host.style.setProperty("--fl-accent", color);
    var root = host.attachShadow({ mode: "open" });
    var sheet = el("link", { rel: "stylesheet", href: CSS_URL });
    var reveal = function () { host.style.display = ""; };
    sheet.addEventListener("load", reveal);
    sheet.addEventListener("error", reveal);
    window.setTimeout(reveal, 3000);
    root.appendChild(sheet);
    document.body.appendChild(host);
    return root;
  }

  function buildUi(root) {
    ui.badge = el("span", { "class": "fl-badge", hidden: true, "aria-hidden": "true" });
    ui.launcher = el("button", { type: "button", "class": "fl-launcher", "aria-expanded": "false" },
      [icon("chat"), el("span", { "class": "fl-launcher-text", text: t("launcher") }), ui.badge]);
    ui.subtitle = el("span", { "class": "fl-subtitle", text: t("idle") });
    ui.closeButton = el("button", { type: "button", "class": "fl-close", "aria-label": t("close"), title: t("close") }, [icon("close")]);
    var header = el("header", { "class": "fl-head" }, [
      el("span", { "class": "fl-head-mark", "aria-hidden": "true" }, [icon("chat")]),
      el("div", { "class": "fl-head-text" }, [el("strong", { "class": "fl-title", text: t("title") }), ui.subtitle]),
      ui.closeButton
    ]);
    ui.connection = el("div", { "class": "fl-connection", role: "status", hidden: true, text: t("reconnecting") });
    ui.prechat = buildPrechat();
    ui.messages = el("ol", { "class": "fl-messages", "aria-live": "polite", "aria-label": t("title") });
    ui.typing = el("div", { "class": "fl-typing", hidden: true, "aria-live": "polite" });
    ui.body = el("div", { "class": "fl-body" }, [ui.prechat, ui.messages, ui.typing]);
    ui.notice = el("div", { "class": "fl-notice", role: "alert", hidden: true });
    ui.statusLine = el("div", { "class": "fl-status-line", role: "status", hidden: true });
    ui.queueLine = el("div", { "class": "fl-queue-line", role: "status", "aria-live": "polite", hidden: true });
    ui.composer = buildComposer();
    ui.closedBox = el("div", { "class": "fl-closed", hidden: true }, [
      el("p", { text: t("closed") }),
      el("button", { type: "button", "class": "fl-primary fl-new-chat", text: t("new_chat") })
    ]);
    ui.transcript = el("a", { href: "#", "class": "fl-transcript", hidden: true }, [icon("download"), t("transcript")]);
    ui.emailTranscript = el("a", { href: "#", "class": "fl-transcript fl-email-transcript", hidden: true }, [icon("mail"), t("email_transcript")]);
    ui.emailForm = buildEmailForm();
    ui.emailStatus = el("div", { "class": "fl-email-status", role: "status", hidden: true });
    var footer = el("footer", { "class": "fl-foot" }, [
      el("span", { "class": "fl-safety" }, [icon("shield"), t("safety")]),
      el("span", { "class": "fl-foot-links" }, [ui.transcript, ui.emailTranscript])
    ]);
    ui.window = el("section", { "class": "fl-window", role: "dialog", "aria-label": t("title"), hidden: true, lang: lang },
      [header, ui.connection, ui.queueLine, ui.body, ui.statusLine, ui.notice, ui.composer, ui.closedBox, ui.emailForm, ui.emailStatus, footer]);
    ui.root = el("div", { "class": "fl-root", lang: lang }, [ui.window, ui.launcher]);
    root.appendChild(ui.root);

    ui.launcher.addEventListener("click", function () { setOpen(!state.open); });
    ui.closeButton.addEventListener("click", function () { setOpen(false); ui.launcher.focus(); });
    ui.closedBox.querySelector("button").addEventListener("click", startOver);
    ui.transcript.addEventListener("click", function (event) { event.preventDefault(); downloadTranscript(); });
    ui.emailTranscript.addEventListener("click", function (event) { event.preventDefault(); emailTranscript(null); });
    ui.window.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { setOpen(false); ui.launcher.focus(); }
    });
  }

  function field(id, text, control, note) {
    control.id = id;
    return el("div", { "class": "fl-field" }, [
      el("label", { "for": id }, [text, note ? el("span", { "class": "fl-optional", text: " (" + note + ")" }) : null]), control
    ]);
  }

  function buildPrechat() {
    var identified = !!identity;
    var topic = el("select", { name: "topic", required: true });
    (config.topics || ["other"]).forEach(function (value) {
      topic.appendChild(el("option", { value: value, text: topicName(value) }));
    });
    var fields = [el("p", { "class": "fl-intro", text: identified ? t("intro_identified") : t("intro") })];
    if (!identified) {
      fields.push(field("fl-name", t("name"), el("input", { name: "name", autocomplete: "name", required: true, maxlength: "200" })));
      fields.push(field("fl-email", t("email"), el("input", { name: "email", type: "email", autocomplete: "email", maxlength: "254" }), t("optional")));
    }
    fields.push(field("fl-topic", t("topic"), topic));
    fields.push(el("p", { "class": "fl-form-error", role: "alert", hidden: true }));
    fields.push(el("button", { type: "submit", "class": "fl-primary", text: t("start") }));
    var form = el("form", { "class": "fl-prechat" }, fields);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      startChat(form);
    });
    return form;
  }

  function buildComposer() {
    var types = ((config.attachments || {}).content_types || []).join(",");
    ui.fileInput = el("input", { type: "file", accept: types, "class": "fl-file", tabindex: "-1", "aria-hidden": "true" });
    ui.attachButton = el("button", { type: "button", "class": "fl-attach", "aria-label": t("attach"), title: t("attach") }, [icon("clip")]);
    ui.input = el("textarea", { rows: "1", placeholder: t("placeholder"), "aria-label": t("placeholder"),
                                maxlength: String((config.limits || {}).max_body_chars || 20000) });
    ui.sendButton = el("button", { type: "submit", "class": "fl-send", "aria-label": t("send"), title: t("send") }, [icon("send")]);
    ui.files = el("ul", { "class": "fl-files", hidden: true });
    var form = el("form", { "class": "fl-composer", hidden: true }, [
      ui.files, el("div", { "class": "fl-compose-row" }, [ui.attachButton, ui.input, ui.sendButton]), ui.fileInput
    ]);
    form.addEventListener("submit", function (event) { event.preventDefault(); submitMessage(); });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitMessage();
      }
    });
    ui.input.addEventListener("input", function () { onTyping(); autosize(); });
    ui.attachButton.addEventListener("click", function () { ui.fileInput.click(); });
    ui.fileInput.addEventListener("change", function () {
      var files = Array.prototype.slice.call(ui.fileInput.files || []);
      ui.fileInput.value = "";
      files.forEach(upload);
    });
    return form;
  }

  function autosize() {
    ui.input.style.height = "auto";
    ui.input.style.height = Math.min(ui.input.scrollHeight, 120) + "px";
  }

  // --- opening, unread, notices -------------------------------------------------------------------

  function setOpen(open) {
    state.open = open;
    ui.window.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    ui.root.classList.toggle("fl-is-open", open);
    if (open) {
      state.unread = 0;
      showPanel();
      scrollDown();
      sendRead();
      window.setTimeout(function () {
        var target = state.token ? ui.input : ui.prechat.querySelector("input, select");
        if (target && !target.disabled) target.focus();
      }, 0);
    }
    updateBadge();
    save();
  }

  function updateBadge() {
    var count = state.unread || 0;
    ui.badge.hidden = count === 0;
    ui.badge.textContent = count > 9 ? "9+" : String(count);
    ui.launcher.setAttribute("aria-label", count ? t("launcher") + " (" + t("unread", { n: count }) + ")" : t("launcher"));
  }

  function showPanel() {
    var chatting = !!state.token;
    ui.prechat.hidden = chatting;
    ui.messages.hidden = !chatting;
    ui.transcript.hidden = !chatting;
    ui.emailTranscript.hidden = !chatting;
    if (!chatting) { ui.emailForm.hidden = true; ui.emailStatus.hidden = true; }
    var closed = chatting && state.status === "closed";
    ui.composer.hidden = !chatting || closed;
    ui.closedBox.hidden = !closed;
    updateStatusLine();
  }

  function showNotice(text) {
    ui.notice.textContent = text || "";
    ui.notice.hidden = !text;
    window.clearTimeout(showNotice.timer);
    if (text) showNotice.timer = window.setTimeout(function () { ui.notice.hidden = true; }, 12000);
  }

  function updateStatusLine() {
    var text = state.status === "resolved" ? t("resolved") : state.status === "pending" ? t("pending") : "";
    ui.statusLine.textContent = text;
    ui.statusLine.hidden = !text || !state.token;
  }

  function updateSubtitle() {
    ui.subtitle.textContent = presentAgents.length ? t("helping", { name: presentAgents[presentAgents.length - 1].name }) : t("idle");
  }

  function scrollDown() {
    ui.body.scrollTop = ui.body.scrollHeight;
  }

  // --- rendering messages -------------------------------------------------------------------------

  function compact(frame) {
    var event = { seq: frame.seq, kind: frame.kind, created_at: frame.created_at };
    if (frame.message) {
      var m = frame.message;
      event.message = { author_kind: m.author_kind, author_name: m.author_name, body: m.body, is_automatic: !!m.is_automatic,
                        created_at: m.created_at, client_msg_id: m.client_msg_id || null, attachments: m.attachments || [] };
    }
    if (frame.agent) event.agent = { name: frame.agent.name };
    return event;
  }

  function attachmentList(attachments) {
    if (!attachments || !attachments.length) return null;
    return el("div", { "class": "fl-attachments" }, attachments.map(function (item) {
      var href = safeHref(item.url || "");
      if (!href) return null;
      if (/^image\//.test(item.content_type)) {
        return el("a", { href: href, target: "_blank", rel: "noopener noreferrer", "class": "fl-image" },
          [el("img", { src: href, alt: item.filename, loading: "lazy" })]);
      }
      return el("a", { href: href, target: "_blank", rel: "noopener noreferrer", "class": "fl-file-link" },
        [icon("clip"), item.filename]);
    }));
  }

  function messageNode(message, options) {
    var mine = message.author_kind === "customer";
    var automatic = message.is_automatic || message.author_kind === "system";
    var who = el("div", { "class": "fl-who" });
    if (automatic) {
      who.appendChild(el("span", { "class": "fl-auto" }, [icon("bolt"), t("automatic")]));
    } else {
      who.appendChild(el("span", { "class": "fl-author", text: mine ? t("you") : (message.author_name || t("agent")) }));
    }
    var meta = el("div", { "class": "fl-meta" }, [el("time", { text: timeOf(message.created_at) })]);
    if (mine) meta.appendChild(el("span", { "class": "fl-state", text: t(options.state || "sent") }));
    var classes = "fl-msg " + (mine ? "fl-mine" : automatic ? "fl-automatic" : "fl-theirs");
    var node = el("li", { "class": classes }, [who, el("div", { "class": "fl-text" }, [richText(message.body || "")]),
      attachmentList(message.attachments), meta]);
    if (message.client_msg_id) node.setAttribute("data-client-id", message.client_msg_id);
    return node;
  }

  function eventNode(event) {
    if (event.kind === "message" && event.message) {
      var node = messageNode(event.message, { state: event.seq <= state.readSeq ? "seen" : "sent" });
      node.setAttribute("data-seq", String(event.seq));
      return node;
    }
    if (event.kind === "agent_joined" || event.kind === "agent_left") {
      var name = (event.agent && event.agent.name) || t("agent");
      return el("li", { "class": "fl-event", "data-seq": String(event.seq),
                        text: t(event.kind === "agent_joined" ? "joined" : "left", { name: name }) });
    }
    return null;
  }

  function firstPending() {
    return ui.messages.querySelector(".fl-pending");
  }

  function appendEvent(event) {
    var node = eventNode(event);
    if (node) ui.messages.insertBefore(node, firstPending());
  }

  function pendingNode(item) {
    var node = messageNode({ author_kind: "customer", body: item.body, created_at: item.created_at,
                             client_msg_id: item.client_msg_id, attachments: item.attachments },
                           { state: "sending" });
    node.classList.add("fl-pending");
    return node;
  }

  function findPending(clientId) {
    var nodes = ui.messages.querySelectorAll(".fl-pending");
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].getAttribute("data-client-id") === clientId) return nodes[i];
    }
    return null;
  }

  function setNodeState(node, key, detail) {
    var label = node && node.querySelector(".fl-state");
    if (!label) return;
    label.textContent = detail ? t(key) + " — " + detail : t(key);
    node.classList.toggle("fl-failed", key === "failed");
  }

  function renderAll() {
    ui.messages.textContent = "";
    state.events.forEach(appendEvent);
    state.outbox.forEach(function (item) { ui.messages.appendChild(pendingNode(item)); });
    markSeen();
  }

  function markSeen() {
    ui.messages.querySelectorAll(".fl-mine[data-seq]").forEach(function (node) {
      if (Number(node.getAttribute("data-seq")) <= state.readSeq) setNodeState(node, "seen");
    });
  }

  // --- the connection -----------------------------------------------------------------------------

  var socket = null;
  var connected = false;
  var attempts = 0;
  var reconnectTimer = null;
  var lastFrameAt = 0;

  function connect() {
    window.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (socket || !state.token) return;
    var url = ORIGIN.replace(/^http/, "ws") + (config.ws_path || "/api/v1/chat/ws/customer");
    var ws;
    try {
      ws = new WebSocket(url);
    } catch (error) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.addEventListener("open", function () {
      if (socket !== ws) return;
      lastFrameAt = Date.now();
      ws.send(JSON.stringify({ type: "hello", visitor_token: state.token, last_seq: state.lastSeq }));
    });
    ws.addEventListener("message", function (message) {
      if (socket !== ws) return;
      lastFrameAt = Date.now();
      var frame;
      try {
        frame = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      onFrame(frame);
    });
    ws.addEventListener("close", function (event) {
      if (socket !== ws) return;
      socket = null;
      connected = false;
      onClosed(event.code);
    });
  }

  // Close the socket and come back: used when the network goes, or when a gap shows we missed something.
  function reconnect() {
    var ws = socket;
    socket = null;
    connected = false;
    if (ws) {
      try { ws.close(); } catch (error) { /* already closing */ }
    }
    ui.connection.hidden = false;
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (reconnectTimer || !state.token) return;
    var delay = Math.min(15000, 500 * Math.pow(2, attempts)) * (0.7 + Math.random() * 0.6);
    attempts += 1;
    reconnectTimer = window.setTimeout(function () { reconnectTimer = null; connect(); }, delay);
  }

  function onClosed(code) {
    if (code === 4401) {
      // The token is no longer valid: forget this chat and offer a new one, keeping what was being typed.
      var unsent = state.outbox.map(function (item) { return item.body; }).join("\n");
      state = Object.assign(emptyState(), { open: state.open });
      save();
      renderAll();
      showPanel();
      if (unsent && !ui.input.value) ui.input.value = unsent;
      return;
    }
    if (code === 4403) {
      ui.connection.hidden = true;
      showNotice(t("unavailable"));
      return;
    }
    ui.connection.hidden = false;
    scheduleReconnect();
  }

  function sendFrame(frame) {
    if (!socket || !connected || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  // Typing and read frames: the server drops those beyond 5 a second without a word, so stay under
  // that here; a newer frame of the same kind replaces one still waiting.
  var ephemeralSentAt = [];
  var ephemeralWaiting = {};
  var ephemeralTimer = null;
  function sendEphemeral(frame) {
    delete ephemeralWaiting[frame.type];
    ephemeralWaiting[frame.type] = frame;
    flushEphemeral();
  }
  function flushEphemeral() {
    var now = Date.now();
    ephemeralSentAt = ephemeralSentAt.filter(function (at) { return now - at < 1200; });
    Object.keys(ephemeralWaiting).forEach(function (kind) {
      if (ephemeralSentAt.length >= 4) return;
      if (sendFrame(ephemeralWaiting[kind])) ephemeralSentAt.push(now);
      delete ephemeralWaiting[kind];
    });
    if (Object.keys(ephemeralWaiting).length && !ephemeralTimer) {
      ephemeralTimer = window.setTimeout(function () {
        ephemeralTimer = null;
        flushEphemeral();
      }, 1200 - (now - ephemeralSentAt[0]) + 10);
    }
  }

  window.setInterval(function () {
    if (!state.token) return;
    var now = Date.now();
    if (connected && now - lastFrameAt > 45000) {
      reconnect(); // silent for too long: the connection is dead even if the browser has not noticed
      return;
    }
    if (connected && now - lastFrameAt > 20000) sendFrame({ type: "ping" });
    state.outbox.forEach(function (item) {
      if (connected && !item.failed && item.sentAt && now - item.sentAt > ACK_TIMEOUT_MS) sendItem(item);
    });
  }, 5000);

  window.addEventListener("online", function () {
    attempts = 0;
    if (!socket) connect();
  });
  window.addEventListener("offline", function () {
    if (socket) reconnect();
  });

  // --- frames from the server ---------------------------------------------------------------------

  function onFrame(frame) {
    switch (frame.type) {
      case "ready": return onReady(frame);
      case "event": return onEvent(frame);
      case "ack": return onAck(frame);
      case "error": return onError(frame);
      case "conversation.status": return setStatus(frame.status);
      case "queue": return showPlaceInLine(frame);
      case "typing": return onTypingFrame(frame);
      case "read":
        if (frame.by === "agent" && frame.seq > state.readSeq) {
          state.readSeq = frame.seq;
          markSeen();
          save();
        }
        return undefined;
      default: return undefined;
    }
  }

  function onReady(frame) {
    connected = true;
    attempts = 0;
    ui.connection.hidden = true;
    state.reference = (frame.conversation && frame.conversation.reference) || state.reference;
    presentAgents = frame.agents || [];
    updateSubtitle();
    setStatus((frame.conversation && frame.conversation.status) || state.status);
    showPlaceInLine(frame.queue);
    // Everything not yet acknowledged goes again, in order; the server stores each id only once.
    state.outbox.forEach(function (item) {
      if (!item.failed) sendItem(item);
    });
    readSentSeq = 0; // a new connection: say again what was seen once the missed events are in
    window.setTimeout(sendRead, 300);
  }

  function onEvent(frame) {
    if (frame.seq <= state.lastSeq) return; // already shown (a replay after a reconnect)
    if (typeof frame.prev_seq === "number" && frame.prev_seq > state.lastSeq) {
      reconnect(); // a gap: resume from what we hold
      return;
    }
    var event = compact(frame);
    state.lastSeq = frame.seq;
    state.events.push(event);
    if (state.events.length > MAX_CACHED_EVENTS) state.events.splice(0, state.events.length - MAX_CACHED_EVENTS);
    var message = event.message;
    if (message && message.author_kind === "customer" && message.client_msg_id) {
      removeFromOutbox(message.client_msg_id);
      var pending = findPending(message.client_msg_id);
      if (pending) pending.remove();
    }
    appendEvent(event);
    if (frame.kind === "agent_joined") {
      showPlaceInLine(null);
      presentAgents = presentAgents.filter(function (a) { return a.name !== frame.agent.name; }).concat([frame.agent]);
      updateSubtitle();
    } else if (frame.kind === "agent_left") {
      presentAgents = presentAgents.filter(function (a) { return a.name !== frame.agent.name; });
      updateSubtitle();
    }
    if (message && message.author_kind !== "customer") {
      hideTyping();
      if (!state.open || document.visibilityState === "hidden") state.unread = (state.unread || 0) + 1;
      updateBadge();
      sendRead();
    }
    save();
    scrollDown();
  }

  function onAck(frame) {
    var item = removeFromOutbox(frame.client_msg_id);
    var node = findPending(frame.client_msg_id);
    if (node) {
      node.setAttribute("data-seq", String(frame.seq));
      setNodeState(node, "sent");
    }
    if (item) save();
  }

  function onError(frame) {
    var item = frame.client_msg_id ? findOutbox(frame.client_msg_id) : null;
    if (!item) {
      if (!frame.fatal) showNotice(frame.message);
      return;
    }
    if (frame.code === "rate_limited" || frame.code === "unavailable") {
      item.sentAt = 0;
      if (frame.code === "rate_limited") showNotice(t("rate_limited"));
      window.setTimeout(function () { sendItem(item); }, Math.max(frame.retry_after_ms || 0, 1500));
      return;
    }
    removeFromOutbox(item.client_msg_id);
    save();
    var node = findPending(item.client_msg_id);
    setNodeState(node, "failed", frame.code === "chat_closed" ? t("closed") : frame.message);
    if (!ui.input.value) ui.input.value = item.body;
    if (frame.code === "chat_closed") setStatus("closed");
  }

  // While the chat waits for an agent: its place in line and the expected wait, in the customer's
  // language as the server words it; gone once an agent has it.
  function showPlaceInLine(queue) {
    var waiting = !!queue && (queue.state === "waiting" || queue.state === "offered") && !!queue.text;
    ui.queueLine.textContent = waiting ? queue.text : "";
    ui.queueLine.hidden = !waiting;
  }

  function setStatus(status) {
    if (!status) return;
    state.status = status;
    showPanel();
    save();
  }

  // --- sending ------------------------------------------------------------------------------------

  function findOutbox(clientId) {
    for (var i = 0; i < state.outbox.length; i++) if (state.outbox[i].client_msg_id === clientId) return state.outbox[i];
    return null;
  }

  function removeFromOutbox(clientId) {
    var item = findOutbox(clientId);
    if (item) state.outbox.splice(state.outbox.indexOf(item), 1);
    return item;
  }

  function sendItem(item) {
    if (!findOutbox(item.client_msg_id)) return;
    var frame = { type: "send", client_msg_id: item.client_msg_id, body: item.body };
    if (item.attachments && item.attachments.length) {
      frame.attachment_ids = item.attachments.map(function (a) { return a.id; });
    }
    if (sendFrame(frame)) item.sentAt = Date.now();
  }

  function submitMessage() {
    var body = ui.input.value.trim();
    var ready = pendingFiles.filter(function (f) { return f.id; });
    if (pendingFiles.some(function (f) { return !f.id; })) return; // wait for the uploads
    if (!body && !ready.length) return;
    if (!body) body = ready.map(function (f) { return f.filename; }).join(", ");
    var max = (config.limits || {}).max_body_chars || 20000;
    if (body.length > max) {
      showNotice(t("too_long", { max: max }));
      return;
    }
    var item = { client_msg_id: newId(), body: body, created_at: new Date().toISOString(),
                 attachments: ready.map(function (f) { return { id: f.id, filename: f.filename, content_type: f.content_type, url: f.url }; }) };
    state.outbox.push(item);
    save();
    ui.messages.appendChild(pendingNode(item));
    ui.input.value = "";
    autosize();
    pendingFiles = [];
    renderFiles();
    stopTyping();
    scrollDown();
    sendItem(item);
  }

  var typingSentAt = 0;
  var typingTimer = null;
  function onTyping() {
    if (!connected) return;
    var now = Date.now();
    if (now - typingSentAt > TYPING_EVERY_MS) {
      typingSentAt = now;
      sendEphemeral({ type: "typing", active: true });
    }
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  }
  function stopTyping() {
    window.clearTimeout(typingTimer);
    if (typingSentAt) {
      typingSentAt = 0;
      sendEphemeral({ type: "typing", active: false });
    }
  }

  var agentTypingTimer = null;
  function onTypingFrame(frame) {
    if (frame.by !== "agent") return;
    window.clearTimeout(agentTypingTimer);
    if (!frame.active) return hideTyping();
    ui.typing.textContent = t("typing", { name: frame.name || t("agent") });
    ui.typing.hidden = false;
    agentTypingTimer = window.setTimeout(hideTyping, 6000);
    return undefined;
  }
  function hideTyping() {
    ui.typing.hidden = true;
  }

  // Tell the agent what the visitor has seen, while the window shows.
  var readSentSeq = 0;
  function sendRead() {
    if (!state.open || document.visibilityState === "hidden" || state.lastSeq <= readSentSeq || !connected) return;
    readSentSeq = state.lastSeq;
    sendEphemeral({ type: "read", seq: state.lastSeq });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && state.open) {
      state.unread = 0;
      updateBadge();
      sendRead();
    }
  });

  // --- attachments and the transcript -------------------------------------------------------------

  function renderFiles() {
    ui.files.textContent = "";
    ui.files.hidden = pendingFiles.length === 0;
    pendingFiles.forEach(function (file) {
      var remove = el("button", { type: "button", "class": "fl-file-remove", "aria-label": t("remove") + " " + file.filename, text: "×" });
      remove.addEventListener("click", function () {
        pendingFiles.splice(pendingFiles.indexOf(file), 1);
        renderFiles();
      });
      ui.files.appendChild(el("li", { "class": file.id ? "fl-file-ready" : "fl-file-busy" }, [
        icon("clip"), el("span", { "class": "fl-file-name", text: file.filename }),
        file.id ? null : el("span", { "class": "fl-file-note", text: t("uploading") }), file.id ? remove : null
      ]));
    });
  }

  function upload(file) {
    var limits = config.attachments || {};
    var maxBytes = limits.max_bytes || 10485760;
    if (file.size > maxBytes) {
      showNotice(t("too_large", { max: Math.floor(maxBytes / 1048576) }));
      return;
    }
    var entry = { id: null, filename: file.name };
    pendingFiles.push(entry);
    renderFiles();
    var form = new FormData();
    form.append("file", file, file.name);
    fetch(ORIGIN + "/api/v1/chat/attachments", { method: "POST", headers: { "X-Visitor-Token": state.token }, body: form })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (result) {
        if (result.status === 201) {
          Object.assign(entry, result.data);
          showNotice("");
        } else {
          pendingFiles.splice(pendingFiles.indexOf(entry), 1);
          var code = result.data && result.data.error && result.data.error.code;
          showNotice(code === "too_large" ? t("too_large", { max: Math.floor(maxBytes / 1048576) })
            : code === "unsupported_type" ? t("unsupported") : t("upload_failed"));
        }
        renderFiles();
      })
      .catch(function () {
        pendingFiles.splice(pendingFiles.indexOf(entry), 1);
        renderFiles();
        showNotice(t("upload_failed"));
      });
  }

  function downloadTranscript() {
    if (!state.token) return;
    fetch(ORIGIN + "/api/v1/chat/transcript", { headers: { "X-Visitor-Token": state.token } })
      .then(function (response) {
        if (!response.ok) throw new Error("transcript " + response.status);
        return response.blob();
      })
      .then(function (blob) {
        var link = el("a", { href: URL.createObjectURL(blob), download: (state.reference || "chat") + ".txt" });
        ui.root.appendChild(link);
        link.click();
        link.remove();
        window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
      })
      .catch(function () { showNotice(t("upload_failed")); });
  }

  // --- the transcript by email --------------------------------------------------------------------
  // The server sends it to the address on file (the pre-chat form's, or the logged-in customer's) and
  // answers email_required when there is none: only then is the visitor asked. A request keeps its id
  // until it gets an answer, so clicking again after a network failure cannot queue a second mail.

  var EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
  var transcriptRequest = null;

  function buildEmailForm() {
    ui.emailInput = el("input", { type: "email", name: "transcript_email", autocomplete: "email", maxlength: "254", required: true });
    ui.emailError = el("p", { "class": "fl-form-error", role: "alert", hidden: true });
    var cancel = el("button", { type: "button", "class": "fl-secondary", text: t("email_cancel") });
    var form = el("form", { "class": "fl-email-form", hidden: true, novalidate: true }, [
      field("fl-transcript-email", t("email_prompt"), ui.emailInput),
      ui.emailError,
      el("div", { "class": "fl-email-actions" }, [cancel, el("button", { type: "submit", "class": "fl-primary", text: t("email_send") })])
    ]);
    cancel.addEventListener("click", function () { form.hidden = true; transcriptRequest = null; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var address = ui.emailInput.value.trim();
      if (!EMAIL_PATTERN.test(address) || !ui.emailInput.checkValidity()) {
        showEmailError(t("email_invalid"));
        return;
      }
      emailTranscript(address);
    });
    return form;
  }

  function showEmailError(text) {
    ui.emailError.textContent = text;
    ui.emailError.hidden = false;
    ui.emailInput.setAttribute("aria-invalid", "true");
    ui.emailInput.focus();
  }

  function showEmailStatus(text, ok) {
    ui.emailStatus.textContent = text;
    ui.emailStatus.className = "fl-email-status " + (ok ? "fl-ok" : "fl-error");
    ui.emailStatus.hidden = false;
  }

  function emailTranscript(address) {
    if (!state.token) return;
    if (!transcriptRequest || transcriptRequest.email !== address) transcriptRequest = { id: newId(), email: address };
    var body = { request_id: transcriptRequest.id };
    if (address) body.email = address;
    ui.emailStatus.hidden = true;
    fetch(ORIGIN + "/api/v1/chat/transcript/email", {
      method: "POST", headers: { "Content-Type": "application/json", "X-Visitor-Token": state.token }, body: JSON.stringify(body)
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (result) {
        transcriptRequest = null;
        var problem = (result.data && result.data.error) || {};
        if (result.status === 202) {
          ui.emailForm.hidden = true;
          showEmailStatus(t("email_queued", { address: result.data.recipient }), true);
        } else if (problem.code === "email_required") {
          ui.emailForm.hidden = false;
          ui.emailError.hidden = true;
          ui.emailInput.focus();
        } else if (result.status === 422 && problem.field === "email") {
          showEmailError(t("email_invalid"));
        } else {
          ui.emailForm.hidden = true;
          showEmailStatus(problem.code === "rate_limited" ? t("email_limited")
            : problem.code === "empty_transcript" ? t("email_empty") : t("email_failed"), false);
        }
      })
      .catch(function () { showEmailStatus(t("email_failed"), false); });
  }

  // --- starting a chat ----------------------------------------------------------------------------

  function startChat(form) {
    var error = form.querySelector(".fl-form-error");
    var button = form.querySelector("button[type=submit]");
    error.hidden = true;
    var body = { site_key: SITE, language: lang, topic: form.elements.topic.value };
    if (form.elements.name) body.name = form.elements.name.value.trim();
    if (form.elements.email && form.elements.email.value.trim()) body.email = form.elements.email.value.trim();
    if (identity) body.identity = identity;
    button.disabled = true;
    fetch(ORIGIN + "/api/v1/chat/sessions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (result) {
        button.disabled = false;
        if (result.status !== 201) {
          var problem = (result.data && result.data.error) || {};
          error.textContent = problem.code === "identity_invalid" ? t("identity_invalid")
            : problem.code === "anonymous_disabled" ? t("login_required")
            : problem.code === "origin_not_allowed" ? t("unavailable")
            : problem.message || t("start_failed");
          error.hidden = false;
          return;
        }
        state = Object.assign(emptyState(), { token: result.data.visitor_token, reference: result.data.reference,
                                              status: result.data.status || "open", open: true });
        save();
        renderAll();
        showPanel();
        connect();
        ui.input.focus();
      })
      .catch(function () {
        button.disabled = false;
        error.textContent = t("start_failed");
        error.hidden = false;
      });
  }

  function closeSocket() {
    window.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (socket) {
      var ws = socket;
      socket = null;
      connected = false;
      ws.close();
    }
  }

  function startOver() {
    closeSocket();
    state = Object.assign(emptyState(), { open: true });
    presentAgents = [];
    updateSubtitle();
    save();
    renderAll();
    showPanel();
  }

  // --- start --------------------------------------------------------------------------------------

  function loadConfig(attempt) {
    fetch(ORIGIN + "/api/v1/chat/config?site_key=" + encodeURIComponent(SITE))
      .then(function (response) {
        if (response.status === 404 || response.status === 403) {
          console.warn("Firstline widget: chat is not enabled for this site key on this page.");
          return null;
        }
        if (!response.ok) throw new Error("config " + response.status);
        return response.json();
      })
      .then(function (data) { if (data) init(data); })
      .catch(function () {
        if (attempt < 5) window.setTimeout(function () { loadConfig(attempt + 1); }, 2000 * (attempt + 1));
      });
  }

  function init(data) {
    config = data;
    lang = pickLanguage(config.default_language);
    buildUi(buildHost());
    renderAll();
    showPanel();
    updateBadge();
    if (state.open) setOpen(true);
    if (state.token) connect();
    // The storage event: another tab of this visitor started or ended the chat.
    window.addEventListener("storage", function (event) {
      if (event.key !== STORAGE_KEY) return;
      var other = loadState();
      if (other.token !== state.token) {
        closeSocket(); // follow the other tab, without writing back (that would bounce between tabs)
        state = other;
        presentAgents = [];
        updateSubtitle();
        renderAll();
        showPanel();
        connect();
      }
    });
  }

  window.FirstlineWidget = {
    open: function () { if (config) setOpen(true); },
    close: function () { if (config) setOpen(false); }
  };
  loadConfig(0);
})();
