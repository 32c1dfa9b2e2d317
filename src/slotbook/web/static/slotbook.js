// Small enhancements only: the page works without this file.
(function () {
  "use strict";
  // Count the hold down; a screen reader hears the time it ends, not every second.
  var held = document.querySelector(".held[data-seconds]");
  if (held) {
    var end = Date.now() + 1000 * parseInt(held.getAttribute("data-seconds"), 10);
    var shown = held.querySelector(".countdown");
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      shown.hidden = false;
      shown.textContent = "(" + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") + ")";
      if (left > 0) { window.setTimeout(tick, 1000); }
    };
    tick();
  }
  // Leaving the page gives the held time back (submitting a form of the flow does not).
  var flowForm = document.querySelector("form[data-hold]");
  var release = document.querySelector("form.release");
  if (flowForm && release && navigator.sendBeacon) {
    var staying = false;
    document.querySelectorAll("form").forEach(function (f) {
      f.addEventListener("submit", function () { staying = true; });
    });
    window.addEventListener("pagehide", function (event) {
      if (!staying && !event.persisted) {
        navigator.sendBeacon(release.action, new FormData(release));
      }
    });
  }
  // After a failed submission, take keyboard and screen-reader users to the list of problems.
  var problems = document.getElementById("problems");
  if (problems) { problems.focus(); }
})();
