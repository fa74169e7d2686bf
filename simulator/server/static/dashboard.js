// The dashboard's one script (served from the package; the Content-Security-Policy allows no inline script).
//
// Auto-refresh: every N seconds (data-refresh on <body>) the page is fetched again and its <main> swapped
// in place (scroll position kept), unless the reader has paused it (the header's button; remembered in
// localStorage), is editing a form (focus inside a form, or a form changed and not yet sent), has opened
// a <details>, or is selecting text. <body> counts polls in data-refresh-polls, swaps in
// data-refresh-swaps and skipped polls in data-refresh-skipped.
//
// Copy buttons: button.copy[data-copy-target] copies the text of that element; button.copy[data-copy-url]
// fetches that same-origin URL (a curl script) and copies what it answers. The text copied is also kept
// in the button's data-copied attribute, and a status line says it was copied.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-refresh") || "0", 10);
  var PAUSE_KEY = "flipdish-sim.refresh.paused";
  var edited = false;

  function count(name) {
    body.setAttribute(name, String(parseInt(body.getAttribute(name) || "0", 10) + 1));
  }

  function paused() {
    try { return window.localStorage.getItem(PAUSE_KEY) === "1"; } catch (e) { return false; }
  }

  function setPaused(value) {
    try { window.localStorage.setItem(PAUSE_KEY, value ? "1" : "0"); } catch (e) { /* private mode */ }
    showToggle();
  }

  function showToggle() {
    var button = document.getElementById("refresh-toggle");
    if (!button) { return; }
    button.hidden = !seconds;
    var off = paused();
    button.textContent = off ? "Auto-refresh paused ▶" : "Auto-refresh every " + seconds + " s ❚❚";
    button.setAttribute("aria-pressed", off ? "true" : "false");
    button.setAttribute("data-paused", off ? "true" : "false");
  }

  function busy() {
    if (edited || document.querySelector("details[open]")) { return true; }
    var active = document.activeElement;
    if (active && active.closest && active.closest("form, input, select, textarea")) { return true; }
    var selection = window.getSelection && window.getSelection();
    return Boolean(selection && !selection.isCollapsed);
  }

  function refresh() {
    count("data-refresh-polls");
    if (paused() || busy() || document.hidden) { count("data-refresh-skipped"); return; }
    window.fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (text === null || paused() || busy()) { count("data-refresh-skipped"); return; }
        var fresh = new DOMParser().parseFromString(text, "text/html");
        var main = document.querySelector("main");
        var next = fresh.querySelector("main");
        var clock = fresh.querySelector("header .clock");
        if (main && next) { main.replaceWith(document.adoptNode(next)); }
        var shown = document.querySelector("header .clock");
        if (shown && clock) { shown.textContent = clock.textContent; }
        count("data-refresh-swaps");
      })
      .catch(function () { count("data-refresh-skipped"); });
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function writeClipboard(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function say(button, message) {
    var status = button.parentNode && button.parentNode.querySelector(".copied");
    if (status) { status.textContent = message; }
    button.setAttribute("title", message);
  }

  function copy(button) {
    var target = button.getAttribute("data-copy-target");
    var url = button.getAttribute("data-copy-url");
    var text;
    if (target) {
      var element = document.getElementById(target);
      text = Promise.resolve(element ? element.textContent : "");
    } else if (url) {
      text = window.fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      });
    } else {
      return;
    }
    text.then(function (value) {
      button.setAttribute("data-copied", value);
      return writeClipboard(value).then(function () {
        button.classList.add("done");
        say(button, "Copied to the clipboard.");
      });
    }).catch(function (err) { say(button, "Could not copy: " + err.message); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.copy, #refresh-toggle");
    if (!button) { return; }
    if (button.id === "refresh-toggle") { setPaused(!paused()); return; }
    event.preventDefault();
    copy(button);
  });
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("form")) { edited = true; }
  });
  document.addEventListener("submit", function () { edited = false; });

  showToggle();
  if (seconds) { window.setInterval(refresh, seconds * 1000); }
})();
