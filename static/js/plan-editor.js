// The plan editor's small helpers (no inline script: the site runs under a strict CSP).
(function () {
  "use strict";

  // A unit or group picked from the directory is appended to the responsible-units phrase.
  document.querySelectorAll("[data-units-picker]").forEach(function (picker) {
    var input = document.querySelector(picker.getAttribute("data-units-picker"));
    if (!input) return;
    picker.addEventListener("change", function () {
      var name = picker.value;
      if (!name) return;
      var text = input.value.trim().replace(/[，、,]$/, "");
      input.value = text ? text + "，" + name : name;
      picker.value = "";
      input.focus();
    });
  });

  // Buttons that change or remove something ask first.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // One reason field for the whole page: small forms carry it along when submitted.
  document.querySelectorAll("form[data-reason-from]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var source = document.querySelector(form.getAttribute("data-reason-from"));
      if (!source || !source.value) return;
      var hidden = form.querySelector("input[name=reason][type=hidden]");
      if (!hidden) {
        hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "reason";
        form.appendChild(hidden);
      }
      hidden.value = source.value;
    });
  });

  var all = document.querySelector("[data-select-all]");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("[data-task-check]").forEach(function (box) { box.checked = all.checked; });
    });
  }

  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
