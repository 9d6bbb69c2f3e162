"""Exports (xlsx and csv, Chinese headings) of a campaign's tasks, assignments and progress reports.

Streamed: rows are read with `.iterator()` in a fixed number of queries (related data joined
or read alongside, never a query per row) and written straight to a file or to the response,
an openpyxl write-only workbook or a csv writer, so memory stays flat however many rows.
Rows come from the access helpers, so an export holds only what its user may see. Every
text cell, headings included, passes the one formula guard (campaigns.formulas).
"""

import csv
import io
import tempfile
from datetime import date, datetime
from itertools import chain, groupby, islice
from operator import itemgetter

from django.core.files import File
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from jobs.registry import job_function
from jobs.services import JobRefused

from . import access
from .formulas import csv_text, guard_xlsx_cell, xlsx_text, xlsx_value
from .models import Assignment, Evidence, ProgressReport, Task, join_responsible

# Rows fetched from the database at a time (a server-side cursor on PostgreSQL).
CHUNK = 2000
# Progress is reported every this many rows written.
PROGRESS_STEP = 1000
# The first rows of the sheet (heading included) that set the column widths.
WIDTH_SAMPLE = 200

TASK_HEADINGS = ("活动安排", "编号", "任务", "责任单位", "完成时限", "备注", "原定完成时限", "状态", "已填报进度（%）",
                 "已核验进度（%）", "最新进展")
ASSIGNMENT_HEADINGS = ("编号", "任务", "单位", "职责", "状态", "完成百分比", "完成时限", "实际完成日期", "提交完成时间",
                       "逾期完成")
REPORT_HEADINGS = ("编号", "任务", "单位", "填报时间", "填报人", "状态", "完成百分比", "工作进展", "开展活动（场）",
                   "参与人数（人次）", "服务企业（家）", "提供咨询（次）", "发放资料（份）", "佐证材料（个）")

STATUS_LABELS = {value: str(label) for value, label in Assignment.Status.choices}
ROLE_LABELS = {value: str(label) for value, label in Assignment.Role.choices}


