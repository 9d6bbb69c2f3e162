/* The respondent page: SurveyJS renders the form; the server decides what is accepted.
   Submit is sent before SurveyJS shows its completed page, so a refusal keeps the form
   open with the server's messages next to the questions. */
(function () {
  var config = JSON.parse(document.getElementById("survey-config").textContent);
  var schema = JSON.parse(document.getElementById("survey-schema").textContent);
  var answers = JSON.parse(document.getElementById("survey-answers").textContent);
  var box = document.getElementById("survey-message");
  var csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;

  Survey.surveyLocalization.defaultLocale = "zh-cn";
  var survey = new Survey.Model(schema);
  survey.locale = "zh-cn";
  survey.data = answers;
  // Resume where the respondent stopped: the saved page, then its first unanswered question.
  if (typeof config.page === "number" && config.page > 0 && config.page < survey.visiblePages.length) {
    survey.currentPageNo = config.page;
  }
  var approved = false;

  function show(kind, text, errors) {
    box.className = "alert alert-" + kind;
    box.textContent = text;
    if (errors) {
      var list = document.createElement("ul");
      list.className = "mb-0 mt-2";
      Object.keys(errors).forEach(function (name) {
        if (name === "_") { return; }
        var li = document.createElement("li");
        li.textContent = errors[name];
        list.appendChild(li);
        var q = survey.getQuestionByName(name);
        if (q) { q.addError(errors[name]); }
      });
      if (list.children.length) { box.appendChild(list); }
    }
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function post(url) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      credentials: "same-origin",
      body: JSON.stringify({ answers: survey.data, page: survey.currentPageNo })
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, message: "服务器返回了无法识别的内容（" + r.status + "）" }; });
    }, function () { return { ok: false, message: "网络连接失败，请稍后重试" }; });
  }

  if (config.saveUrl) {
    survey.addNavigationItem({
      id: "save-draft",
      title: "保存，稍后继续",
      action: function () {
        post(config.saveUrl).then(function (res) {
          show(res.ok ? "success" : "danger", res.message, res.errors);
        });
      }
    });
  }

  survey.onCompleting.add(function (sender, options) {
    if (approved) { return; }
    options.allow = false;
    post(config.submitUrl).then(function (res) {
      if (res.ok) {
        approved = true;
        box.hidden = true;
        // The server's message is text: escaped before SurveyJS renders it as HTML.
        var escaped = String(res.message).replace(/[&<>"']/g, function (c) {
          return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
        });
        survey.completedHtml = "<h4>" + escaped + "</h4>";
        survey.doComplete();
      } else {
        show("danger", res.message, res.errors);
      }
    });
  });

  SurveyUI.renderSurvey(survey, document.getElementById("survey-root"));
  if (typeof config.page === "number") {
    var next = survey.currentPage && survey.currentPage.questions.filter(function (q) {
      return q.isVisible && !q.isReadOnly && q.isEmpty();
    })[0];
    if (next) { setTimeout(function () { next.focus(); }, 0); }
  }
  window.outreachSurvey = survey;
})();
