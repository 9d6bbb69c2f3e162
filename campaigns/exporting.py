"""Exports (xlsx and csv, Chinese headers) of a campaign's tasks, assignments and progress reports.

Rows come from the access helpers, so an export holds only what its user may see. Every cell,
headings included, passes the one formula guard (campaigns.formulas).
"""

import csv
import io
from datetime import date, datetime

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.utils import timezone
from import_export import resources
from import_export.fields import Field
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from jobs.registry import job_function
from jobs.services import JobRefused

from . import access
from .formulas import csv_text, guard_xlsx_cell
from .models import Assignment, ProgressReport, Task


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
    progress = Field(column_name="已填报进度（%）")
    verified_progress = Field(column_name="已核验进度（%）")
    latest_report = Field(column_name="最新进展")

    class Meta:
        fields = ("section", "number", "title", "units", "deadline", "notes", "original_deadline", "status", "progress",
                  "verified_progress", "latest_report")

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

    def dehydrate_verified_progress(self, task):
        return round(task.verified_progress or 0, 1)

    def dehydrate_latest_report(self, task):
        if not task.latest_report_at:
            return ""
        when = timezone.localtime(task.latest_report_at).strftime("%Y-%m-%d")
        return f"{when} {task.latest_report_unit}：{task.latest_report_text}"


class AssignmentExport(resources.Resource):
    """One row per assignment (unit on a task)."""

    number = Field(column_name="编号")
    title = Field(column_name="任务")
    unit = Field(column_name="单位")
    role = Field(column_name="职责")
    status = Field(column_name="状态")
    percent = Field(column_name="完成百分比")
    deadline = Field(column_name="完成时限")
    completed_on = Field(column_name="实际完成日期")
    completed_at = Field(column_name="提交完成时间")
    completed_late = Field(column_name="逾期完成")

    class Meta:
        fields = ("number", "title", "unit", "role", "status", "percent", "deadline", "completed_on", "completed_at",
                  "completed_late")

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

    def dehydrate_completed_on(self, a):
        return a.completed_on

    def dehydrate_completed_at(self, a):
        return timezone.localtime(a.completed_at).replace(tzinfo=None) if a.completed_at else None

    def dehydrate_completed_late(self, a):
        return "是" if a.completed_late else ("否" if a.completed_at else "")


class ProgressReportExport(resources.Resource):
    """One row per progress report, with the figures the final summary adds up."""

    number = Field(column_name="编号")
    title = Field(column_name="任务")
    unit = Field(column_name="单位")
    created_at = Field(column_name="填报时间")
    author = Field(column_name="填报人")
    status = Field(column_name="状态")
    percent = Field(column_name="完成百分比")
    text = Field(column_name="工作进展")
    events_held = Field(column_name="开展活动（场）")
    participants = Field(column_name="参与人数（人次）")
    enterprises_served = Field(column_name="服务企业（家）")
    consultations = Field(column_name="提供咨询（次）")
    materials_distributed = Field(column_name="发放资料（份）")
    evidence = Field(column_name="佐证材料（个）")

    class Meta:
        fields = ("number", "title", "unit", "created_at", "author", "status", "percent", "text", *ProgressReport.FIGURES,
                  "evidence")

    def dehydrate_number(self, r):
        return r.assignment.task.number

    def dehydrate_title(self, r):
        return r.assignment.task.title

    def dehydrate_unit(self, r):
        return r.assignment.unit.name

    def dehydrate_created_at(self, r):
        return timezone.localtime(r.created_at).replace(tzinfo=None)

    def dehydrate_author(self, r):
        return r.author.get_full_name() or r.author.first_name or r.author.username

    def dehydrate_status(self, r):
        return r.get_status_display()

    def dehydrate_text(self, r):
        return r.text

    def dehydrate_evidence(self, r):
        return r.evidence_count


for _figure in (*ProgressReport.FIGURES, "percent"):
    # Keep figures as numbers in the sheet.
    setattr(ProgressReportExport, f"dehydrate_{_figure}", lambda self, r, _f=_figure: getattr(r, _f))


