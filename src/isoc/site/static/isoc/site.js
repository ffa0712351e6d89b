// isoc: the only script every page loads. Everything works without it.
(function () {
  "use strict";
  // Buttons marked data-print print the page (the receipt): a handler here, not an
  // inline onclick, which the Content-Security-Policy refuses.
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-print]");
    if (target) { window.print(); }
  });
  // Time zone: with none chosen, learn the browser's and remember it in a cookie; if
  // this page shows times, show it again in the reader's zone (once).
  var body = document.body;
  if (body.dataset.tzChosen === "1" || !window.Intl) { return; }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) { return; }
  document.cookie = "isoc_tz=" + encodeURIComponent(zone) + ";path=/;max-age=31536000;samesite=lax";
  if (zone !== "UTC" && document.querySelector("time[datetime]") && !sessionStorage.getItem("isoc_tz_reloaded")) {
    sessionStorage.setItem("isoc_tz_reloaded", "1");
    location.reload();
  }
})();
