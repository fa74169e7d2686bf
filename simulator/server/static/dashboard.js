// Reload the page every N seconds (data-refresh on <body>), unless the reader has opened a <details>
// or is typing in a form. No other script runs on the dashboard.
(function () {
  var seconds = parseInt(document.body.getAttribute("data-refresh") || "0", 10);
  if (!seconds) { return; }
  window.setInterval(function () {
    if (document.querySelector("details[open]")) { return; }
    var active = document.activeElement;
    if (active && (active.tagName === "INPUT" || active.tagName === "SELECT")) { return; }
    window.location.reload();
  }, seconds * 1000);
})();
