/* Any <select data-autosubmit> submits its form when changed (no inline handlers: the
   site's Content-Security-Policy allows scripts from static files only). */
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
});
