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
      var d = Number(el.getAttribute("data-deadline"));
      if (!d) { el.textContent = "to move"; return; }
      var left = Math.max(0, Math.ceil((d - Date.now()) / 1000));
      el.textContent = "to move · " + left + " s";
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

  document.addEventListener("DOMContentLoaded", function () { initToggles(document); });
})();
