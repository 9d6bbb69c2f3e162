// The oracle of the differential tests: survey-core under Node, driven the way a respondent
// drives the browser. For each case read from stdin ([{schema, data}, ...]) it walks the
// visible pages with nextPage() and finishes with completeLastPage(), noting every question
// that shows an error on the way (a page that refuses is left by setting currentPageNo, as
// if the respondent had moved on), then prints [{valid, errors: {name: [messages]}, data}].
// `data` is what the survey holds after completing (when valid).
const path = require("path");
const root = path.join(__dirname, "..", "..");
const Survey = require(path.join(root, "node_modules", "survey-core"));
globalThis.Survey = Survey;
require(path.join(root, "node_modules", "survey-core", "i18n", "simplified-chinese"));
require(path.join(root, "static", "surveys", "zh-cn-fixes.js"));
Survey.surveyLocalization.defaultLocale = "zh-cn";
// No DOM under Node: the browser scrolls to the first error here; nothing to scroll.
Survey.SurveyModel.prototype.scrollElementToTop = function () {};

function owner(q) {
  while (q.parentQuestion) { q = q.parentQuestion; }
  return q.name;
}

function shown(survey, into) {
  survey.getAllQuestions(false, false, true).forEach((q) => {
    if (q.errors && q.errors.length) {
      const name = owner(q);
      into[name] = Array.from(new Set((into[name] || []).concat(q.errors.map((e) => e.getText()))));
    }
  });
  survey.getAllPanels().forEach((p) => {
    if (p.errors && p.errors.length) into[p.name] = p.errors.map((e) => e.getText());
  });
}

function complete(schema, data) {
  const survey = new Survey.Model(schema);
  // No DOM here: nothing to scroll to or focus (the verdict does not depend on it).
  survey.autoFocusFirstError = false;
  survey.autoFocusFirstQuestion = false;
  survey.data = data;
  const errors = {};
  let valid = true;
  let kept;
  for (let i = 0; i < survey.visiblePages.length; i += 1) {
    survey.currentPageNo = i;
    const ok = survey.isLastPage ? survey.completeLastPage() : survey.nextPage();
    if (!ok) valid = false;
    // What the survey holds the moment it completes (before this script looks into nested
    // questions, which makes survey-core build rows of hidden dynamic matrices and panels).
    if (survey.state === "completed") kept = JSON.parse(JSON.stringify(survey.data));
    shown(survey, errors);
    if (survey.state === "completed") break;
  }
  valid = valid && Object.keys(errors).length === 0 && survey.state === "completed";
  return { valid, errors, data: valid ? kept : undefined };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ schema, data }) => {
    try { return complete(schema, data); } catch (e) { return { crashed: String(e) }; }
  });
  process.stdout.write(JSON.stringify(out));
});
