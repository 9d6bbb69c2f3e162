"""Importing a campaign plan from a spreadsheet (xlsx, csv) or from the notice itself (txt, docx).

One path for the web and the `import_plan` command:

    source = read_plan_file(filename, data)          # checks size, type (by content), zip bombs, rows
    preview = build_preview(source, campaign)        # resolves units, compares with the plan; writes nothing
    if not preview.has_errors:
        commit_preview(preview, user=...)            # all or nothing, in one transaction

Rows match existing tasks by (campaign, task number): importing the same file twice
changes nothing, and a changed deadline updates the task in place, with the change kept
in its history. A blank deadline or notes cell leaves the task's value as it is (the
notice has no deadlines; the coordinator sets them). Tasks of the campaign that the file
does not mention are left alone.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from jobs.registry import job_function

from . import services
from .directory import Directory, UnknownUnit, assignments_from_entries
from .intake import FileRefused, check_zip, xlsx_rows
from .models import Assignment, Campaign, Section, Task, Unit, chinese_ordinal
from .notice import NUMERAL, NoticeError, chinese_number, docx_text, normalise_text, parse_notice

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000


def limit(name):
    return getattr(settings, f"IMPORT_{name}", globals()[name])


# The file as a whole is refused (too big, wrong type, unreadable, no header): nothing is read.
ImportRefused = FileRefused

# Column headers accepted for each field (first is the one exports write).
COLUMNS = {
    "section": ["活动安排", "重点活动安排", "活动", "section"],
    "number": ["编号", "序号", "任务编号", "number", "no"],
    "title": ["任务", "任务内容", "活动内容", "title", "task"],
    "units": ["责任单位", "牵头及配合单位", "单位", "units", "responsible units"],
    "deadline": ["完成时限", "截止日期", "时限", "完成时间", "deadline"],
    "notes": ["备注", "notes"],
}
REQUIRED = ("number", "title", "units")
FIELD_LABELS = {"section": "活动安排", "title": "任务", "units": "责任单位", "deadline": "完成时限", "notes": "备注"}


@dataclass
class SourceRow:
    row: int  # the spreadsheet's row number (the header is row 1) or the notice's line number
    section: object = None
    number: object = None
    title: object = None
    units: object = None
    deadline: object = None
    notes: object = None


@dataclass
class Source:
    """What a file holds, before anything is compared with the database."""

    filename: str
    kind: str  # "xlsx", "csv", "notice"
    rows: list
    sha256: str
    sections: dict = field(default_factory=dict)  # notice only: ordinal -> title
    meta: dict = field(default_factory=dict)  # notice only: campaign details

    @property
    def kind_display(self):
        return {"xlsx": "Excel 表格", "csv": "CSV 表格", "notice": "通知文本"}[self.kind]


# ---------------------------------------------------------------- reading files


def sniff(filename, data):
    """The file's type by its content ("xlsx", "docx", "text"), checked against its extension."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in {"xlsx", "csv", "txt", "docx"}:
        raise ImportRefused("只接受 .xlsx、.csv、.txt 或 .docx 文件。")
    if data[:4] == b"PK\x03\x04":
        names = check_zip(data, "Excel 文件" if ext == "xlsx" else "Word 文件")
        if "xl/workbook.xml" in names:
            kind = "xlsx"
        elif "word/document.xml" in names:
            kind = "docx"
        else:
            raise ImportRefused("文件内容既不是 Excel 表格也不是 Word 文档。")
    elif b"\x00" in data[:4096] or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRefused("文件不是文本、Excel（.xlsx）或 Word（.docx）格式；旧版 .xls/.doc 请另存为新格式。")
    else:
        kind = "text"
    expected = {"xlsx": "xlsx", "docx": "docx", "csv": "text", "txt": "text"}[ext]
    if kind != expected:
        raise ImportRefused(f"文件扩展名 .{ext} 与其内容不符。")
    return kind


