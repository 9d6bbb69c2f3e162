"""Reading a plan file into rows: spreadsheets (xlsx, csv), Word (.docx paragraphs and tables),
text (.txt or pasted) and text PDF. Nothing here touches the database.

Tables are matched by what their headers mean (序号 | 任务 | 牵头单位 | 配合单位 | 完成时限, and
the like); running text goes through the structural reader (campaigns/notice.py).
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings

from ..formulas import csv_unescape
from ..intake import FileRefused, check_size, decode_text, pdf_text, sniff, xlsx_rows
from ..notice import NUMERAL, NoticeError, chinese_number, normalise_text, open_docx, parse_notice, split_heading
from ..plan_grammar import CO, LEAD, Party, parse_party_zone, read_time_limit

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024

# The file as a whole is refused (too big, wrong type, unreadable, no header): nothing is read.
ImportRefused = FileRefused


def limit(name):
    return getattr(settings, f"IMPORT_{name}", globals()[name])


# Column headers exports write, per field (the reader also recognises others by meaning).
COLUMNS = {
    "section": ["活动安排", "重点活动安排", "活动", "section"],
    "number": ["编号", "序号", "任务编号", "number", "no"],
    "title": ["任务", "任务内容", "活动内容", "title", "task"],
    "units": ["责任单位", "牵头及配合单位", "单位", "units", "responsible units"],
    "deadline": ["完成时限", "截止日期", "时限", "完成时间", "deadline"],
    "notes": ["备注", "notes"],
}
FIELD_LABELS = {
    "section": "活动安排",
    "number": "编号",
    "title": "任务",
    "units": "责任单位",
    "lead": "牵头单位",
    "co": "配合单位",
    "deadline": "完成时限",
    "notes": "备注",
    "description": "说明",
}


def header_field(name):
    """The field a table header means, or None: "牵头部门" -> lead, "完成时间节点" -> deadline ..."""
    key = re.sub(r"\s+", "", str(name or "")).lower()
    if not key:
        return None
    for fieldname, names in COLUMNS.items():
        if key in {n.lower().replace(" ", "") for n in names}:
            return fieldname
    rules = [
        ("number", r"^(序号|编号|序|no\.?|任务编号|号)$"),
        ("deadline", r"时限|时间|截止|期限|deadline"),
        ("notes", r"备注|notes"),
        ("lead", r"牵头|主责|主办|lead"),
        ("co", r"配合|参与|协办|协助|co-?responsible"),
        ("units", r"责任|单位|部门|units"),
        ("section", r"类别|领域|板块|分类|方面|section|活动安排"),
        ("title", r"任务|内容|措施|事项|工作|举措|项目|title|task"),
    ]
    for fieldname, pattern in rules:
        if re.search(pattern, key):
            return fieldname
    return None


@dataclass
class SourceRow:
    row: int  # the spreadsheet's row number (the header is row 1) or the text's line number
    section: object = None
    number: object = None
    title: object = None
    units: object = None  # the parties as written, for display
    deadline: object = None
    notes: object = None
    parties: list | None = None  # [plan_grammar.Party] when the reader already parsed them
    description: str = ""
    label: str = ""  # the published numbering ("二、（一）3.") where it differs from the number
    path: list = field(default_factory=list)  # the section path, outermost first
    carried: bool = False  # parties from an earlier "下同"


@dataclass
class Source:
    """What a file holds, before anything is compared with the database."""

    filename: str
    kind: str  # "xlsx", "csv", "notice", "docx-table"
    rows: list
    sha256: str
    sections: dict = field(default_factory=dict)  # notice only: ordinal -> title
    meta: dict = field(default_factory=dict)  # notice only: campaign details
    level: str = ""  # notice only: the task level read
    levels: list = field(default_factory=list)  # notice only: [(kind, label, count)]
    dropped_lines: int = 0

    @property
    def kind_display(self):
        return {"xlsx": "Excel 表格", "csv": "CSV 表格", "notice": "通知文本", "docx-table": "Word 表格"}[self.kind]


# ---------------------------------------------------------------- tables


def _columns(header):
    columns = {}
    for index, name in enumerate(header):
        fieldname = header_field(name)
        if fieldname and fieldname not in columns:
            columns[fieldname] = index
    return columns


def _table_to_rows(header, body, *, number_required=True):
    """Map header names to fields; body is [(row_number, [values])]."""
    columns = _columns(header)
    required = ["title"] + (["number"] if number_required else [])
    missing = [COLUMNS[f][0] for f in required if f not in columns]
    if "units" not in columns and "lead" not in columns:
        missing.append("责任单位")
    if missing:
        raise ImportRefused(
            "表格第1行应为表头，缺少以下列："
            + "、".join(missing)
            + "（可用列：活动安排、编号、任务、责任单位（或牵头单位、配合单位）、完成时限、备注）。"
        )
    rows = []
    for number, values in body:
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        row = SourceRow(row=number)
        for fieldname, index in columns.items():
            value = values[index] if index < len(values) else None
            if fieldname in ("lead", "co"):
                continue
            setattr(row, fieldname, value)
        if "lead" in columns:
            lead = text_cell(values[columns["lead"]] if columns["lead"] < len(values) else None)
            co = text_cell(values[columns["co"]] if "co" in columns and columns["co"] < len(values) else None)
            row.parties = _cell_parties(lead, LEAD) + _cell_parties(co, CO)
            row.units = "；".join(filter(None, [lead and f"牵头：{lead}", co and f"配合：{co}"]))
        rows.append(row)
        if len(rows) > limit("MAX_ROWS"):
            raise ImportRefused(f"文件超过 {limit('MAX_ROWS')} 行的上限，已拒绝。")
    if not rows:
        raise ImportRefused("表格中没有任务行。")
    return rows


def _cell_parties(text, role):
    if not text:
        return []
    zone = parse_party_zone(text, trusted=True)
    if zone is None:
        return []
    return [Party(p.phrase, role if p.role is None or role == CO else p.role) for p in zone.parties]


def xlsx_table(data):
    """(header, [(row number, values)]) of the active sheet, read through the one intake
    (zip checks, dimensions ignored, streamed so the row limit stops a huge sheet early)."""
    budget = 2 * limit("MAX_ROWS") + 1000  # blank lines count too, but more loosely
    rows = xlsx_rows(data, max_rows=budget, too_long=f"文件超过 {limit('MAX_ROWS')} 行的上限，已拒绝。")
    header = next(rows, (1, []))[1]
    if not any(header):
        raise ImportRefused("表格是空的。")
    body = [(number, values[: len(header)]) for number, values in rows]
    return header, body


def _read_csv(text):
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused("表格是空的。") from None
    except csv.Error as exc:
        raise ImportRefused(f"无法读取 CSV 文件：{exc}") from None
    try:
        body = [(i + 2, [unescape_csv(v) for v in values]) for i, values in enumerate(reader)]
    except csv.Error as exc:
        raise ImportRefused(f"无法读取 CSV 文件：{exc}") from None
    return _table_to_rows(header, body)


def unescape_csv(value):
    """Undo the export's formula guard (campaigns.formulas): "'=1+1" was written for the text "=1+1"."""
    return csv_unescape(value)


