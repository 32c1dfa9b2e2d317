// The day view reloads itself every minute so new, moved and cancelled appointments show;
// never while someone is typing into one of its forms. Without this file: the Refresh link.
(function () {
  "use strict";
  var typed = false;
  document.addEventListener("input", function () { typed = true; });
  var busy = function () {
    var active = document.activeElement;
    return typed || (active && /^(INPUT|SELECT|TEXTAREA|BUTTON|SUMMARY)$/.test(active.tagName) &&
      active.closest("form, details") !== null);
  };
  var refresh = document.getElementById("refresh");
  if (refresh) {
    window.setInterval(function () {
      if (!busy()) { window.location.replace(refresh.href); }
    }, 60000);
  }
  // After a refused action, take keyboard and screen-reader users to what went wrong.
  var problems = document.getElementById("problems");
  if (problems) { problems.focus(); }
})();