def decode_text(data):
    """Text files from Chinese offices come as UTF-8 (with or without BOM) or GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused("无法识别文件的文字编码，请另存为 UTF-8 编码。")


def _table_to_rows(header, body):
    """Map header names to fields; body is [(row_number, [values])]."""
    columns = {}
    for index, name in enumerate(header):
        key = re.sub(r"\s+", "", str(name or "")).lower()
        for fieldname, names in COLUMNS.items():
            if fieldname not in columns and key in {n.lower().replace(" ", "") for n in names}:
                columns[fieldname] = index
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in columns]
    if missing:
        raise ImportRefused(
            "表格第1行应为表头，缺少以下列："
            + "、".join(missing)
            + "（可用列：活动安排、编号、任务、责任单位、完成时限、备注）。"
        )
    rows = []
    for number, values in body:
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        row = SourceRow(row=number)
        for fieldname, index in columns.items():
            setattr(row, fieldname, values[index] if index < len(values) else None)
        rows.append(row)
        if len(rows) > limit("MAX_ROWS"):
            raise ImportRefused(f"文件超过 {limit('MAX_ROWS')} 行的上限，已拒绝。")
    if not rows:
        raise ImportRefused("表格中没有任务行。")
    return rows


def _xlsx_table(data):
    """(header, [(row number, values)]) of the active sheet, read through the one intake
    (zip checks, dimensions ignored, streamed so the row limit stops a huge sheet early)."""
    budget = 2 * limit("MAX_ROWS") + 1000  # blank lines count too, but more loosely
    rows = xlsx_rows(data, max_rows=budget, too_long=f"文件超过 {limit('MAX_ROWS')} 行的上限，已拒绝。")
    header = next(rows, (1, []))[1]
    if not any(header):
        raise ImportRefused("表格是空的。")
    body = [(number, values[: len(header)]) for number, values in rows]
    return header, body


def _read_xlsx(data):
    return _table_to_rows(*_xlsx_table(data))


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
    """Undo the export's formula guard: "'=1+1" was written for the text "=1+1"."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _notice_rows(text):
    try:
        notice = parse_notice(text)
    except NoticeError as exc:
        raise ImportRefused(str(exc)) from None
    if len(notice.tasks) > limit("MAX_ROWS"):
        raise ImportRefused(f"通知中的任务超过 {limit('MAX_ROWS')} 项的上限，已拒绝。")
    rows = [
        SourceRow(
            row=t.line,
            section=(t.section, notice.sections.get(t.section, "")),
            number=t.number,
            title=t.title,
            units=t.units,
        )
        for t in notice.tasks
    ]
    return rows, notice


def read_plan_file(filename, data):
    """Read an uploaded plan (bytes) into a Source, refusing what is too big, of the wrong type or unreadable."""
    if len(data) > limit("MAX_BYTES"):
        raise ImportRefused(f"文件大小 {len(data) // 1024} KB 超过上限 {limit('MAX_BYTES') // 1024} KB，已拒绝。")
    if not data:
        raise ImportRefused("文件是空的。")
    kind = sniff(filename, data)
    digest = hashlib.sha256(data).hexdigest()
    ext = filename.rsplit(".", 1)[-1].lower()
    if kind == "xlsx":
        return Source(filename, "xlsx", _read_xlsx(data), digest)
    if kind == "docx":
        try:
            text = docx_text(data)
        except Exception as exc:  # any parser error (including a refused DTD) is a refused file
            raise ImportRefused(f"无法读取 Word 文件：{exc.__class__.__name__}") from None
    else:
        text = decode_text(data)
    if ext == "csv":
        return Source(filename, "csv", _read_csv(text), digest)
    rows, notice = _notice_rows(text)
    return Source(filename, "notice", rows, digest, sections=notice.sections, meta=notice.meta)


def read_notice_text(text):
    """Pasted notice text: the same as an uploaded .txt file."""
    return read_plan_file("粘贴的通知.txt", text.encode("utf-8"))


# ---------------------------------------------------------------- cell values