def _docx_task_table(document):
    """Rows of the document's task tables (a header naming a task column and a party column),
    or None when it has none. A row whose cells all say the same (a merged row) is a section."""
    rows, section, count = [], None, 0
    for table in document.tables:
        cells = [[normalise_text(c.text) for c in r.cells] for r in table.rows[: limit("MAX_ROWS") + 10]]
        if not cells:
            continue
        header_at = next(
            (
                i
                for i, r in enumerate(cells[:3])
                if "title" in _columns(r) and ({"units", "lead"} & set(_columns(r)))
            ),
            None,
        )
        if header_at is None:
            continue
        columns = _columns(cells[header_at])
        for values in cells[header_at + 1 :]:
            count += 1
            filled = [v for v in values if v]
            if not filled:
                continue
            if len(set(filled)) == 1 and len(values) > 1:
                section = filled[0]
                continue
            row = SourceRow(row=count)
            title = values[columns["title"]]
            row.title, row.description = split_heading(title)
            row.number = values[columns["number"]] if "number" in columns else None
            row.section = values[columns["section"]] if "section" in columns else section
            row.deadline = values[columns["deadline"]] if "deadline" in columns else None
            row.notes = values[columns["notes"]] if "notes" in columns else None
            lead = values[columns["lead"]] if "lead" in columns else values[columns["units"]]
            co = values[columns["co"]] if "co" in columns else ""
            row.parties = _cell_parties(lead, LEAD if "lead" in columns else None) + _cell_parties(co, CO)
            row.units = lead + (f"；配合：{co}" if co else "")
            rows.append(row)
    if not rows:
        return None
    if any(r.number in (None, "") for r in rows) or len({str(r.number) for r in rows}) != len(rows):
        for index, r in enumerate(rows, start=1):
            if r.number not in (None, ""):
                r.label = str(r.number)
            r.number = index
    return rows


# ---------------------------------------------------------------- running text


