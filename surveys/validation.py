"""Checking questionnaires (SurveyJS JSON) when saved, and answers when submitted.

The browser's validation is a convenience; this module is the rule. `check_schema` runs
when a coordinator saves a questionnaire; `validate_answers` runs on every save and submit
of a respondent, whatever the browser did. The `surveyjs` package parses the schema and
runs SurveyJS's own validators (numeric, text, answercount, regex, email); this module adds
what it lacks: unknown questions, choices, value types, `visibleIf` (a required question
hidden by its condition is not required) and Chinese messages a respondent can act on.
"""
import json
import re

from surveyjs import SurveyCreator, SurveyForm

from . import expressions

# Question types the respondent page, the validator and the exports all understand.
SUPPORTED_TYPES = {
    "text", "comment", "radiogroup", "dropdown", "checkbox", "tagbox", "boolean", "rating",
    "matrix", "multipletext", "ranking",
}
LAYOUT_TYPES = {"panel", "html"}
CHOICE_TYPES = {"radiogroup", "dropdown", "checkbox", "tagbox", "ranking"}
MULTI_TYPES = {"checkbox", "tagbox", "ranking"}
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SchemaInvalid(ValueError):
    def __init__(self, errors):
        super().__init__("；".join(errors))
        self.errors = errors


def text_of(value, default=""):
    """A SurveyJS localizable string: plain, or {"default": ..., "zh-cn": ...}."""
    if isinstance(value, dict):
        return value.get("zh-cn") or value.get("default") or next(iter(value.values()), default)
    return value if value not in (None, "") else default


def choice_items(raw):
    """[(value, label)] of a choices list written as scalars or {value, text}."""
    items = []
    for c in raw or []:
        if isinstance(c, dict):
            value = c.get("value")
            items.append((value, str(text_of(c.get("text"), value))))
        else:
            items.append((c, str(c)))
    return items


class Question:
    """What the server needs to know about one question of a questionnaire."""

    def __init__(self, raw, page, conditions):
        self.raw = raw
        self.name = raw.get("name")
        self.type = raw.get("type")
        self.title = str(text_of(raw.get("title"), self.name))
        self.page = page
        self.required = bool(raw.get("isRequired"))
        # The question's own visibleIf and those of every enclosing panel and page.
        self.conditions = conditions + ([raw["visibleIf"]] if raw.get("visibleIf") else [])
        self.input_type = raw.get("inputType", "text")
        self.choices = choice_items(raw.get("choices"))
        self.has_other = bool(raw.get("showOtherItem") or raw.get("hasOther"))
        self.has_none = bool(raw.get("showNoneItem") or raw.get("hasNone"))
        self.has_comment = bool(raw.get("showCommentArea") or raw.get("hasComment"))
        self.rows = choice_items(raw.get("rows"))
        self.columns = choice_items(raw.get("columns"))
        self.items = [(i.get("name"), str(text_of(i.get("title"), i.get("name")))) for i in raw.get("items", [])
                      if isinstance(i, dict)]
        self.all_rows_required = bool(raw.get("isAllRowRequired") or raw.get("eachRowRequired"))
        self.pairing_needs = raw.get("pairingNeeds")
        self.parsed_conditions = []

    @property
    def choice_values(self):
        values = [v for v, _ in self.choices]
        if self.has_other:
            values.append("other")
        if self.has_none:
            values.append("none")
        return values

    def choice_label(self, value):
        for v, label in self.choices:
            if expressions.equals(v, value) and type(v) is type(value):
                return label
        if value == "other" and self.has_other:
            return str(text_of(self.raw.get("otherText"), "其他"))
        if value == "none" and self.has_none:
            return str(text_of(self.raw.get("noneText"), "无"))
        return str(value)

    def rating_values(self):
        if self.raw.get("rateValues"):
            return [v for v, _ in choice_items(self.raw["rateValues"])]
        low, high, step = self.raw.get("rateMin", 1), self.raw.get("rateMax", 5), self.raw.get("rateStep", 1)
        values, v = [], low
        while v <= high and len(values) < 1000:
            values.append(v)
            v += step
        return values

    @property
    def is_numeric(self):
        return self.type == "rating" or (self.type == "text" and self.input_type in ("number", "range"))


