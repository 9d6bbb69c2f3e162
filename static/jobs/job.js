// Polls a job's status (jobs:status) and updates the progress bar until the job is done.
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root) { return; }
  var url = root.getAttribute("data-status-url");
  function show(state) {
    document.getElementById("job-status").textContent = state.status_label;
    var bar = document.getElementById("job-bar");
    bar.style.width = state.percent + "%";
    bar.textContent = state.percent + "%";
    document.getElementById("job-progress").setAttribute("aria-valuenow", state.percent);
    document.getElementById("job-message").textContent = state.message;
    var error = document.getElementById("job-error");
    error.textContent = state.error;
    error.classList.toggle("d-none", !state.error);
    if (state.download) {
      document.getElementById("job-download").setAttribute("href", state.download);
      document.getElementById("job-result-name").textContent = state.result_name;
      document.getElementById("job-download-row").classList.remove("d-none");
    }
    return state.finished;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (state) { if (!show(state)) { setTimeout(poll, 1000); } })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
