"""A questionnaire written as a spreadsheet, one row per question, converted to SurveyJS JSON.

Columns (first row, Chinese or English headings):
页面 page · 代码 name · 题型 type · 标题 title · 选项 choices · 必答 required ·
显示条件 visibleIf · 校验 validators

- 题型: 单选 radiogroup, 多选 checkbox, 下拉 dropdown, 填空 text, 数字 number, 多行 comment,
  是否 boolean, 评分 rating, 邮箱 email, or any SurveyJS type name;
- 选项: separated by | or ；or line breaks; `值=文字` gives a code and a label; a final
  `其他` item turns on the "other (please specify)" box;
- 必答: 是 / 否 (也可 1/0, y/n, true/false);
- 校验: `数值:0-100`, `字数:2-200`, `选择数:1-3`, `邮箱`, `正则:^\\d+$`, several separated by ；.

Errors name the row they come from; a file with any error converts to nothing.
"""
import csv
import io
import re

from campaigns.intake import FileRefused, xlsx_rows

HEADINGS = {
    "页面": "page", "page": "page", "代码": "name", "name": "name", "题型": "type", "type": "type",
    "标题": "title", "title": "title", "题目": "title", "选项": "choices", "choices": "choices",
    "必答": "required", "required": "required", "显示条件": "visibleIf", "visibleif": "visibleIf",
    "校验": "validators", "validators": "validators",
}
TYPES = {
    "单选": ("radiogroup", {}), "多选": ("checkbox", {}), "下拉": ("dropdown", {}), "填空": ("text", {}),
    "文本": ("text", {}), "数字": ("text", {"inputType": "number"}), "多行": ("comment", {}),
    "是否": ("boolean", {}), "评分": ("rating", {}), "邮箱": ("text", {"inputType": "email"}),
    "number": ("text", {"inputType": "number"}), "email": ("text", {"inputType": "email"}),
}
YES = {"是", "1", "y", "yes", "true", "必答", "√"}
NO = {"", "否", "0", "n", "no", "false"}
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2_000  # a questionnaire has questions, not data: a few hundred rows at most
MAX_COLUMNS = 50


class SpreadsheetInvalid(ValueError):
    def __init__(self, errors):
        super().__init__("；".join(errors))
        self.errors = errors


def read_rows(data, filename=""):
    """Rows (lists of strings) of an uploaded xlsx or csv, recognised by content, not name."""
    if len(data) > MAX_BYTES:
        raise SpreadsheetInvalid([f"文件过大（上限 {MAX_BYTES // 1024 // 1024} MB）"])
    if data[:4] == b"PK\x03\x04":
        # The one intake: zip checks first, then rows streamed up to the limit.
        try:
            return [
                ["" if c is None else str(c).strip() for c in values]
                for _, values in xlsx_rows(data, max_rows=MAX_ROWS, first_sheet=True, what="Excel 文件")
            ]
        except FileRefused as exc:
            raise SpreadsheetInvalid([str(exc).rstrip("。")]) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetInvalid(["文件既不是 Excel（.xlsx）也不是 UTF-8/GBK 编码的 CSV"])
    if "\x00" in text:
        raise SpreadsheetInvalid(["文件既不是 Excel（.xlsx）也不是文本 CSV"])
    rows = []
    for row in csv.reader(io.StringIO(text)):
        if len(rows) >= MAX_ROWS:
            raise SpreadsheetInvalid([f"文件超过 {MAX_ROWS} 行的上限"])
        rows.append([c.strip() for c in row[:MAX_COLUMNS]])
    return rows


def _split(text):
    return [p.strip() for p in re.split(r"[|｜;；\n]", text) if p.strip()]


def _validators(text, rowno):
    rules, errors = [], []
    for part in _split(text):
        kind, _, arg = part.replace("：", ":").partition(":")
        kind = kind.strip().lower()
        lo, _, hi = arg.partition("-")
        try:
            if kind in ("数值", "numeric"):
                rule = {"type": "numeric"}
                if lo.strip():
                    rule["minValue"] = float(lo) if "." in lo else int(lo)
                if hi.strip():
                    rule["maxValue"] = float(hi) if "." in hi else int(hi)
            elif kind in ("字数", "text"):
                rule = {"type": "text"}
                if lo.strip():
                    rule["minLength"] = int(lo)
                if hi.strip():
                    rule["maxLength"] = int(hi)
            elif kind in ("选择数", "answercount"):
                rule = {"type": "answercount"}
                if lo.strip():
                    rule["minCount"] = int(lo)
                if hi.strip():
                    rule["maxCount"] = int(hi)
            elif kind in ("邮箱", "email"):
                rule = {"type": "email"}
            elif kind in ("正则", "regex"):
                rule = {"type": "regex", "regex": arg}
            else:
                errors.append(f"第 {rowno} 行：不认识的校验“{part}”")
                continue
        except ValueError:
            errors.append(f"第 {rowno} 行：校验“{part}”中的数字有误")
            continue
        rules.append(rule)
    return rules, errors


def rows_to_schema(rows, title=""):
    """SurveyJS JSON from spreadsheet rows; raises SpreadsheetInvalid naming each bad row."""
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        raise SpreadsheetInvalid(["表格是空的"])
    header = [HEADINGS.get(h.strip().lower().replace(" ", ""), HEADINGS.get(h.strip())) for h in rows[0]]
    missing = [h for h in ("name", "type", "title") if h not in header]
    if missing:
        raise SpreadsheetInvalid(
            [f"第 1 行缺少列：{'、'.join(missing)}（应有 页面、代码、题型、标题、选项、必答、显示条件、校验）"]
        )
    pages, errors = {}, []
    for rowno, row in enumerate(rows[1:], start=2):
        cells = {key: (row[i] if i < len(row) else "") for i, key in enumerate(header) if key}
        qtype, extra = TYPES.get(cells["type"], (cells["type"], {}))
        if not qtype:
            errors.append(f"第 {rowno} 行：缺少题型")
            continue
        question = {"type": qtype, "name": cells["name"], "title": cells["title"] or cells["name"], **extra}
        choices = _split(cells.get("choices", ""))
        if choices:
            if choices[-1] in ("其他", "其它"):
                question["showOtherItem"] = True
                question["otherText"] = choices.pop()
            question["choices"] = [
                {"value": c.split("=", 1)[0].strip(), "text": c.split("=", 1)[1].strip()} if "=" in c else c
                for c in choices
            ]
        required = cells.get("required", "").strip().lower()
        if required in YES:
            question["isRequired"] = True
        elif required not in NO:
            errors.append(f"第 {rowno} 行：“必答”应填 是 或 否，而不是“{cells['required']}”")
        if cells.get("visibleIf"):
            question["visibleIf"] = cells["visibleIf"]
        if cells.get("validators"):
            rules, errs = _validators(cells["validators"], rowno)
            errors.extend(errs)
            if rules:
                question["validators"] = rules
        page = cells.get("page") or "第1页"
        pages.setdefault(page, []).append((rowno, question))
    if errors:
        raise SpreadsheetInvalid(errors)
    schema = {"title": title, "locale": "zh-cn", "pages": []}
    for i, (page, questions) in enumerate(pages.items(), start=1):
        schema["pages"].append({"name": f"page{i}", "title": page, "elements": [q for _, q in questions]})
    return schema, {q["name"]: rowno for qs in pages.values() for rowno, q in qs}
