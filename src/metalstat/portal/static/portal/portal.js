// Enhancements only: every page reads in full without JavaScript.
// The countdown to the next release time, in the reader's language.
(function () {
  "use strict";
  function tick(el) {
    var target = Date.parse(el.dataset.countdown);
    var left = Math.floor((target - Date.now()) / 1000);
    if (isNaN(target)) { return; }
    if (left <= 0) { el.textContent = el.dataset.done; return false; }
    var d = Math.floor(left / 86400), h = Math.floor((left % 86400) / 3600);
    var m = Math.floor((left % 3600) / 60), s = left % 60;
    var parts = [];
    if (d) { parts.push(d + " " + el.dataset.days); }
    parts.push(h + " " + el.dataset.hours, m + " " + el.dataset.minutes, s + " " + el.dataset.seconds);
    el.textContent = parts.join(" ");
    return true;
  }
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    if (tick(el)) {
      var timer = setInterval(function () { if (!tick(el)) { clearInterval(timer); } }, 1000);
    }
  });
})();
// A form that undoes nothing (deleting a webhook) asks first; without JavaScript it just posts.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
