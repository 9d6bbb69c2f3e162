"""Exports (xlsx and csv, Chinese headers) of a campaign's tasks and assignments.

Rows come from the access helpers, so an export holds only what its user may see. A text
cell starting with = + - @, a tab or a carriage return is written as text, never as a
formula: in xlsx as a string cell with Excel's quote prefix, in csv behind a leading "'"
(which the importer strips again).
"""

import csv
import io
from datetime import date, datetime

from django.db.models import Prefetch
from django.utils import timezone
from import_export import resources
from import_export.fields import Field
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from . import access
from .models import Assignment, Task

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _section_label(section):
    return f"（{section.numeral}）{section.title}"


class TaskExport(resources.Resource):
    """The plan with its progress: one row per task. Its first six columns are the import's."""

    section = Field(column_name="活动安排")
    number = Field(column_name="编号")
    title = Field(attribute="title", column_name="任务")
    units = Field(column_name="责任单位")
    deadline = Field(column_name="完成时限")
    notes = Field(attribute="notes", column_name="备注")
    original_deadline = Field(column_name="原定完成时限")
    status = Field(column_name="状态")
    progress = Field(column_name="进度（%）")

    class Meta:
        fields = ("section", "number", "title", "units", "deadline", "notes", "original_deadline", "status", "progress")

    # dehydrate_* keep numbers and dates typed (a Field's widget would render them as text).
    def dehydrate_number(self, task):
        return task.number

    def dehydrate_section(self, task):
        return _section_label(task.section)

    def dehydrate_units(self, task):
        return task.responsible_display()

    def dehydrate_deadline(self, task):
        return task.deadline

    def dehydrate_original_deadline(self, task):
        return task.original_deadline

    def dehydrate_status(self, task):
        counts = {}
        for assignment in task.assignments.all():
            label = assignment.get_status_display()
            counts[label] = counts.get(label, 0) + 1
        return "；".join(f"{label} {n}" for label, n in counts.items())

    def dehydrate_progress(self, task):
        return round(task.progress or 0, 1)


class AssignmentExport(resources.Resource):
    """One row per assignment (unit on a task)."""

    number = Field(column_name="编号")
    title = Field(column_name="任务")
    unit = Field(column_name="单位")
    role = Field(column_name="职责")
    status = Field(column_name="状态")
    percent = Field(column_name="完成百分比")
    deadline = Field(column_name="完成时限")
    completed_at = Field(column_name="完成时间")
    completed_late = Field(column_name="逾期完成")

    class Meta:
        fields = ("number", "title", "unit", "role", "status", "percent", "deadline", "completed_at", "completed_late")

    def dehydrate_number(self, a):
        return a.task.number

    def dehydrate_percent(self, a):
        return a.percent

    def dehydrate_title(self, a):
        return a.task.title

    def dehydrate_unit(self, a):
        return a.unit.name

    def dehydrate_role(self, a):
        return a.get_role_display()

    def dehydrate_status(self, a):
        return a.get_status_display()

    def dehydrate_deadline(self, a):
        return a.task.deadline

    def dehydrate_completed_at(self, a):
        return timezone.localtime(a.completed_at).replace(tzinfo=None) if a.completed_at else None

    def dehydrate_completed_late(self, a):
        return "是" if a.completed_late else ("否" if a.completed_at else "")


def tasks_dataset(user, campaign):
    """The campaign's tasks for someone who oversees it (the caller checks can_oversee)."""
    tasks = list(
        Task.objects.filter(campaign=campaign)
        .select_related("section")
        .prefetch_related(
            Prefetch(
                "assignments", queryset=Assignment.objects.select_related("unit", "via_group").order_by("position", "pk")
            )
        )
        .with_progress()
        .order_by("number")
    )
    # A list, not a queryset: django-import-export would page a prefetching queryset,
    # one set of queries per hundred rows.
    return TaskExport().export(tasks)


def assignments_dataset(user, campaign):
    """The assignments of `campaign` that `user` may read (all of them for its overseers)."""
    rows = list(
        access.visible_assignments(user, campaign).select_related("task", "unit").order_by("task__number", "position", "pk")
    )
    return AssignmentExport().export(rows)


# ---------------------------------------------------------------- writers


def _clean(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def to_xlsx(dataset, title="导出"):
    """The dataset as xlsx bytes; every str cell is a string cell (never a formula)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(dataset.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in dataset:
        sheet.append([_clean(v) for v in values])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            value = cell.value
            if isinstance(value, str):
                # openpyxl takes "=…" for a formula; forcing the type keeps it text, and
                # the quote prefix keeps Excel from reading it as one when it is edited.
                cell.data_type = "s"
                if value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    for column, header in zip(sheet.columns, dataset.headers, strict=False):
        width = max([len(str(header)) * 2, *(min(len(str(c.value or "")), 40) * 2 for c in column[1:200])])
        sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 80)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    value = str(value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(dataset):
    """The dataset as UTF-8 csv with a BOM (so Excel shows the Chinese), formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(dataset.headers)
    for values in dataset:
        writer.writerow([csv_value(v) for v in values])
    return buffer.getvalue().encode("utf-8-sig")