def tasks_dataset(user, campaign):
    """The campaign's tasks for someone who oversees it (the caller checks can_oversee)."""
    latest = ProgressReport.objects.filter(assignment__task=OuterRef("pk")).order_by("-created_at", "-pk")
    tasks = list(
        Task.objects.filter(campaign=campaign)
        .select_related("section")
        .prefetch_related(
            Prefetch(
                "assignments", queryset=Assignment.objects.select_related("unit", "via_group").order_by("position", "pk")
            )
        )
        .with_progress()
        .annotate(
            latest_report_at=Subquery(latest.values("created_at")[:1]),
            latest_report_text=Subquery(latest.values("text")[:1]),
            latest_report_unit=Subquery(latest.values("assignment__unit__name")[:1]),
        )
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


def reports_dataset(user, campaign):
    """The progress reports on the assignments of `campaign` that `user` may read."""
    rows = list(
        ProgressReport.objects.filter(assignment__in=access.visible_assignments(user, campaign))
        .select_related("assignment__task", "assignment__unit", "author")
        .annotate(evidence_count=Count("evidence"))
        .order_by("assignment__task__number", "assignment__position", "created_at", "pk")
    )
    return ProgressReportExport().export(rows)


# ---------------------------------------------------------------- writers


def _clean(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _every(progress, total, step=1000):
    """A row counter that calls progress(done, total) every `step` rows (no-op without one)."""
    def tick(i):
        if progress is not None and i % step == 0:
            progress(i, total)
    return tick


def to_xlsx(dataset, title="导出", progress=None):
    """The dataset as xlsx bytes; every str cell is a string cell (never a formula).

    `progress(rows done, rows)` is called every thousand rows, for a job's status page.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([_clean(h) for h in dataset.headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        guard_xlsx_cell(cell)
    tick = _every(progress, len(dataset))
    for i, values in enumerate(dataset, 1):
        sheet.append([_clean(v) for v in values])
        tick(i)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            value = cell.value
            if isinstance(value, str):
                guard_xlsx_cell(cell)
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
    return csv_text(str(value))


def to_csv(dataset, progress=None):
    """The dataset as UTF-8 csv with a BOM (so Excel shows the Chinese), formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_value(h) for h in dataset.headers])
    tick = _every(progress, len(dataset))
    for i, values in enumerate(dataset, 1):
        writer.writerow([csv_value(v) for v in values])
        tick(i)
    return buffer.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------- big exports on the job queue

EXPORTS = {
    "tasks": ("任务总表", tasks_dataset),
    "assignments": ("任务分工", assignments_dataset),
    "reports": ("进度报告", reports_dataset),
}


def export_row_count(user, campaign, what):
    """How many rows an export would have (one COUNT query): big ones go to the job queue."""
    if what == "tasks":
        return Task.objects.filter(campaign=campaign).count()
    if what == "assignments":
        return access.visible_assignments(user, campaign).count()
    return ProgressReport.objects.filter(assignment__in=access.visible_assignments(user, campaign)).count()


def export_filename(campaign, what, fmt):
    """The downloaded file's name, in Chinese: code, what it holds, the day it was made."""
    return f"{campaign.code}-{EXPORTS[what][0]}-{timezone.localdate():%Y%m%d}.{fmt}"


def render_export(user, campaign, what, fmt, progress=None):
    """(file name, bytes) of an export of `what` as `fmt`, limited to what `user` may see.

    The caller checked that the user may export `what` (tasks: overseers only).
    """
    title, build = EXPORTS[what]
    if progress:
        progress(0, 1)
    dataset = build(user, campaign)
    body = to_xlsx(dataset, title, progress) if fmt == "xlsx" else to_csv(dataset, progress)
    return export_filename(campaign, what, fmt), body


@job_function
def export_job(job, code, what, fmt):
    """An export on the job queue, for its owner; progress as rows are written."""
    campaign = access.get_campaign_for_user(job.owner, code)
    if what == "tasks" and not access.can_oversee(job.owner, campaign):
        raise JobRefused("只有本活动的协调单位可以导出任务总表")

    def progress(done, total):
        job.progress(5 + 90 * done // max(total, 1), f"已写入 {done} / {total} 行" if total > 1 else "正在读取数据")

    name, body = render_export(job.owner, campaign, what, fmt, progress)
    job.save_result(name, body)
    return f"导出完成：{name}"
