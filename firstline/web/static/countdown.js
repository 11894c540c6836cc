// SLA countdowns: every <time data-countdown datetime="…"> shows the time left, updated each second.
// The server renders the same text, so the page reads right without this file.
(function () {
  "use strict";

  function format(seconds) {
    var left = Math.abs(seconds), text;
    if (left >= 3600) text = Math.floor(left / 3600) + "h " + String(Math.floor((left % 3600) / 60)).padStart(2, "0") + "m";
    else if (left >= 60) text = Math.floor(left / 60) + "m " + String(left % 60).padStart(2, "0") + "s";
    else text = left + "s";
    return seconds < 0 ? "overdue " + text : text;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (element) {
      var due = Date.parse(element.getAttribute("datetime"));
      if (isNaN(due)) return;
      var seconds = Math.trunc((due - now) / 1000);
      element.textContent = format(seconds);
      element.classList.toggle("overdue", seconds < 0);
      element.classList.toggle("soon", seconds >= 0 && seconds < 60);
    });
  }

  if (!window.firstlineCountdown) {
    window.firstlineCountdown = window.setInterval(tick, 1000);
    document.addEventListener("DOMContentLoaded", tick);
  }
})();
