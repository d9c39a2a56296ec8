// Goldmine admin console: the few behaviours htmx does not cover.
(function () {
  "use strict";

  // A checkbox with data-body-class toggles that class on <body>, and the
  // choice is remembered (the hidden-gold toggle).
  function initToggles(root) {
    root.querySelectorAll("input[data-body-class]").forEach(function (box) {
      var cls = box.getAttribute("data-body-class");
      box.checked = localStorage.getItem("goldmine." + cls) === "1";
      document.body.classList.toggle(cls, box.checked);
      box.addEventListener("change", function () {
        document.body.classList.toggle(cls, box.checked);
        localStorage.setItem("goldmine." + cls, box.checked ? "1" : "0");
      });
    });
  }

  // Countdowns: any element with data-deadline (unix ms) shows the seconds
  // left.
  setInterval(function () {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      // The words come with the element, in the page's language.
      var d = Number(el.getAttribute("data-deadline"));
      if (!d) { el.textContent = el.getAttribute("data-to-move") || "to move"; return; }
      var left = Math.max(0, Math.ceil((d - Date.now()) / 1000));
      el.textContent = (el.getAttribute("data-to-move-s") || "to move · {0} s").replace("{0}", String(left));
    });
  }, 250);

  // Replay autoplay: while a speed is chosen, press "next" at that pace.
  var timer = null;
  var speed = "";
  function schedule() {
    clearTimeout(timer);
    if (!speed) return;
    timer = setTimeout(function () {
      var next = document.querySelector(".replay .next");
      if (next && !next.disabled) next.click();
    }, Number(speed));
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches(".replay .speed")) { speed = e.target.value; schedule(); }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var sel = document.querySelector(".replay .speed");
    if (sel) { sel.value = speed; schedule(); }
  });

  // Failed actions: htmx does not swap an error response, so without this
  // the admin would see nothing. The server answers a failed action with
  // its reason in words, in the page's language (admin/explain.go); it
  // goes in the flash area at the top of the page, as text. The flash
  // area carries this script's own words (data-*), in the page's language.
  function words(name, fallback) {
    var el = document.getElementById("flash");
    return (el && el.getAttribute("data-" + name)) || fallback;
  }
  function flash(msg, login) {
    var el = document.getElementById("flash");
    if (!el) { window.alert(msg); return; }
    el.textContent = msg;
    if (login) {
      var a = document.createElement("a");
      a.href = (document.body.getAttribute("data-admin") || "/admin") + "/login";
      a.textContent = words("log-in-again", "Log in again");
      el.appendChild(a);
    }
    el.hidden = false;
  }
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr;
    var msg = (xhr.responseText || "").trim();
    if (xhr.status === 401) { flash(words("session-ended", "Your session has ended, so nothing was done."), true); return; }
    if (xhr.status === 403 && !msg) msg = words("stale", "Refused: the page is out of date. Reload it and try again.");
    if (!msg || msg.charAt(0) === "<") msg = words("failed", "That failed (HTTP {0}); see the server log.").replace("{0}", String(xhr.status));
    flash(msg, false);
  });
  document.addEventListener("htmx:sendError", function () {
    flash(words("no-answer", "The server did not answer: check the connection, then try again."), false);
  });
  // A new action clears the last failure; the live views' polling does not.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var verb = (e.detail.requestConfig && e.detail.requestConfig.verb) || "get";
    var el = document.getElementById("flash");
    if (el && verb !== "get") { el.hidden = true; el.textContent = ""; }
  });

  document.addEventListener("DOMContentLoaded", function () { initToggles(document); });
})();