def walk_questions(schema):
    """The questions of a schema in order (panels opened), as `Question` objects."""
    pages = schema.get("pages") if isinstance(schema, dict) else None
    if pages is None and isinstance(schema, dict):
        pages = [{"name": "page1", "elements": schema.get("elements", [])}]
    questions = []

    def visit(elements, page, conditions):
        for el in elements or []:
            if not isinstance(el, dict):
                continue
            if el.get("type") == "panel":
                visit(el.get("elements"), page, conditions + ([el["visibleIf"]] if el.get("visibleIf") else []))
            elif el.get("type") not in LAYOUT_TYPES:
                questions.append(Question(el, page, conditions))

    for index, page in enumerate(pages or []):
        if isinstance(page, dict):
            visit(page.get("elements"), page.get("name") or f"第{index + 1}页",
                  [page["visibleIf"]] if page.get("visibleIf") else [])
    return questions


def check_schema(schema):
    """Raise SchemaInvalid with Chinese messages a clerk can act on; return the questions."""
    if not isinstance(schema, dict):
        raise SchemaInvalid(["问卷定义必须是一个 JSON 对象（以 { 开头）"])
    errors = []
    try:
        SurveyCreator(schema)
    except Exception as exc:  # the package raises plain exceptions on malformed schemas
        raise SchemaInvalid([f"SurveyJS 定义无法解析：{exc}"]) from exc
    pages = schema.get("pages")
    if pages is not None and (not isinstance(pages, list) or not pages):
        errors.append("“pages”必须是非空列表")
    questions = walk_questions(schema)
    if not questions:
        errors.append("问卷中没有任何题目")
    seen = {}
    for q in questions:
        where = f"第 {questions.index(q) + 1} 题（{q.title}）"
        if not q.name or not isinstance(q.name, str):
            errors.append(f"{where}缺少题目代码（name）")
            continue
        if not NAME_RE.match(q.name):
            errors.append(f"{where}的代码“{q.name}”只能由英文字母、数字和下划线组成，且不能以数字开头")
        if q.name in seen:
            errors.append(f"题目代码“{q.name}”重复（{seen[q.name]} 与 {where}）")
        seen[q.name] = where
        if q.type not in SUPPORTED_TYPES:
            errors.append(f"{where}的题型“{q.type}”不受支持，可用：{'、'.join(sorted(SUPPORTED_TYPES))}")
            continue
        if q.type in CHOICE_TYPES:
            if not q.choices:
                errors.append(f"{where}是选择题，但没有选项（choices）")
            values = [v for v, _ in q.choices]
            if any(v is None or isinstance(v, (list, dict)) for v in values):
                errors.append(f"{where}有选项缺少取值")
            elif len({json.dumps(v) for v in values}) != len(values):
                errors.append(f"{where}的选项取值有重复")
        if q.type == "matrix" and (not q.rows or not q.columns):
            errors.append(f"{where}是矩阵题，必须有行（rows）和列（columns）")
        if q.type == "multipletext" and (not q.items or not all(n for n, _ in q.items)):
            errors.append(f"{where}是多项填空题，每项必须有代码（items 的 name）")
        for v in q.raw.get("validators", []) or []:
            if not isinstance(v, dict) or v.get("type") not in ("numeric", "text", "answercount", "regex", "email"):
                errors.append(f"{where}的校验规则不受支持：{json.dumps(v, ensure_ascii=False)}")
            elif v.get("type") == "regex":
                try:
                    re.compile(v.get("regex") or "")
                except re.error:
                    errors.append(f"{where}的正则表达式写法有误：{v.get('regex')}")
    for q in questions:
        for cond in q.conditions:
            try:
                tree = expressions.parse(cond)
            except expressions.ExpressionError as exc:
                errors.append(f"题目“{q.name}”的显示条件“{cond}”有误：{exc}")
                continue
            unknown = expressions.variables(tree) - set(seen)
            if unknown:
                errors.append(f"题目“{q.name}”的显示条件引用了不存在的题目：{'、'.join(sorted(unknown))}")
            q.parsed_conditions.append(tree)
    if errors:
        raise SchemaInvalid(errors)
    return questions


class Questionnaire:
    """A checked schema, ready to validate answers against (build once per version)."""

    def __init__(self, schema):
        self.schema = schema
        self.questions = check_schema(schema)
        self.by_name = {q.name: q for q in self.questions}
        self.creator = SurveyCreator(schema, language="zh", i18n=SURVEYJS_I18N)

    def is_visible(self, question, answers):
        return all(expressions.evaluate(tree, answers) for tree in question.parsed_conditions)