def _notice_source(filename, text, digest, level=None):
    try:
        notice = parse_notice(text, level=level)
    except NoticeError as exc:
        raise ImportRefused(str(exc)) from None
    if len(notice.tasks) > limit("MAX_ROWS"):
        raise ImportRefused(f"通知中的任务超过 {limit('MAX_ROWS')} 项的上限，已拒绝。")
    rows = [
        SourceRow(
            row=t.line,
            section=(None, notice.sections.get(t.section, "")),  # matched to the plan by title
            number=t.number,
            title=t.title,
            units=t.units,
            parties=t.parties,
            deadline=t.deadline or None,
            description=t.description,
            label=t.label,
            path=t.path,
            carried=t.carried,
        )
        for t in notice.tasks
    ]
    return Source(
        filename,
        "notice",
        rows,
        digest,
        sections=notice.sections,
        meta=notice.meta,
        level=notice.level,
        levels=notice.levels,
        dropped_lines=notice.dropped_lines,
    )


def read_plan_file(filename, data, *, level=None):
    """Read an uploaded plan (bytes) into a Source, refusing what is too big, of the wrong type or
    unreadable. `level` picks the task level of a notice (see notice.parse_notice)."""
    check_size(data)
    kind = sniff(filename, data)
    digest = hashlib.sha256(data).hexdigest()
    ext = filename.rsplit(".", 1)[-1].lower()
    if kind == "xlsx":
        return Source(filename, "xlsx", _table_to_rows(*xlsx_table(data)), digest)
    if kind == "pdf":
        return _notice_source(filename, pdf_text(data), digest, level)
    if kind == "docx":
        try:
            document = open_docx(data)
            table_rows = _docx_task_table(document)
            if table_rows is None:
                lines = [p.text for p in document.paragraphs]
                for table in document.tables:
                    for row in table.rows:
                        lines.append(" ".join(cell.text for cell in row.cells))
                text = "\n".join(lines)
        except Exception as exc:  # any parser error (including a refused DTD) is a refused file
            raise ImportRefused(f"无法读取 Word 文件：{exc.__class__.__name__}") from None
        if table_rows is not None:
            if len(table_rows) > limit("MAX_ROWS"):
                raise ImportRefused(f"文件超过 {limit('MAX_ROWS')} 行的上限，已拒绝。")
            meta = _notice_meta("\n".join(p.text for p in document.paragraphs))
            return Source(filename, "docx-table", table_rows, digest, meta=meta)
        return _notice_source(filename, text, digest, level)
    text = decode_text(data)
    if ext == "csv":
        return Source(filename, "csv", _read_csv(text), digest)
    return _notice_source(filename, text, digest, level)


def _notice_meta(text):
    from ..notice import _meta, clean_lines, read_items

    lines, _, full_lines = clean_lines(text)
    roots, _ = read_items(lines, full_lines)
    return _meta([line for _, line in lines], roots)


# ---------------------------------------------------------------- cell values


def parse_deadline(value, year):
    """(date or None) for a deadline cell or text: 2024-06-30, 2024/6/30, 2024年6月30日, 6月30日 (in
    `year`), an Excel date, or as plans write it ("6月底前", "2024年底", "第三季度"); "长期坚持" and
    other ongoing phrases give None (see deadline_reading). ValueError if unreadable."""
    return deadline_reading(value, year)[0]


def deadline_reading(value, year):
    """(date or None, ongoing) for a deadline cell or text; ValueError with a Chinese message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, False
    if isinstance(value, datetime):
        return value.date(), False
    if isinstance(value, date):
        return value, False
    if isinstance(value, int | float) and 20_000 < value < 80_000:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date(), False
    text = re.sub(r"\s+", "", str(value))
    text = re.sub(r"(\d)(?:00:00:00|T00:00(?::00)?)$", r"\1", text)
    try:
        return read_time_limit(text, year)
    except ValueError:
        raise ValueError(
            f"无法识别的日期“{value}”（可写 2024-06-30、2024/6/30、2024年6月30日、6月30日、6月底前 或 长期坚持）"
        ) from None


def parse_number(value):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = re.sub(r"\s+", "", str(value or "")).rstrip(".．、")
        if not text.isdigit():
            raise ValueError
        number = int(text)
    if not 1 <= number <= 100_000:
        raise ValueError
    return number


_SECTION_CELL = re.compile(rf"^(?:[（(]\s*([{NUMERAL}]+|\d+)\s*[)）]|([{NUMERAL}]+|\d+)\s*[、.．])\s*(.*?)\s*$")


def parse_section(value):
    """ "（一）活动启动" / "一、活动启动" / "1. 活动启动" -> (1, "活动启动"); a bare title -> (None, title)."""
    if isinstance(value, tuple):
        return value
    text = str(value or "").strip()
    if not text:
        return None, ""
    if re.fullmatch(rf"[{NUMERAL}]+|\d+", text):  # a bare number: the existing section's title
        return (int(text) if text.isdigit() else chinese_number(text)), ""
    if m := _SECTION_CELL.match(text):
        numeral = m.group(1) or m.group(2)
        ordinal = int(numeral) if numeral.isdigit() else chinese_number(numeral)
        return ordinal, normalise_text(m.group(3))
    return None, normalise_text(text)


def text_cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
