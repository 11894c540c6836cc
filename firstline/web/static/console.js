// Firstline console: small keyboard and scrolling helpers. The console works without them.
// Loaded from a file because the Content-Security-Policy blocks inline scripts.
(function () {
  "use strict";

  // Ctrl+Enter (Cmd+Enter on a Mac) in a text area sends its form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || !field.form) return;
    event.preventDefault();
    if (field.form.reportValidity()) field.form.requestSubmit();
  });

  // One id per composed message, so a double click or a retried send is stored only once.
  function newMessageId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var id = form instanceof HTMLFormElement ? form.querySelector("input[name=client_msg_id]") : null;
    if (id && !id.value) id.value = newMessageId();
  }, true);

  // "Go back" links go back in history when there is somewhere to go.
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-back]") : null;
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // A conversation opens at its latest message, just above the composer.
  function showLatest() {
    if (!document.getElementById("timeline")) return;
    window.scrollTo(0, document.documentElement.scrollHeight);
  }
  document.addEventListener("DOMContentLoaded", showLatest);
  // After a boosted page swap htmx scrolls to the top once its settle handlers have run: go after it.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.boosted) window.setTimeout(showLatest, 0);
  });
})();
