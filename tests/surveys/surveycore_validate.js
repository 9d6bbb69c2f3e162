// Runs survey-core's own validation on a batch of cases read from stdin as JSON:
// [{schema, answers}, ...] -> [{valid, errors: {questionName: [messages]}}, ...]
// Used by test_differential.py (one Node process per batch, not per case).
const path = require("path");
const Survey = require(path.join(__dirname, "..", "..", "node_modules", "survey-core"));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const cases = JSON.parse(input);
  const out = cases.map(({ schema, answers }) => {
    const s = new Survey.Model(schema);
    s.data = answers;
    const valid = s.validate(false, false);
    const errors = {};
    // validate(false, ...) decides without showing errors; ask each question again, showing
    // them, to learn which questions SurveyJS finds in error (hidden ones pass).
    for (const q of s.getAllQuestions()) {
      if (!q.validate(true)) errors[q.name] = q.errors.map((e) => e.getText());
    }
    return { valid, errors };
  });
  process.stdout.write(JSON.stringify(out));
});
