"""Checking questionnaires (SurveyJS JSON) when saved, and answers when submitted.

The browser's validation is a convenience; the server decides, and it decides exactly as the
browser does: the verdict on answers (required, requiredIf, visibleIf, enableIf, readOnly,
validators, expressions and functions, matrices, dynamic panels, "other" comments) is
survey-core's own, run on the server by surveys/engine.py. Python keeps only what
survey-core does not judge: unknown keys, value types and sizes, choice membership, the
product's limits, and request bodies parsed with bounded depth and number size. The
`surveyjs` Python package reads the schema's structure (and builds questionnaires from
spreadsheets, surveys/spreadsheet.py).
"""
import json
import logging
import math
import re

from surveyjs import SurveyCreator

from . import engine

log = logging.getLogger(__name__)

# Question types the respondent page, the validator and the exports all understand.
SUPPORTED_TYPES = {
    "text", "comment", "radiogroup", "dropdown", "checkbox", "tagbox", "boolean", "rating",
    "matrix", "multipletext", "ranking", "matrixdropdown", "matrixdynamic", "paneldynamic", "expression",
}
LAYOUT_TYPES = {"panel", "html", "image"}
CHOICE_TYPES = {"radiogroup", "dropdown", "checkbox", "tagbox", "ranking"}
MULTI_TYPES = {"checkbox", "tagbox", "ranking"}
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# The product's own limits on one answer (survey-core has none).
MAX_TEXT = 10000
MAX_ROWS = 200
MAX_JSON_DEPTH = 32
MAX_NUMBER_CHARS = 40
# Keys of a schema whose strings survey-core runs as expressions.
EXPRESSION_KEY = re.compile(r"(If|Expression)$|^expression$")
VARIABLE = re.compile(r"\{\s*([^{}]+?)\s*\}")
# Prefixes survey-core resolves itself inside matrices and dynamic panels.
CONTEXT_VARIABLES = {"row", "panel", "item", "choice", "parentPanel", "rootPanel", "composite", "self", "$"}


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
    for c in raw if isinstance(raw, list) else []:
        if isinstance(c, dict):
            value = c.get("value", c.get("name"))
            items.append((value, str(text_of(c.get("text", c.get("title")), value))))
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
        self.visible = raw.get("visible", True) is not False
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
        # "prefill": "unit" / "prefecture" — filled from the invitation, shown read-only.
        self.prefill = raw.get("prefill")
        self.dynamic_choices = bool(raw.get("choicesFromQuestion") or raw.get("choicesByUrl"))
        self.template = [Question(el, page, []) for el in _questions_of(raw.get("templateElements"))]
        self.number = None  # the number shown in the form, results and exports

    def boolean_label(self, value):
        """是/否 as the questionnaire words them (labelTrue / labelFalse), defaulting to 是/否."""
        if value == self.raw.get("valueTrue", True):
            return str(text_of(self.raw.get("labelTrue"), "是"))
        if value == self.raw.get("valueFalse", False):
            return str(text_of(self.raw.get("labelFalse"), "否"))
        return str(value)

    @property
    def numbered_title(self):
        return f"{self.number}. {self.title}" if self.number else self.title

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
            if v == value and type(v) is type(value):
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


def _questions_of(elements):
    """The questions among `elements`, static panels opened (dynamic panels are questions)."""
    found, stack = [], [iter(elements if isinstance(elements, list) else [])]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        if not isinstance(el, dict):
            continue
        if el.get("type") == "panel":
            if len(stack) < MAX_JSON_DEPTH:
                stack.append(iter(el.get("elements") if isinstance(el.get("elements"), list) else []))
        elif el.get("type") not in LAYOUT_TYPES:
            found.append(el)
    return found


