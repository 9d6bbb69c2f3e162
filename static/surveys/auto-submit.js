/* A select marked data-auto-submit sends its form when changed (no inline handlers: CSP). */
document.querySelectorAll("select[data-auto-submit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
