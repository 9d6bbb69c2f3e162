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

  /* Built models, one per questionnaire (key: the caller's hash of the schema text), most
     recently used last; building one costs more than judging with it. Bounded: the least
     recently used is dropped beyond `cacheLimit`. */
  var cache = new Map();
  var cacheLimit = 32;

  function reusable(s) {
    // A dynamic panel or matrix keeps rows and panels across a reset (survey-core holds its
    // count apart from its value); such questionnaires get a fresh model on every call.
    // (Top-level questions only: listing nested ones builds rows and panels before the data
    // is set, which changes what survey-core keeps.)
    return !s.getAllQuestions(false, false, false).some(function (q) {
      var type = q.getType();
      return type === "paneldynamic" || type === "matrixdynamic";
    });
  }

  function reset(s) {
    // Back to what a fresh model is before its data is set: no completed state, no pages
    // shown, first page current, no errors left on any question or panel. The answers are
    // not cleared here: judge sets `data`, which replaces every value at once (clearing
    // first would run every condition twice); tests/surveys/test_engine_cache.py shows the
    // verdicts equal a fresh model's, respondent after respondent.
    s.clear(false, true);
    s.getAllQuestions(false, false, true).forEach(function (q) { q.errors = []; });
    s.getAllPanels(false, false).forEach(function (p) { p.errors = []; });
  }

  function modelFor(key, schemaText) {
    var entry = key ? cache.get(key) : null;
    if (entry) {
      cache.delete(key);
      // A call cut short (time limit, error) leaves its model half-judged: build anew.
      if (entry.busy) { entry = null; }
    }
    var s;
    if (entry && entry.reusable) {
      s = entry.survey;
      reset(s);
    } else {
      s = model(schemaText);
      var keep = entry ? entry.reusable : reusable(s);
      entry = { survey: keep ? s : null, reusable: keep, busy: false };
    }
    if (key) {
      cache.set(key, entry);
      while (cache.size > cacheLimit) { cache.delete(cache.keys().next().value); }
      entry.busy = true;
    }
    return s;
  }

  function done(key) {
    var entry = key ? cache.get(key) : null;
    if (entry) { entry.busy = false; }
  }

  /* Validate as the browser's "complete" does across every visible page: visible questions
     only, readOnly and enableIf honoured, required/requiredIf, validators, matrices, dynamic
     panels, "other" comments. Returns {valid, errors: {name: [messages]}, data}; `data` is
     what the survey keeps on completion (invisible values cleared as survey-core does).
     With a `key`, the questionnaire's cached model is reset and reused; without, a model
     is built for this call only. */
  function judge(schemaText, dataText, key) {
    var s = modelFor(key, schemaText);
    var result = judgeOn(s, dataText);
    done(key);
    return result;
  }

  function judgeOn(s, dataText) {
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

  /* The cache's size and bound; `limit` (optional) sets the bound. */
  function cacheInfo(limit) {
    if (limit) { cacheLimit = limit; }
    while (cache.size > cacheLimit) { cache.delete(cache.keys().next().value); }
    return JSON.stringify({ size: cache.size, limit: cacheLimit, keys: Array.from(cache.keys()) });
  }

  return { judge: judge, checkSchema: checkSchema, screen: screen, cacheInfo: cacheInfo };
})();
