/* Loaded into the server's embedded V8 (surveys/engine.py) after survey-core, its zh-cn
   strings and static/surveys/zh-cn-fixes.js: the same library and messages the browser has.
   Every entry point takes and returns JSON text, so nothing but strings crosses the border. */
var OutreachEngine = (function () {
  "use strict";
  Survey.surveyLocalization.defaultLocale = "zh-cn";

  function topName(q) {
    // Cells of a matrix and questions of a dynamic panel answer for the question holding them.
    var seen = 0;
    while (q.parentQuestion && seen < 100) { q = q.parentQuestion; seen += 1; }
    return q.name;
  }

  function add(errors, name, list) {
    // One message once per question, however many cells or panels repeat it.
    var seen = errors[name] || [];
    list.forEach(function (e) {
      var text = e.getText();
      if (seen.indexOf(text) < 0) { seen.push(text); }
    });
    errors[name] = seen;
  }

  function model(schemaText) {
    var s = new Survey.Model(JSON.parse(schemaText));
    s.locale = "zh-cn";
    return s;
  }

  /* Validate as the browser's "complete" does across every visible page: visible questions
     only, readOnly and enableIf honoured, required/requiredIf, validators, matrices, dynamic
     panels, "other" comments. Returns {valid, errors: {name: [messages]}, data}; `data` is
     what the survey keeps on completion (invisible values cleared as survey-core does). */
  function judge(schemaText, dataText) {
    var s = model(schemaText);
    s.data = JSON.parse(dataText);
    var valid = s.validate(true, false);
    var errors = {};
    s.getAllQuestions(false, false, true).forEach(function (q) {
      if (q.errors && q.errors.length) { add(errors, topName(q), q.errors); }
    });
    s.getAllPanels(false, false).forEach(function (p) {
      if (p.errors && p.errors.length) { add(errors, p.name, p.errors); }
    });
    var out = { valid: valid && Object.keys(errors).length === 0, errors: errors };
    if (out.valid) {
      // Complete as the browser does (page triggers, then invisible values cleared); there is
      // no cookie or page to go to on the server.
      s.cookieName = "";
      s.navigateToUrl = "";
      // The respondent went through every page and completes from the last one; what
      // survey-core keeps can depend on it (rows and panels of pages it has shown).
      for (var i = 0; i < s.visiblePages.length; i += 1) { s.currentPageNo = i; }
      s.doComplete();
      out.data = s.data;
    }
    return JSON.stringify(out);
  }

  /* Check a questionnaire once when it is saved: the model builds, every expression parses
     (the survey-core parser is the one that will run it) and every regex compiles as a
     JavaScript RegExp. `exprs` is [[where, text], ...], `regexes` the same. Returns
     {errors: [[where, text, reason]], questions: [names]}. */
  function checkSchema(schemaText, exprsText, regexesText) {
    var errors = [];
    var s = model(schemaText);
    var parser = new Survey.ConditionsParser();
    JSON.parse(exprsText).forEach(function (item) {
      var node = null;
      try { node = parser.parseExpression(item[1]); } catch (e) { node = null; }
      if (!node) {
        var err = parser.error;
        errors.push([item[0], item[1], err ? "第 " + (err.at + 1) + " 个字符附近无法识别" : "无法解析"]);
      }
    });
    JSON.parse(regexesText).forEach(function (item) {
      try { new RegExp(item[1]); } catch (e) { errors.push([item[0], item[1], String(e.message)]); }
    });
    var names = s.getAllQuestions(false, false, false).map(function (q) { return q.name; });
    return JSON.stringify({ errors: errors, questions: names });
  }

  /* Run the questionnaire's regular expressions (regex and email validators) on the answers
     they will judge, and nothing else: a catastrophic pattern shows up here, under the short
     time limit, before the whole survey is judged under a longer one. `pairs` is
     [[pattern or "@email", caseInsensitive, [strings]], ...]. */
  function screen(pairsText) {
    var email = new Survey.EmailValidator().re;
    JSON.parse(pairsText).forEach(function (pair) {
      var re = pair[0] === "@email" ? email : new RegExp(pair[0], pair[1] ? "i" : "");
      pair[2].forEach(function (text) { re.test(text); });
    });
    return "true";
  }

  return { judge: judge, checkSchema: checkSchema, screen: screen };
})();