def walk_questions(schema):
    """The questions of a schema in order (panels opened), as `Question` objects, numbered as
    the respondent sees them: every question not hidden outright (`visible: false`) gets the
    next number, whatever its `visibleIf`, so the form, the results and the exports agree."""
    pages = schema.get("pages") if isinstance(schema, dict) else None
    if pages is None and isinstance(schema, dict):
        pages = [{"name": "page1", "elements": schema.get("elements", [])}]
    questions = []
    for index, page in enumerate(pages if isinstance(pages, list) else []):
        if isinstance(page, dict):
            name = page.get("name") or f"第{index + 1}页"
            questions.extend(Question(raw, name, []) for raw in _questions_of(page.get("elements")))
    number = 0
    for q in questions:
        if q.visible:
            number += 1
            q.number = number
    return questions


def _walk_json(value, where="问卷"):
    """(where, key, string) of every string in a schema, iteratively (depth already bounded)."""
    stack = [(value, where)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            here = f"题目“{node['name']}”" if isinstance(node.get("name"), str) and "type" in node else where
            for key, child in node.items():
                if isinstance(child, str):
                    yield here, key, child, node
                else:
                    stack.append((child, here))
        elif isinstance(node, list):
            stack.extend((child, where) for child in node)


def check_schema(schema):
    """Raise SchemaInvalid with Chinese messages a clerk can act on; return the questions.

    Python checks the structure (names, types, choices); survey-core, on the server, then
    builds the questionnaire once and parses every expression and regex it will run, so an
    expression the browser could not run is refused here with the reason."""
    if not isinstance(schema, dict):
        raise SchemaInvalid(["问卷定义必须是一个 JSON 对象（以 { 开头）"])
    if json_depth(json.dumps(schema), stop=MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise SchemaInvalid([f"问卷定义嵌套过深（超过 {MAX_JSON_DEPTH} 层）"])
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
    for index, q in enumerate(questions):
        where = f"第 {index + 1} 题（{q.title}）"
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
        if q.type in CHOICE_TYPES and not q.dynamic_choices:
            if not q.choices:
                errors.append(f"{where}是选择题，但没有选项（choices）")
            values = [v for v, _ in q.choices]
            if any(v is None or isinstance(v, (list, dict)) for v in values):
                errors.append(f"{where}有选项缺少取值")
            elif len({json.dumps(v) for v in values}) != len(values):
                errors.append(f"{where}的选项取值有重复")
        if q.type == "matrix" and (not q.rows or not q.columns):
            errors.append(f"{where}是矩阵题，必须有行（rows）和列（columns）")
        if q.type in ("matrixdropdown", "matrixdynamic") and not q.columns:
            errors.append(f"{where}是表格题，必须有列（columns）")
        if q.type == "multipletext" and (not q.items or not all(n for n, _ in q.items)):
            errors.append(f"{where}是多项填空题，每项必须有代码（items 的 name）")
        if q.type == "paneldynamic":
            bad = [t.type for t in q.template if t.type not in SUPPORTED_TYPES or t.type == "paneldynamic"]
            if bad:
                errors.append(f"{where}的动态面板中有不支持的题型：{'、'.join(map(str, bad))}")
        if q.prefill not in (None, "unit", "prefecture"):
            errors.append(f"{where}的 prefill 只能是 unit（填报单位）或 prefecture（所在市州）")
    known = set(seen) | {v.get("name") for v in schema.get("calculatedValues") or [] if isinstance(v, dict)}
    for q in questions:
        known |= {t.name for t in q.template}
    expressions, regexes = [], []
    for where, key, text, node in _walk_json(schema):
        if EXPRESSION_KEY.search(key) and key not in ("choicesByUrl",):
            expressions.append([f"{where}的 {key}", text])
            unknown = {v.split(".")[0].split("[")[0] for v in VARIABLE.findall(text)} - known - CONTEXT_VARIABLES
            if unknown:
                errors.append(f"{where}的 {key}“{text}”引用了不存在的题目：{'、'.join(sorted(unknown))}")
        elif key == "regex" and node.get("type") == "regex":
            regexes.append([f"{where}的正则表达式", text])
    if errors:
        raise SchemaInvalid(errors)
    try:
        verdict = engine.check_schema(schema, expressions, regexes)
    except engine.EngineTimeout:
        raise SchemaInvalid(["问卷过于复杂，SurveyJS 未能在限定时间内完成检查"]) from None
    except engine.EngineError as exc:
        raise SchemaInvalid([f"SurveyJS 无法加载该问卷：{exc}"]) from None
    for where, text, reason in verdict["errors"]:
        errors.append(f"{where}“{text}”有误：{reason}")
    if errors:
        raise SchemaInvalid(errors)
    return questions


class Questionnaire:
    """A checked schema, ready to validate answers against (build once per version)."""

    def __init__(self, schema):
        self.schema = schema
        self.questions = check_schema(schema)
        self.by_name = {q.name: q for q in self.questions}
        self.patterns = {q.name: _patterns(q.raw) for q in self.questions}


class AnswersInvalid(ValueError):
    def __init__(self, errors):
        super().__init__("；".join(f"{k}：{v}" for k, v in errors.items()))
        self.errors = errors  # {question name or "_": Chinese message}


# ---------------------------------------------------------------- bounded request bodies

_SIGNIFICANT = re.compile(r'[\[\]{}"\\]')


def json_depth(text, stop=None):
    """How deep the arrays and objects of a JSON text nest (strings skipped). Linear, no
    recursion: only brackets, quotes and backslashes are visited."""
    depth = deepest = 0
    in_string = False
    skip_to = -1
    for match in _SIGNIFICANT.finditer(text):
        pos, ch = match.start(), match.group()
        if pos <= skip_to:
            continue  # the character after a backslash
        if in_string:
            if ch == "\\":
                skip_to = pos + 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if stop is not None and deepest > stop:
                break
        elif ch in "]}":
            depth -= 1
    return deepest


class BodyInvalid(ValueError):
    """A request body that is not JSON within the limits (Chinese message)."""


def bounded_number(kind):
    def parse(text):
        if len(text) > MAX_NUMBER_CHARS:
            raise BodyInvalid(f"数字过长（超过 {MAX_NUMBER_CHARS} 位）")
        number = kind(text)
        if not math.isfinite(number):
            raise BodyInvalid("数值超出范围")
        return number
    return parse


def no_constant(name):
    raise BodyInvalid(f"不支持的数值：{name}")


def loads_bounded(text, max_depth=MAX_JSON_DEPTH):
    """json.loads with the depth and the size of numbers bounded (no RecursionError, no
    4,300-digit ValueError: a Chinese BodyInvalid instead)."""
    if json_depth(text, stop=max_depth) > max_depth:
        raise BodyInvalid(f"内容嵌套过深（超过 {max_depth} 层）")
    try:
        return json.loads(text, parse_int=bounded_number(int), parse_float=bounded_number(float),
                          parse_constant=no_constant)
    except json.JSONDecodeError:
        raise BodyInvalid("提交内容不是有效的 JSON，请刷新页面后重试") from None


def parse_answers_body(body, max_bytes):
    """(answers, page) from a request body: size checked first, then bounded JSON, then shape.
    `page` is the page number the respondent was on (for resuming a draft), or None."""
    if len(body) > max_bytes:
        raise AnswersInvalid({"_": f"提交内容过大（{len(body) // 1024} KB），上限为 {max_bytes // 1024} KB"})
    try:
        data = loads_bounded(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise AnswersInvalid({"_": "提交内容不是有效的 UTF-8 文本"}) from None
    except BodyInvalid as exc:
        raise AnswersInvalid({"_": str(exc)}) from None
    if not isinstance(data, dict):
        raise AnswersInvalid({"_": "提交内容格式有误：应为一个对象"})
    # The page sends {"answers": {...}, "page": n}; a bare answers object is accepted too.
    answers = data["answers"] if "answers" in data else data
    if not isinstance(answers, dict):
        raise AnswersInvalid({"_": "答案格式有误：应为一个对象"})
    page = data.get("page") if "answers" in data else None
    if not (isinstance(page, int) and not isinstance(page, bool) and 0 <= page < 1000):
        page = None
    return answers, page


# ---------------------------------------------------------------- what Python judges

def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _scalar(v):
    return isinstance(v, (str, int, float)) and not isinstance(v, bool)


def _in(values, v):
    return any(v == c and (type(v) is type(c) or _is_number(v) and _is_number(c)) for c in values)


def _cell_error(value):
    """A cell of a matrix table: a scalar, a boolean, or a list of scalars."""
    if value is None or isinstance(value, bool) or _scalar(value):
        return "内容过长" if isinstance(value, str) and len(value) > MAX_TEXT else None
    if isinstance(value, list) and len(value) <= 1000 and all(_scalar(v) for v in value):
        return None
    return "表格中的内容格式有误"


def _keys_error(questions, answers):
    """Unknown keys of an answers object, or comments where the question has none."""
    known = {q.name: q for q in questions}
    for key, value in answers.items():
        if key in known:
            continue
        base = known.get(key[:-len("-Comment")]) if key.endswith("-Comment") else None
        if base is not None and (base.has_other or base.has_comment):
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                return key, "补充说明应为文字（上限 10000 字）"
            continue
        return key, f"问卷中没有“{key}”这道题"
    return None


def _shape_error(q, value):
    """Chinese message if `value` has the wrong type, size or a choice not offered, else None."""
    t = q.type
    if t in ("text", "comment"):
        if q.is_numeric:
            if not _is_number(value):
                return "请填写数字"
        elif not isinstance(value, str):
            return "应为文字"
        if isinstance(value, str) and len(value) > MAX_TEXT:
            return f"内容过长（上限 {MAX_TEXT} 字）"
    elif t in ("radiogroup", "dropdown"):
        if not _scalar(value) or not q.dynamic_choices and not _in(q.choice_values, value):
            return f"“{value}”不是本题的选项"
    elif t in MULTI_TYPES:
        if not isinstance(value, list) or not all(_scalar(v) for v in value):
            return "应为选项列表"
        bad = [str(v) for v in value if not q.dynamic_choices and not _in(q.choice_values, v)]
        if bad:
            return f"“{'、'.join(bad)}”不是本题的选项"
        if len({json.dumps(v) for v in value}) != len(value):
            return "选项重复"
        if q.has_none and "none" in value and len(value) > 1:
            return f"“{q.choice_label('none')}”不能与其他选项同时选择"
        if t == "ranking" and not q.dynamic_choices and len(value) != len(q.choices):
            return "请对全部选项排序"
    elif t == "boolean":
        allowed = [q.raw.get("valueTrue", True), q.raw.get("valueFalse", False)]
        if not any(value == a and type(value) is type(a) for a in allowed):
            return "应为“是”或“否”"
    elif t == "rating":
        if not _scalar(value) or not _in(q.rating_values(), value):
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
            if not _scalar(cell) or isinstance(cell, str) and len(cell) > MAX_TEXT:
                return f"“{key}”一项应为文字或数字"
    elif t in ("matrixdynamic", "matrixdropdown"):
        if t == "matrixdynamic":
            if not isinstance(value, list) or len(value) > MAX_ROWS:
                return f"应为表格的行（上限 {MAX_ROWS} 行）"
            rows = value
        else:
            if not isinstance(value, dict):
                return "应为按行填写的表格"
            known_rows = {str(r) for r, _ in q.rows}
            if any(r not in known_rows for r in value):
                return f"没有“{next(r for r in value if r not in known_rows)}”这一行"
            rows = list(value.values())
        columns = {str(c) for c, _ in q.columns}
        for row in rows:
            if not isinstance(row, dict):
                return "表格的每一行应为按列填写的内容"
            for key, cell in row.items():
                if key not in columns and not (key.endswith("-Comment") and key[:-8] in columns):
                    return f"没有“{key}”这一列"
                message = _cell_error(cell)
                if message:
                    return message
    elif t == "paneldynamic":
        if not isinstance(value, list) or len(value) > MAX_ROWS:
            return f"应为若干项（上限 {MAX_ROWS} 项）"
        for panel in value:
            if not isinstance(panel, dict):
                return "每一项应为按题填写的内容"
            found = _keys_error(q.template, panel)
            if found:
                return found[1]
            for inner in q.template:
                if panel.get(inner.name) is not None:
                    message = _shape_error(inner, panel[inner.name])
                    if message:
                        return f"{inner.title}：{message}"
    elif t == "expression":
        if not (value is None or isinstance(value, bool) or _scalar(value)):
            return "计算结果格式有误"
        if isinstance(value, str) and len(value) > MAX_TEXT:
            return "内容过长"
    return None


def check_shapes(questionnaire, answers):
    """{key: Chinese message} for unknown keys and badly shaped values (what survey-core does not judge)."""
    errors = {}
    found = _keys_error(questionnaire.questions, answers)
    if found:
        errors[found[0]] = found[1]
    for name, value in answers.items():
        q = questionnaire.by_name.get(name)
        if q is None or value is None:
            continue
        message = _shape_error(q, value)
        if message:
            errors[name] = f"{q.title}：{message}"
    return errors


def _strings(value, into):
    """Every string inside an answer (cells of tables and panels included)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            into.append(v)
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    return into


def _patterns(raw):
    """(pattern, caseInsensitive) of every regex and e-mail validator inside a question."""
    found = []
    for _, key, text, node in _walk_json(raw):
        if key == "regex" and node.get("type") == "regex":
            found.append((text, bool(node.get("caseInsensitive"))))
        elif key == "type" and text == "email" and "regex" not in node:
            found.append(("@email", False))
    return found


def regex_pairs(questionnaire, answers):
    """[[pattern, caseInsensitive, [strings]]]: each question's patterns with the strings of its answer."""
    pairs = []
    for q in questionnaire.questions:
        patterns = questionnaire.patterns.get(q.name)
        if not patterns:
            continue
        strings = _strings([answers.get(q.name), answers.get(f"{q.name}-Comment")], [])
        if strings:
            pairs.extend([pattern, insensitive, strings] for pattern, insensitive in patterns)
    return pairs


ENGINE_TIMEOUT_MESSAGE = ("校验超时：本问卷的某条校验规则（如正则表达式）对这份答案运行过久，"
                          "答卷未保存。请修改答案或联系问卷发布单位")


def judge(questionnaire, answers):
    """survey-core's verdict on `answers` as the browser's "complete" would give it:
    (errors {name: Chinese message}, the answers survey-core keeps)."""
    try:
        pairs = regex_pairs(questionnaire, answers)
        if pairs:
            engine.screen(pairs)
        verdict = engine.judge(questionnaire.schema, answers)
    except engine.EngineTimeout:
        log.warning("survey validation timed out (%s ms); questionnaire %s",
                    engine.settings.SURVEY_ENGINE_TIMEOUT_MS, questionnaire.schema.get("title", ""))
        raise AnswersInvalid({"_": ENGINE_TIMEOUT_MESSAGE}) from None
    except engine.EngineError as exc:
        log.error("survey-core failed on an answer: %s", exc)
        raise AnswersInvalid({"_": "答案无法校验，请刷新页面后重试"}) from None
    errors = {}
    for name, messages in verdict["errors"].items():
        q = questionnaire.by_name.get(name)
        title = q.title if q else name
        errors[name] = f"“{title}”：{'；'.join(dict.fromkeys(messages))}"
    return errors, verdict.get("data")


def validate_answers(questionnaire, answers, complete=True):
    """Check `answers` against `questionnaire`; return the answers to store, or raise AnswersInvalid.

    Python refuses unknown keys and badly shaped values first. A draft (save and resume)
    stops there; a submit (`complete`) then gets survey-core's verdict, and what is stored
    is what survey-core keeps on completion (answers to hidden questions cleared)."""
    errors = check_shapes(questionnaire, answers)
    if errors:
        raise AnswersInvalid(errors)
    if not complete:
        return dict(answers)
    errors, data = judge(questionnaire, answers)
    if errors:
        raise AnswersInvalid(errors)
    return data