def _local(moment, zone):
    """An aware datetime as the wall-clock time in `zone`, naive (spreadsheets have no time zones)."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None


# ---------------------------------------------------------------- rows


def task_rows(user, campaign):
    """The plan with its progress, one row per task, for someone who oversees the campaign
    (the caller checks can_oversee). Its first six columns are the plan import's.

    Two queries, read side by side: the tasks (with their progress figures and latest
    report) and the campaign's assignments, both in task-number order.
    """
    latest = ProgressReport.objects.filter(assignment__task=OuterRef("pk")).order_by("-created_at", "-pk")
    tasks = (
        Task.objects.filter(campaign=campaign)
        .select_related("section")
        .with_progress()
        .annotate(
            latest_report_at=Subquery(latest.values("created_at")[:1]),
            latest_report_text=Subquery(latest.values("text")[:1]),
            latest_report_unit=Subquery(latest.values("assignment__unit__name")[:1]),
        )
        .order_by("number")
    )
    assignments = (
        Assignment.objects.filter(task__campaign=campaign)
        .order_by("task__number", "position", "pk")
        .values_list("task_id", "unit__name", "via_group_id", "via_group__name", "status")
    )
    groups = groupby(assignments.iterator(chunk_size=CHUNK), key=itemgetter(0))
    pending = next(groups, None)
    for task in tasks.iterator(chunk_size=CHUNK):
        own = []
        if pending is not None and pending[0] == task.pk:
            own = list(pending[1])
            pending = next(groups, None)
        counts = {}
        for *_, status in own:
            label = STATUS_LABELS.get(status, status)
            counts[label] = counts.get(label, 0) + 1
        latest_report = ""
        if task.latest_report_at:
            when = timezone.localtime(task.latest_report_at).strftime("%Y-%m-%d")
            latest_report = f"{when} {task.latest_report_unit}：{task.latest_report_text}"
        yield [
            f"（{task.section.numeral}）{task.section.title}",
            task.number,
            task.title,
            join_responsible([row[1:4] for row in own]),
            task.deadline,
            task.notes,
            task.original_deadline,
            "；".join(f"{label} {n}" for label, n in counts.items()),
            round(task.progress or 0, 1),
            round(task.verified_progress or 0, 1),
            latest_report,
        ]


def assignment_rows(user, campaign):
    """One row per assignment (unit on a task) of `campaign` that `user` may read; one query."""
    rows = (
        access.visible_assignments(user, campaign)
        .order_by("task__number", "position", "pk")
        .values_list("task__number", "task__title", "unit__name", "role", "status", "percent", "task__deadline",
                     "completed_on", "completed_at", "completed_late")
    )
    zone = timezone.get_current_timezone()
    for number, title, unit, role, status, percent, deadline, completed_on, completed_at, late in rows.iterator(
        chunk_size=CHUNK
    ):
        yield [
            number, title, unit, ROLE_LABELS.get(role, role), STATUS_LABELS.get(status, status), percent, deadline,
            completed_on, _local(completed_at, zone), "是" if late else ("否" if completed_at else ""),
        ]


def report_rows(user, campaign):
    """One row per progress report on the assignments of `campaign` that `user` may read,
    with the figures the final summary adds up; one query (evidence counted in a subquery)."""
    evidence = (
        Evidence.objects.filter(report=OuterRef("pk")).order_by().values("report").annotate(n=Count("pk")).values("n")
    )
    rows = (
        ProgressReport.objects.filter(assignment__in=access.visible_assignments(user, campaign))
        .annotate(evidence_count=Coalesce(Subquery(evidence), 0))
        .order_by("assignment__task__number", "assignment__position", "created_at", "pk")
        .values_list("assignment__task__number", "assignment__task__title", "assignment__unit__name", "created_at",
                     "author__first_name", "author__last_name", "author__username", "status", "percent", "text",
                     *ProgressReport.FIGURES, "evidence_count")
    )
    zone = timezone.get_current_timezone()
    for number, title, unit, created_at, first, last, username, status, percent, text, *rest in rows.iterator(
        chunk_size=CHUNK
    ):
        # The author as User.get_full_name() gives it, else the login name.
        author = f"{first} {last}".strip() or username
        status = STATUS_LABELS.get(status, status)
        yield [number, title, unit, _local(created_at, zone), author, status, percent, text, *rest]


# ---------------------------------------------------------------- writers


def _ticker(progress, total):
    """A row counter that calls progress(done, total) every PROGRESS_STEP rows (no-op without one)."""
    if progress is None:
        return lambda i: None

    def tick(i):
        if i % PROGRESS_STEP == 0:
            progress(i, total)

    return tick


def _clean(value):
    """Text without the control characters an xlsx cannot hold."""
    return xlsx_text(value) if isinstance(value, str) else value


def _xlsx_cell(sheet, value):
    """A value for a write-only row: text is always a text cell (formula-like text guarded,
    error-code-like text kept text), times formatted to the minute; the rest as it is."""
    if isinstance(value, str):
        return xlsx_value(sheet, value)
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    return value  # numbers; dates get openpyxl's yyyy-mm-dd


def _width(value):
    return min(len(str(value or "")), 40) * 2


def write_xlsx(headings, rows, fileobj, title="导出", progress=None, total=None):
    """Write a sheet (bold headings, then `rows`) to `fileobj` in openpyxl's write-only mode:
    rows go to disk as they come. Column widths are set from the first rows. Returns the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    headings = [_clean(h) for h in headings]
    rows = iter(rows)
    sample = list(islice(rows, WIDTH_SAMPLE - 1))
    for index, heading in enumerate(headings):
        width = max([len(str(heading)) * 2, *(_width(_clean(row[index])) for row in sample)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(width, 8), 80)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = Font(bold=True)
        header.append(guard_xlsx_cell(cell))
    sheet.append(header)
    tick = _ticker(progress, total)
    count = 0
    for count, values in enumerate(chain(sample, rows), 1):
        sheet.append([_xlsx_cell(sheet, v) for v in values])
        tick(count)
    workbook.save(fileobj)
    return count


def csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return csv_text(str(value))


def csv_chunks(headings, rows, progress=None, total=None, batch=500):
    """UTF-8 csv bytes with a BOM (so Excel shows the Chinese), formula-safe, a few hundred
    rows at a time: for a StreamingHttpResponse or a file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_value(h) for h in headings])
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    tick = _ticker(progress, total)
    for i, values in enumerate(rows, 1):
        writer.writerow([csv_value(v) for v in values])
        tick(i)
        if i % batch == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


# ---------------------------------------------------------------- exports

EXPORTS = {
    "tasks": ("任务总表", TASK_HEADINGS, task_rows),
    "assignments": ("任务分工", ASSIGNMENT_HEADINGS, assignment_rows),
    "reports": ("进度报告", REPORT_HEADINGS, report_rows),
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


def write_export(user, campaign, what, fmt, fileobj, progress=None, total=None):
    """Write the export of `what` as `fmt` to the binary `fileobj`, limited to what `user` may see.

    The caller checked that the user may export `what` (tasks: overseers only).
    `progress(rows done, total)` is called every PROGRESS_STEP rows, for a job's status page.
    """
    title, headings, rows = EXPORTS[what]
    if fmt == "xlsx":
        write_xlsx(headings, rows(user, campaign), fileobj, title, progress, total)
    else:
        for chunk in csv_chunks(headings, rows(user, campaign), progress, total):
            fileobj.write(chunk)


def export_tempfile(user, campaign, what, fmt, progress=None, total=None):
    """The export in a temporary file (deleted when closed), positioned at its start."""
    tmp = tempfile.TemporaryFile()
    try:
        write_export(user, campaign, what, fmt, tmp, progress, total)
    except BaseException:
        tmp.close()
        raise
    tmp.seek(0)
    return tmp


def csv_stream(user, campaign, what):
    """The csv export as a stream of bytes, for a StreamingHttpResponse (rows are read as sent)."""
    _, headings, rows = EXPORTS[what]
    return csv_chunks(headings, rows(user, campaign))


@job_function
def export_job(job, code, what, fmt):
    """An export on the job queue, for its owner; progress as rows are written."""
    campaign = access.get_campaign_for_user(job.owner, code)
    if what == "tasks" and not access.can_oversee(job.owner, campaign):
        raise JobRefused("只有本活动的协调单位可以导出任务总表")
    job.progress(5, "正在读取数据")
    total = export_row_count(job.owner, campaign, what)

    def progress(done, total):
        job.progress(5 + 90 * done // max(total, 1), f"已写入 {done} / {total} 行")

    name = export_filename(campaign, what, fmt)
    with export_tempfile(job.owner, campaign, what, fmt, progress, total) as body:
        job.save_result(name, File(body, name=name))
    return f"导出完成：{name}"
