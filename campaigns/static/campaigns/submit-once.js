// A form marked data-once disables its buttons once submitted, so a double click sends it
// once. The server does not rely on this: each form carries a one-time token.
document.querySelectorAll("form[data-once]").forEach(function (form) {
  form.addEventListener("submit", function () {
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
});
