/* The typical-case form: Bootstrap classes on the widgets Django renders bare. */
document.querySelectorAll("form input[type=text], form textarea, form select, form input[type=file]").forEach(function (el) {
  el.classList.add(el.tagName === "SELECT" ? "form-select" : "form-control");
});