class AnswersInvalid(ValueError):
    def __init__(self, errors):
        super().__init__("；".join(f"{k}：{v}" for k, v in errors.items()))
        self.errors = errors  # {question name or "_": Chinese message}


def parse_answers_body(body, max_bytes):
    """The answers object from a request body: size checked first, then JSON, then shape."""
    if len(body) > max_bytes:
        raise AnswersInvalid({"_": f"提交内容过大（{len(body) // 1024} KB），上限为 {max_bytes // 1024} KB"})
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise AnswersInvalid({"_": "提交内容不是有效的 JSON，请刷新页面后重试"}) from None
    if not isinstance(data, dict):
        raise AnswersInvalid({"_": "提交内容格式有误：应为一个对象"})
    # The page sends {"answers": {...}}; a bare answers object is accepted too.
    answers = data["answers"] if "answers" in data else data
    if not isinstance(answers, dict):
        raise AnswersInvalid({"_": "答案格式有误：应为一个对象"})
    return answers


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _scalar(v):
    return isinstance(v, (str, int, float)) and not isinstance(v, bool)


def _in(values, v):
    return any(expressions.equals(v, c) and (type(v) is type(c) or _is_number(v) and _is_number(c)) for c in values)


def _shape_error(q, value, answers):
    """Chinese message if `value` has the wrong type or a choice not offered, else None."""
    t = q.type
    if t in ("text", "comment"):
        if q.is_numeric:
            if not _is_number(value):
                return "请填写数字"
        elif not isinstance(value, str):
            return "应为文字"
        if isinstance(value, str) and len(value) > 10000:
            return "内容过长（上限 10000 字）"
    elif t in ("radiogroup", "dropdown"):
        if not _scalar(value) or not _in(q.choice_values, value):
            return f"“{value}”不是本题的选项"
    elif t in MULTI_TYPES:
        if not isinstance(value, list) or not all(_scalar(v) for v in value):
            return "应为选项列表"
        bad = [str(v) for v in value if not _in(q.choice_values, v)]
        if bad:
            return f"“{'、'.join(bad)}”不是本题的选项"
        if len({json.dumps(v) for v in value}) != len(value):
            return "选项重复"
        if q.has_none and "none" in value and len(value) > 1:
            return f"“{q.choice_label('none')}”不能与其他选项同时选择"
        if t == "ranking" and len(value) != len(q.choices):
            return "请对全部选项排序"
    elif t == "boolean":
        allowed = [q.raw.get("valueTrue", True), q.raw.get("valueFalse", False)]
        if not any(value == a and type(value) is type(a) for a in allowed):
            return "应为“是”或“否”"
    elif t == "rating":
        if not _is_number(value) or not _in(q.rating_values(), value):
            return f"评分“{value}”不在可选范围内"
    elif t == "matrix":
        if not isinstance(value, dict):
            return "应为按行填写的表格"
        rows, cols = [r for r, _ in q.rows], [c for c, _ in q.columns]
        for row, cell in value.items():
            if not _in(rows, row):
                return f"没有“{row}”这一行"
            if not _scalar(cell) or not _in(cols, cell):
                return f"“{row}”一行的“{cell}”不是可选的列"
    elif t == "multipletext":
        if not isinstance(value, dict):
            return "应为按项填写的内容"
        names = {n for n, _ in q.items}
        for key, cell in value.items():
            if key not in names:
                return f"没有“{key}”这一项"
            if not isinstance(cell, (str, int, float)) or isinstance(cell, bool):
                return f"“{key}”一项应为文字或数字"
    return None


_VALIDATOR_MESSAGES = {
    "numericError": "请填写数字",
    "numericMin": "不能小于 {1}",
    "numericMax": "不能大于 {1}",
    "numericMinMax": "应在 {1} 到 {2} 之间",
    "textMinLength": "至少填写 {0} 个字",
    "textMaxLength": "最多填写 {0} 个字",
    "textMinMaxLength": "应为 {0} 到 {1} 个字",
    "textNoDigitsAllow": "不能包含数字",
    "minSelectError": "至少选择 {0} 项",
    "maxSelectError": "最多选择 {0} 项",
    "invalidEmail": "请填写有效的电子邮箱地址",
    "regexError": "格式不正确",
}