def parse_deadline(value, year):
    """2024-06-30, 2024/6/30, 2024.6.30, 2024年6月30日, 6月30日 (in `year`), or an Excel date cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and 20_000 < value < 80_000:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    text = re.sub(r"\s+", "", str(value))
    text = re.sub(r"(\d)(?:00:00:00|T00:00(?::00)?)$", r"\1", text)
    for pattern, has_year in (
        (r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", True),
        (r"(\d{4})年(\d{1,2})月(\d{1,2})日?", True),
        (r"(\d{1,2})月(\d{1,2})日?", False),
    ):
        if m := re.fullmatch(pattern, text):
            parts = [int(p) for p in m.groups()]
            try:
                return date(*parts) if has_year else date(year, *parts)
            except ValueError:
                break
    raise ValueError(f"无法识别的日期“{value}”（可写 2024-06-30、2024/6/30、2024年6月30日 或 6月30日）")


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


# ---------------------------------------------------------------- preview


NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
STATUS_LABELS = {NEW: "新增", CHANGED: "变更", UNCHANGED: "不变", ERROR: "错误"}


@dataclass
class RowPreview:
    row: int
    number: int | None = None
    section: tuple = (None, "")  # (ordinal, title)
    title: str = ""
    units: str = ""
    deadline: date | None = None
    notes: str = ""
    entries: list = field(default_factory=list)
    status: str = NEW
    changes: list = field(default_factory=list)  # [(label, old, new)]
    errors: list = field(default_factory=list)
    task: Task | None = None

    @property
    def status_display(self):
        return STATUS_LABELS[self.status]

    @property
    def messages(self):
        return [f"第{self.row}行：{e}" for e in self.errors]


@dataclass
class Preview:
    source: Source
    campaign: Campaign | None  # None: a new campaign will be created
    campaign_values: dict  # for a new campaign: the fields it will get
    rows: list
    sections: dict  # ordinal -> title, as they will be after the commit
    section_changes: list  # [(ordinal, old title or None, new title)]
    file_errors: list = field(default_factory=list)

    @property
    def has_errors(self):
        return bool(self.file_errors) or any(r.status == ERROR for r in self.rows)

    @property
    def errors(self):
        return self.file_errors + [m for r in self.rows for m in r.messages]

    def count(self, status):
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self):
        return {label: self.count(status) for status, label in STATUS_LABELS.items()}

    @property
    def fingerprint(self):
        """A digest of what the commit would do; a commit refuses if it changed since the preview."""
        h = hashlib.sha256(self.source.sha256.encode())
        for r in self.rows:
            h.update(f"{r.row}|{r.number}|{r.status}|{r.changes}|{r.errors}".encode())
        h.update(repr(self.section_changes).encode())
        return h.hexdigest()[:32]

    def as_text(self):
        """The preview for a terminal."""
        target = self.campaign.code if self.campaign else f"{self.campaign_values['code']}（新建，草稿）"
        lines = [f"导入 {self.source.filename}（{self.source.kind_display}）到活动方案 {target}"]
        for ordinal, old, new in self.section_changes:
            lines.append(f"  活动安排（{chinese_ordinal(ordinal)}）：" + (f"“{old}” → “{new}”" if old else f"新增“{new}”"))
        for r in self.rows:
            head = f"  第{r.row}行 任务{r.number or '?'} [{r.status_display}]"
            if r.status == ERROR:
                lines.append(head + " " + "；".join(r.errors))
            elif r.status == CHANGED:
                lines.append(
                    head
                    + " "
                    + "；".join(f"{label}：{old or '（空）'} → {new or '（空）'}" for label, old, new in r.changes)
                )
            else:
                lines.append(head + " " + r.title)
        lines.extend(self.file_errors)
        counts = "，".join(f"{label} {n}" for label, n in self.counts.items())
        lines.append(f"合计 {len(self.rows)} 行：{counts}")
        return "\n".join(lines)


def _units_key(pairs):
    return [(unit_id, role, group_id) for unit_id, role, group_id in pairs]


def _current_units(task):
    return [
        (a.unit_id, a.role, a.via_group_id)
        for a in sorted(task.assignments.all(), key=lambda a: (a.position, a.pk))
        if a.status != Assignment.Status.CANCELLED
    ]


def _fmt(value):
    if isinstance(value, date):
        return value.isoformat()
    return value or ""


def build_preview(source, campaign=None, *, new_code=None, year=None, directory=None, coordinating_unit=None):
    """Compare `source` with `campaign` (or a new campaign `new_code`) row by row; write nothing.

    Each row comes out new, changed (with its differences), unchanged or error (with the
    spreadsheet's row number in every message). Costs a fixed number of queries however
    many rows the file has.
    """
    directory = directory or Directory()
    campaign_values = {}
    if campaign is None:
        campaign_values = new_campaign_values(new_code, source, coordinating_unit)
        year = year or campaign_values["starts_on"].year
    else:
        year = year or campaign.starts_on.year
    existing_tasks, existing_sections = {}, {}
    if campaign is not None:
        existing_tasks = {
            t.number: t
            for t in Task.objects.filter(campaign=campaign)
            .select_related("section")
            .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("unit", "via_group")))
        }
        existing_sections = {s.ordinal: s.title for s in campaign.sections.all()}

    sections = dict(existing_sections)
    by_title = {title: ordinal for ordinal, title in existing_sections.items()}
    file_sections = {}  # ordinal -> (title, first row) as the file writes them
    section_changes = []
    rows, seen_numbers = [], {}
    current_section = (None, "")
    for src in source.rows:
        r = RowPreview(row=src.row)
        rows.append(r)
        # section: a blank cell continues the previous row's section
        try:
            ordinal, title = parse_section(src.section)
        except ValueError:
            ordinal, title = None, text_cell(src.section)
        if ordinal is None and not title:
            ordinal, title = current_section
        if ordinal is None and title:
            ordinal = (
                by_title.get(title)
                or next((o for o, (t, _) in file_sections.items() if t == title), None)
                or max([*sections, *file_sections, 0]) + 1
            )
        if not title and ordinal in sections:
            title = sections[ordinal]
        if ordinal is None or not title:
            r.errors.append("缺少活动安排（如“（一）活动启动”）")
        elif ordinal in file_sections and file_sections[ordinal][0] != title:
            other = file_sections[ordinal]
            r.errors.append(f"活动安排（{chinese_ordinal(ordinal)}）在第{other[1]}行写作“{other[0]}”，此处写作“{title}”")
        elif ordinal not in file_sections:
            file_sections[ordinal] = (title, src.row)
        current_section = (ordinal, title)
        r.section = (ordinal, title)

        try:
            r.number = parse_number(src.number)
        except ValueError:
            r.errors.append(f"任务编号“{text_cell(src.number)}”不是正整数")
        else:
            if r.number in seen_numbers:
                r.errors.append(f"任务编号 {r.number} 与第{seen_numbers[r.number]}行重复")
            else:
                seen_numbers[r.number] = src.row

        r.title = normalise_text(text_cell(src.title)) if source.kind == "notice" else text_cell(src.title)
        if not r.title:
            r.errors.append("缺少任务内容")
        elif len(r.title) > Task._meta.get_field("title").max_length:
            r.errors.append("任务内容超过 500 字")

        r.units = text_cell(src.units)
        if not r.units:
            r.errors.append("缺少责任单位")
        else:
            try:
                r.entries = directory.resolve(r.units)
            except UnknownUnit as exc:
                r.errors.append(str(exc))

        try:
            r.deadline = parse_deadline(src.deadline, year)
        except ValueError as exc:
            r.errors.append(str(exc))
        r.notes = text_cell(src.notes)

        if r.errors:
            r.status = ERROR
            continue
        task = existing_tasks.get(r.number)
        r.task = task
        if task is None:
            r.status = NEW
            continue
        wanted_units = [(u.pk, role, g.pk if g else None) for u, role, g, _ in assignments_from_entries(r.entries)]
        if task.title != r.title:
            r.changes.append(("任务", task.title, r.title))
        if task.section.ordinal != ordinal:
            r.changes.append(("活动安排", task.section.title, title))
        if r.deadline is not None and task.deadline != r.deadline:
            r.changes.append(("完成时限", _fmt(task.deadline), _fmt(r.deadline)))
        if r.notes and task.notes != r.notes:
            r.changes.append(("备注", task.notes, r.notes))
        if _units_key(_current_units(task)) != wanted_units:
            r.changes.append(("责任单位", task.responsible_display(), r.units))
        r.status = CHANGED if r.changes else UNCHANGED

    for ordinal, (title, _) in sorted(file_sections.items()):
        if sections.get(ordinal) != title:
            section_changes.append((ordinal, sections.get(ordinal), title))
            sections[ordinal] = title
    preview = Preview(
        source=source,
        campaign=campaign,
        campaign_values=campaign_values,
        rows=rows,
        sections=sections,
        section_changes=section_changes,
    )
    if campaign is None and campaign_values["coordinating_unit"] is None:
        preview.file_errors.append("单位目录中没有可作为协调单位的省局处室，请先导入单位目录。")
    return preview


# ---------------------------------------------------------------- new campaigns


def default_coordinating_unit():
    """The unit a new campaign is coordinated by when none is named: the coordinating unit of
    the latest campaign, else the first provincial division of the directory."""
    latest = Campaign.objects.order_by("-created_at", "-pk").select_related("coordinating_unit").first()
    if latest is not None:
        return latest.coordinating_unit
    return Unit.objects.filter(kind=Unit.Kind.PROVINCIAL_DIVISION).order_by("ordinal", "name").first()


def new_campaign_values(code, source, coordinating_unit=None):
    """The fields of a campaign created by an import (status draft).

    From the notice where it states them (title, document number, issuing authority,
    issued on, theme, content areas, period, summary due date); otherwise the title is
    the file's name, the period is the whole year of the earliest full date in the file
    (else this year) and the summary is due at the period's end.
    """
    meta = source.meta
    year = None
    for row in source.rows:
        value = row.deadline
        if isinstance(value, date | datetime):
            year = value.year if year is None else min(year, value.year)
        elif isinstance(value, str) and (m := re.match(r"\s*(\d{4})\s*[-/.年]", value)):
            year = int(m.group(1)) if year is None else min(year, int(m.group(1)))
    if year is None:
        year = (meta.get("starts_on") or meta.get("issued_on") or timezone.localdate()).year
    starts_on = meta.get("starts_on") or date(year, 1, 1)
    ends_on = meta.get("ends_on") or date(starts_on.year, 12, 31)
    stem = source.filename.rsplit(".", 1)[0]
    return {
        "code": code,
        "title": meta.get("title") or stem[:200],
        "document_number": meta.get("document_number", ""),
        "issuing_authority": meta.get("issuing_authority", ""),
        "issued_on": meta.get("issued_on"),
        "theme": meta.get("theme", ""),
        "content_areas": meta.get("content_areas", []),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "summary_due": meta.get("summary_due") or ends_on,
        "status": Campaign.Status.DRAFT,
        "coordinating_unit": coordinating_unit or default_coordinating_unit(),
    }


# ---------------------------------------------------------------- commit


class StalePreview(ValueError):
    """The plan or the directory changed since the preview: the coordinator must look again."""


@transaction.atomic
def commit_preview(preview, *, user=None, expected_fingerprint=None):
    """Write an error-free preview: sections, new tasks, changed tasks and their units, all or nothing.

    New tasks and their assignments are written in bulk (with their history rows); a
    changed task is saved in place with "导入：<file>" as the reason in its history, and
    its units synced by services.set_task_units. Returns the campaign.
    """
    if preview.has_errors:
        raise ValueError("a preview with errors cannot be committed")
    if expected_fingerprint is not None and preview.fingerprint != expected_fingerprint:
        raise StalePreview("预览后数据已有变化，请重新核对预览。")
    reason = f"导入：{preview.source.filename}"[:100]
    campaign = preview.campaign
    if campaign is None:
        values = dict(preview.campaign_values)
        if values["coordinating_unit"] is None:
            raise ValueError("no coordinating unit for the new campaign")
        campaign = Campaign.objects.create(**values)

    sections = {s.ordinal: s for s in Section.objects.filter(campaign=campaign)}
    for ordinal, _old, title in preview.section_changes:
        if ordinal in sections:
            sections[ordinal].title = title
            sections[ordinal].save(update_fields=["title"])
        else:
            sections[ordinal] = Section.objects.create(campaign=campaign, ordinal=ordinal, title=title)

    new_rows = [r for r in preview.rows if r.status == NEW]
    tasks = [
        Task(
            campaign=campaign,
            section=sections[r.section[0]],
            number=r.number,
            title=r.title,
            deadline=r.deadline,
            original_deadline=r.deadline,
            notes=r.notes,
        )
        for r in new_rows
    ]
    batch = 500
    tasks = bulk_create_with_history(tasks, Task, batch_size=batch, default_user=user, default_change_reason=reason)
    if tasks and tasks[0].pk is None:  # a backend without RETURNING: read the ids back
        ids = dict(Task.objects.filter(campaign=campaign).values_list("number", "pk"))
        for task in tasks:
            task.pk = task.id = ids[task.number]
    assignments = [
        Assignment(task=task, unit=unit, role=role, via_group=group, position=position)
        for task, r in zip(tasks, new_rows, strict=True)
        for unit, role, group, position in assignments_from_entries(r.entries)
    ]
    bulk_create_with_history(assignments, Assignment, batch_size=batch, default_user=user, default_change_reason=reason)

    for r in preview.rows:
        if r.status != CHANGED:
            continue
        task = r.task
        labels = {label for label, _, _ in r.changes}
        fields = []
        if "任务" in labels:
            task.title = r.title
            fields.append("title")
        if "活动安排" in labels:
            task.section = sections[r.section[0]]
            fields.append("section")
        if "完成时限" in labels:
            task.deadline = r.deadline
            fields.append("deadline")
        if "备注" in labels:
            task.notes = r.notes
            fields.append("notes")
        if fields:
            task._change_reason = reason
            if user is not None:
                task._history_user = user
            task.save(update_fields=fields)
        if "责任单位" in labels:
            services.set_task_units(task, r.entries)
    return campaign


def import_plan(source, campaign=None, *, new_code=None, user=None, dry_run=False):
    """Preview `source` against `campaign` (or a new campaign `new_code`) and, unless
    `dry_run` or the preview has errors, commit it. Returns (preview, campaign or None)."""
    preview = build_preview(source, campaign, new_code=new_code)
    if preview.has_errors or dry_run:
        return preview, None
    return preview, commit_preview(preview, user=user)


# ---------------------------------------------------------------- pending uploads


def _pending_dir():
    from pathlib import Path

    path = Path(settings.MEDIA_ROOT) / "imports-pending"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stash_upload(data, filename, *, user, scope, fingerprint):
    """Keep an uploaded file between preview and commit; returns a signed token naming it.

    The file sits under MEDIA_ROOT/imports-pending with a random name; the token (signed
    with SECRET_KEY, valid for PENDING_MAX_AGE seconds) binds it to the user, the scope
    (campaign code) and the file's digest, and carries the preview's fingerprint.
    """
    import secrets
    import time

    from django.core import signing

    directory = _pending_dir()
    cutoff = time.time() - PENDING_MAX_AGE
    for old in directory.iterdir():  # leftovers of abandoned previews
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    name = secrets.token_hex(16)
    (directory / name).write_bytes(data)
    payload = {
        "f": name,
        "n": filename,
        "u": user.pk,
        "s": scope,
        "h": hashlib.sha256(data).hexdigest(),
        "p": fingerprint,
    }
    return signing.dumps(payload, salt="campaigns.importing")


def load_stash(token, *, user, scope):
    """(filename, data, fingerprint) of a stashed upload, or ImportRefused if the token is
    bad, expired, someone else's, for another scope, or its file is gone or altered."""
    from django.core import signing

    try:
        payload = signing.loads(token or "", salt="campaigns.importing", max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        raise ImportRefused("预览已过期或无效，请重新上传文件。") from None
    if payload.get("u") != user.pk or payload.get("s") != scope or not re.fullmatch(r"[0-9a-f]{32}", payload.get("f", "")):
        raise ImportRefused("预览已过期或无效，请重新上传文件。")
    path = _pending_dir() / payload["f"]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportRefused("预览已过期或已提交，请重新上传文件。") from None
    if hashlib.sha256(data).hexdigest() != payload["h"]:
        raise ImportRefused("预览已过期或无效，请重新上传文件。")
    return payload["n"], data, payload["p"]


def drop_stash(token):
    from django.core import signing

    try:
        payload = signing.loads(token, salt="campaigns.importing", max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        return
    if re.fullmatch(r"[0-9a-f]{32}", payload.get("f", "")):
        (_pending_dir() / payload["f"]).unlink(missing_ok=True)


PENDING_MAX_AGE = 3600


# ---------------------------------------------------------------- the directory (units)


def unit_resource():
    """A django-import-export ModelResource for units, matched by name, with Chinese columns.

    Written in bulk with every existing unit and region loaded up front, so previewing or
    importing a directory costs the same few queries however many rows it has. Rows are
    validated here rather than by Model.full_clean (which would query once per row).
    """
    from import_export import fields, instance_loaders, resources, widgets

    from .models import Region

    kinds = {str(label): value for value, label in Unit.Kind.choices} | {value: value for value in Unit.Kind.values}

    class KindWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            text = re.sub(r"\s+", "", str(value or ""))
            if text not in kinds:
                raise ValueError(f"类别“{text}”无效，应为：" + "、".join(str(label) for _, label in Unit.Kind.choices))
            return kinds[text]

        def render(self, value, obj=None, **kwargs):
            return Unit.Kind(value).label if value else ""

    class AliasesWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return [part.strip() for part in re.split(r"[、，,;；\n]", str(value or "")) if part.strip()]

        def render(self, value, obj=None, **kwargs):
            return "、".join(value or [])

    regions = {}
    for region in Region.objects.all():
        regions.setdefault(region.name, region)
        if region.short_name:
            regions.setdefault(region.short_name, region)

    class RegionWidget(widgets.ForeignKeyWidget):
        def clean(self, value, row=None, **kwargs):
            name = text_cell(value)
            if not name:
                return None
            if name not in regions:
                raise ValueError(f"未知地区“{name}”")
            return regions[name]

    class TextWidget(widgets.CharWidget):
        def __init__(self, max_length=None, **kwargs):
            super().__init__(**kwargs)
            self.max_length = max_length

        def clean(self, value, row=None, **kwargs):
            text = text_cell(value)
            if self.max_length and len(text) > self.max_length:
                raise ValueError(f"“{text[:20]}…”超过 {self.max_length} 字")
            return text

    class OrdinalWidget(widgets.IntegerWidget):
        def clean(self, value, row=None, **kwargs):
            if text_cell(value) == "":
                return 0
            try:
                number = parse_number(value) if text_cell(value) != "0" else 0
            except ValueError:
                raise ValueError(f"排序“{text_cell(value)}”不是非负整数") from None
            return number

    class _UnitResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="名称", widget=TextWidget(100))
        short_name = fields.Field(attribute="short_name", column_name="简称", widget=TextWidget(40))
        aliases = fields.Field(attribute="aliases", column_name="别名", widget=AliasesWidget())
        kind = fields.Field(attribute="kind", column_name="类别", widget=KindWidget())
        region = fields.Field(attribute="region", column_name="地区", widget=RegionWidget(Region, "name"))
        description = fields.Field(attribute="description", column_name="说明", widget=TextWidget(200))
        ordinal = fields.Field(attribute="ordinal", column_name="排序", widget=OrdinalWidget())

        class Meta:
            model = Unit
            fields = ("name", "short_name", "aliases", "kind", "region", "description", "ordinal")
            import_id_fields = ("name",)
            instance_loader_class = instance_loaders.CachedInstanceLoader
            use_bulk = True
            batch_size = 500
            skip_unchanged = True
            report_skipped = True
            store_instance = True

        def before_import(self, dataset, **kwargs):
            self._seen = {}

        def before_import_row(self, row, row_number=None, **kwargs):
            name = text_cell(row.get("名称"))
            if not name:
                raise ValueError("缺少单位名称")
            if name in self._seen:
                raise ValueError(f"单位名称与第{self._seen[name] + 1}行重复")
            self._seen[name] = row_number

    return _UnitResource()


UNIT_COLUMNS = ("名称", "简称", "别名", "类别", "地区", "说明", "排序")


def read_units_file(filename, data):
    """An uploaded units spreadsheet (xlsx or csv) as a tablib Dataset, after the same checks as plans."""
    import tablib

    if len(data) > limit("MAX_BYTES"):
        raise ImportRefused(f"文件大小 {len(data) // 1024} KB 超过上限 {limit('MAX_BYTES') // 1024} KB，已拒绝。")
    kind = sniff(filename, data)
    if kind == "xlsx":
        header, body = _xlsx_table(data)
        dataset = tablib.Dataset(headers=[text_cell(h) for h in header])
        for _, values in body:
            dataset.append((list(values) + [None] * len(header))[: len(header)])
    elif filename.lower().endswith(".csv"):
        rows = list(csv.reader(io.StringIO(decode_text(data))))
        if not rows:
            raise ImportRefused("表格是空的。")
        dataset = tablib.Dataset(headers=rows[0])
        width = len(rows[0])
        for values in rows[1:]:
            dataset.append(([unescape_csv(v) for v in values] + [""] * width)[:width])
    else:
        raise ImportRefused("单位目录只接受 .xlsx 或 .csv 表格。")
    headers = [re.sub(r"\s+", "", str(h or "")) for h in dataset.headers or []]
    if "名称" not in headers or "类别" not in headers:
        raise ImportRefused("表格第1行应为表头，至少包含“名称”“类别”两列（可用列：" + "、".join(UNIT_COLUMNS) + "）。")
    dataset.headers = headers
    if dataset.height > limit("MAX_ROWS"):
        raise ImportRefused(f"文件超过 {limit('MAX_ROWS')} 行的上限，已拒绝。")
    return dataset


@dataclass
class UnitRow:
    row: int
    name: str
    status: str
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def status_display(self):
        return STATUS_LABELS[self.status]


def _unit_rows(result, dataset):
    """django-import-export's result as preview rows with sheet row numbers (header = row 1)."""
    from import_export.results import RowResult

    rows = []
    errors = {number: errs for number, errs in result.row_errors()}
    invalid = {inv.number: inv for inv in result.invalid_rows}
    for index, row_result in enumerate(result.rows, start=1):
        name = text_cell(dataset[index - 1][dataset.headers.index("名称")]) if index <= dataset.height else ""
        r = UnitRow(row=index + 1, name=name, status=UNCHANGED)
        if index in errors:
            r.status = ERROR
            r.errors = [str(e.error) for e in errors[index]]
        elif index in invalid or row_result.import_type == RowResult.IMPORT_TYPE_INVALID:
            r.status = ERROR
            inv = invalid.get(index)
            labels = dict(
                zip(("name", "short_name", "aliases", "kind", "region", "description", "ordinal"), UNIT_COLUMNS, strict=True)
            )
            r.errors = [
                f"{labels.get(k, k)}：{'；'.join(map(str, v))}" for k, v in (inv.error_dict.items() if inv else [])
            ] or ["数据无效"]
        elif row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            r.status = NEW
        elif row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            r.status = CHANGED
            before, after = row_result.original, row_result.instance
            for fieldname, label in zip(
                ("short_name", "aliases", "kind", "region_id", "description", "ordinal"), UNIT_COLUMNS[1:], strict=True
            ):
                if before is not None and after is not None and getattr(before, fieldname) != getattr(after, fieldname):
                    r.changes.append((label, getattr(before, fieldname), getattr(after, fieldname)))
        rows.append(r)
    return rows


def preview_units(dataset):
    """Dry-run the units import (rolled back); returns the preview rows."""
    resource = unit_resource()
    result = resource.import_data(dataset, dry_run=True, use_transactions=True, raise_errors=False)
    rows = _unit_rows(result, dataset)
    for error in result.base_errors:
        rows.append(UnitRow(row=0, name="", status=ERROR, errors=[f"无法写入：{error.error}"]))
    return rows


@transaction.atomic
def import_units(dataset):
    """Create and update units from `dataset`, all or nothing; returns the preview rows.

    Raises ValueError (and writes nothing) if any row has an error.
    """
    resource = unit_resource()
    result = resource.import_data(
        dataset, dry_run=False, use_transactions=True, raise_errors=False, rollback_on_validation_errors=True
    )
    rows = _unit_rows(result, dataset)
    if result.base_errors or any(r.status == ERROR for r in rows):
        transaction.set_rollback(True)
        raise ValueError("units import has errors")
    return rows


# ---------------------------------------------------------------- big imports on the job queue


@job_function
def commit_import_job(job, code, token):
    """Commit a previewed plan import on the job queue (plans over IMPORT_QUEUE_ROWS rows).

    Same checks as the web commit: the stashed file is re-read and re-validated, and a plan
    changed since the preview refuses the commit (all or nothing) with a Chinese message.
    """
    from jobs.services import JobRefused

    from . import access

    campaign = access.get_campaign_for_user(job.owner, code, coordinate=True)
    job.progress(5, "正在读取已预览的文件")
    try:
        filename, data, fingerprint = load_stash(token, user=job.owner, scope=campaign.code)
        source = read_plan_file(filename, data)
    except ImportRefused as exc:
        raise JobRefused(str(exc)) from None
    job.progress(20, "正在核对")
    preview = build_preview(source, campaign)
    if preview.has_errors:
        raise JobRefused("文件中有错误，未导入任何内容，请重新导入并查看预览。")
    job.progress(40, f"正在写入 {len(preview.rows)} 行")
    try:
        commit_preview(preview, user=job.owner, expected_fingerprint=fingerprint)
    except StalePreview:
        raise JobRefused("预览之后方案已被修改，未导入任何内容，请重新导入并查看预览。") from None
    drop_stash(token)
    counts = preview.counts
    return f"已导入 {filename}：新增 {counts['新增']} 项，变更 {counts['变更']} 项，不变 {counts['不变']} 项。"
