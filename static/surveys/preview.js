/* Live preview of the SurveyJS JSON being edited (nothing is saved until the form is). */
(function () {
  var area = document.querySelector("#questionnaire-form textarea");
  var target = document.getElementById("preview");
  var error = document.getElementById("preview-error");
  var timer = null;
  function render() {
    var schema;
    try { schema = JSON.parse(area.value || "{}"); } catch (e) { error.textContent = "JSON 格式有误：" + e.message; return; }
    error.textContent = "";
    target.innerHTML = "";
    var survey = new Survey.Model(schema);
    survey.locale = "zh-cn";
    survey.showCompleteButton = false;
    SurveyUI.renderSurvey(survey, target);
  }
  area.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(render, 400); });
  render();
})();