def _surveyjs_i18n():
    """Map the surveyjs package's English messages onto Chinese ones (it translates through i18n)."""
    from surveyjs.elements.validators import DEFAULT_MESSAGES

    return {"zh": {DEFAULT_MESSAGES[k]: v for k, v in _VALIDATOR_MESSAGES.items()}}


SURVEYJS_I18N = _surveyjs_i18n()


def _visible_answers(questionnaire, answers):
    return {q.name for q in questionnaire.questions if questionnaire.is_visible(q, answers)}


def validate_answers(questionnaire, answers, complete=True):
    """Check `answers` against `questionnaire`; return the answers to store, or raise AnswersInvalid.

    With `complete` (a submit) required questions must be answered and SurveyJS validators
    pass; a draft (save and resume) is only checked for unknown questions, types and
    choices. Answers to questions hidden by their `visibleIf` are dropped on submit, as
    SurveyJS itself clears invisible values on completion.
    """
    errors = {}
    known = questionnaire.by_name
    for key in answers:
        base = key[:-len("-Comment")] if key.endswith("-Comment") else None
        if key in known:
            continue
        if base and base in known and (known[base].has_other or known[base].has_comment):
            if not isinstance(answers[key], str):
                errors[key] = "补充说明应为文字"
            continue
        errors[key] = f"问卷中没有“{key}”这道题"
    for name, value in answers.items():
        q = known.get(name)
        if q is None or value is None:
            continue
        message = _shape_error(q, value, answers)
        if message:
            errors[name] = f"{q.title}：{message}"
    if errors:
        raise AnswersInvalid(errors)
    if not complete:
        return dict(answers)

    visible = _visible_answers(questionnaire, answers)
    cleaned = {k: v for k, v in answers.items() if (k[:-8] if k.endswith("-Comment") else k) in visible}
    form = SurveyForm(cleaned, creator=questionnaire.creator, lang="zh")
    for q in questionnaire.questions:
        if q.name not in visible:
            continue
        value = cleaned.get(q.name)
        # As SurveyJS: blank text does not answer a required question, but validators
        # still see it (only a truly empty value skips them).
        raw_empty = expressions.is_empty(value)
        if q.required and (raw_empty or isinstance(value, str) and not value.strip()):
            errors[q.name] = f"“{q.title}”为必答题，请填写"
            continue
        if q.type == "matrix" and q.all_rows_required:
            answered = value if isinstance(value, dict) else {}
            missing = [label for r, label in q.rows if expressions.is_empty(answered.get(str(r)))]
            if missing:
                errors[q.name] = f"“{q.title}”每一行都需作答（未答：{'、'.join(missing)}）"
                continue
        if raw_empty:
            continue
        if q.has_other and (value == "other" or isinstance(value, list) and "other" in value):
            comment = cleaned.get(f"{q.name}-Comment")
            if not isinstance(comment, str) or not comment.strip():
                errors[q.name] = f"“{q.title}”选择了“其他”，请填写具体内容"
                continue
        if q.type == "text" and q.is_numeric:
            low, high = q.raw.get("min"), q.raw.get("max")
            if _is_number(low) and value < low:
                errors[q.name] = f"“{q.title}”不能小于 {low}"
                continue
            if _is_number(high) and value > high:
                errors[q.name] = f"“{q.title}”不能大于 {high}"
                continue
        if isinstance(value, str) and not value.strip() and any(
            isinstance(v, dict) and v.get("type") == "email" for v in q.raw.get("validators", []) or []
        ):
            # The surveyjs package lets blank text pass its email check; SurveyJS does not.
            errors[q.name] = f"“{q.title}”请填写有效的电子邮箱地址"
            continue
        if q.type == "text" and q.input_type == "email" and not EMAIL_RE.match(value.strip()):
            errors[q.name] = f"“{q.title}”请填写有效的电子邮箱地址"
            continue
        element = form.questions.get(q.name)
        if element is None:
            continue
        found = {k: v for k, v in element.validation_errors().items() if k != "required"}
        if isinstance(value, str) and not value.strip():
            found = {}  # SurveyJS's text and pattern validators pass blank text (its email check does not)
        if found:
            errors[q.name] = f"“{q.title}”" + "；".join(str(m) for m in found.values())
    if errors:
        raise AnswersInvalid(errors)
    return cleaned
