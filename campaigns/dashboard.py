"""What the coordinator's and the unit's dashboards show, each in a fixed number of queries."""
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, Count, F, Prefetch, Q, Value, When, prefetch_related_objects
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import lifecycle
from .filters import MyTaskFilter
from .models import AdjustmentRequest, Assignment, ProgressReport, Task, Unit
from .paging import page_loading

# Columns of the matrix: the eight prefecture bureaus first, then the others by kind.
KIND_ORDER = {
    Unit.Kind.PREFECTURE_BUREAU: 0,
    Unit.Kind.PROVINCIAL_DIVISION: 1,
    Unit.Kind.SERVICE_INSTITUTION: 2,
    Unit.Kind.UNIVERSITY: 3,
    Unit.Kind.OTHER: 4,
}


def unit_column_key(unit):
    return (KIND_ORDER.get(unit.kind, 9), unit.ordinal, unit.name)


def matrix_cells_html(cells, unit_names, status_labels):
    """One matrix row's cells as HTML. Built here, not in the template: a 500-task campaign
    has tens of thousands of cells, and the template engine (and a translation lookup per
    cell) took most of a second on them. `unit_names` and `status_labels` are escaped once
    per unit and per status by the caller."""
    from .templatetags.outreach import status_colour

    base = reverse("campaigns:assignment", args=[0]).removesuffix("0/")
    parts = []
    for a in cells:
        if a is None:
            parts.append("<td></td>")
            continue
        # Returned work reads 退回, not the 100 % it had reported.
        text = "退回" if a.status == Assignment.Status.RETURNED else f"{a.percent}%"
        parts.append(
            f'<td class="p-0"><a class="d-block p-1 text-decoration-none text-bg-{status_colour(a.status)}" '
            f'href="{base}{a.pk}/" title="{unit_names[a.unit_id]}：{status_labels[a.status]} {a.percent}%">'
            f"{text}</a></td>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


# How many of each list the dashboard shows; the rest are counted and reached through the task list.
LIST_LIMIT = 50


def section_figures(campaign, today=None, status_counts=True):
    """The campaign's sections, each with what the section switcher shows for it (task_count,
    assignment_count, overdue_count, done_count, progress, verified_progress), and the
    campaign's overall figures, with the number of its assignments in each status
    (status_counts, unless asked not to: the plan page shows none). One query however large
    the plan: the per-task progress and counts,
    grouped by section in the database (a section's progress is the mean of its tasks')."""
    today = today or lifecycle.today()
    sections = list(campaign.sections.all())
    live = Q(assignments__status__in=lifecycle.LIVE)
    per_status = {
        f"n_{value}": Count("assignments__pk", filter=Q(assignments__status=value)) for value in Assignment.Status.values
    } if status_counts else {}
    names = ["reported_progress", "verified_progress", "returned_count", "live", "overdue", "done", *per_status]
    per_task = (
        # Grouped by the task's key and section only (a model queryset groups by every column,
        # which costs SQLite a third more at 30,000 assignments).
        Task.objects.filter(campaign=campaign).order_by().values("pk", "section_id").with_progress()
        .annotate(
            live=Count("assignments__pk", filter=live),
            overdue=Count("assignments__pk", filter=live & lifecycle.overdue_q(today, "assignments__")),
            done=Count("assignments__pk", filter=live & Q(assignments__status__in=lifecycle.DONE)),
            **per_status,
        )
        .values_list("section_id", *names)
    )
    # The per-task figures summed by section in the database too (a plain GROUP BY over the
    # per-task query, the same SQL on SQLite and PostgreSQL): five rows come back, not one per task.
    # A task's progress is None when it has no live assignment; AVG and COUNT leave those out,
    # as mean_progress does.
    inner, params = per_task.query.sql_with_params()
    columns = ", ".join(
        ["COUNT(*)", "AVG(t.reported_progress)", "COUNT(t.reported_progress)", "AVG(t.verified_progress)",
         "COUNT(t.verified_progress)"] + [f"SUM(t.{name})" for name in names[2:]]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.section_id, {columns} FROM ({inner}) t GROUP BY t.section_id", params)  # noqa: S608
        by_section = {row[0]: row[1:] for row in cursor.fetchall()}
    sums = names[2:]
    for section in sections:
        figures = by_section.get(section.pk)
        section.task_count = figures[0] if figures else 0
        section.progress = _rounded(figures[1]) if figures else 0
        section.verified_progress = _rounded(figures[3]) if figures else 0
        totals = dict(zip(sums, figures[5:], strict=True)) if figures else {}
        section.assignment_count = int(totals.get("live") or 0)
        section.overdue_count = int(totals.get("overdue") or 0)
        section.done_count = int(totals.get("done") or 0)
    rows = list(by_section.values())

    def weighted(mean_at, count_at):
        counted = sum(r[count_at] for r in rows)
        return _rounded(sum((r[mean_at] or 0) * r[count_at] for r in rows) / counted) if counted else 0

    def total(name):
        at = 5 + sums.index(name)
        return int(sum(r[at] or 0 for r in rows))

    overall = {
        "task_count": sum(r[0] for r in rows),
        "progress": weighted(1, 2),
        "verified_progress": weighted(3, 4),
        "returned_count": total("returned_count"),
    }
    if status_counts:
        overall["status_counts"] = {value: total(f"n_{value}") for value in Assignment.Status.values}
    return sections, overall


def _rounded(mean):
    """A mean from the database, rounded as mean_progress rounds (0 when there is none)."""
    return round(float(mean), 1) if mean is not None else 0


def choose_section(sections, wanted=None, default=None):
    """The section asked for by its ordinal (?section=3), else `default`, else the first."""
    for section in sections:
        if wanted is not None and str(section.ordinal) == str(wanted).strip():
            return section
    return default or (sections[0] if sections else None)


def most_overdue_section(sections):
    """The section with the most overdue assignments (the first on a tie), or None if none is late."""
    late = [s for s in sections if s.overdue_count]
    return max(late, key=lambda s: s.overdue_count) if late else None


MATRIX_TASKS_PER_PAGE = 50


def campaign_dashboard(campaign, section=None, page=None, today=None, days=None):
    """Progress overall and by section, the task × unit matrix of ONE section (the one asked
    for, else the one with the most overdue work; MATRIX_TASKS_PER_PAGE tasks a page), and the lists a coordinator works from
    (the first LIST_LIMIT of each, with their full counts). Everything is bounded by what a
    person reads: a fixed number of queries, and rows for one section only."""
    today = today or lifecycle.today()
    days = lifecycle.reminder_days() if days is None else days
    sections, overall = section_figures(campaign, today)
    current = choose_section(sections, section, default=most_overdue_section(sections))
    in_section = Task.objects.filter(campaign=campaign, section=current).order_by("number")
    matrix_page = page_loading(in_section, MATRIX_TASKS_PER_PAGE, page, lambda rows: rows.with_progress())
    tasks = list(matrix_page.object_list)
    ids = [t.pk for t in tasks]
    # Tasks and units are fetched once and attached, not joined into every assignment row:
    # a section can have thousands of assignments, and building a Task and a Unit object
    # for each of them was most of the page's time.
    assignments = list(
        Assignment.objects.filter(task_id__in=ids)
        .with_deadline_state(today, days)
        .order_by("task__number", "position")
    )
    tasks_by_id = {t.pk: t for t in tasks}
    units_by_id = {u.pk: u for u in Unit.objects.filter(pk__in={a.unit_id for a in assignments})}
    for a in assignments:
        a.task, a.unit = tasks_by_id[a.task_id], units_by_id[a.unit_id]
    units = sorted(units_by_id.values(), key=unit_column_key)
    cells = {(a.task_id, a.unit_id): a for a in assignments}
    rows = [(task, [cells.get((task.pk, u.pk)) for u in units]) for task in tasks]
    unit_names = {u.pk: escape(u.name) for u in units}
    status_labels = {value: escape(label) for value, label in Assignment.Status.choices}
    for task, row in rows:
        task.matrix_cells_html = matrix_cells_html(row, unit_names, status_labels)

    everything = Assignment.objects.filter(task__campaign=campaign)
    listed = everything.select_related("task", "unit").with_deadline_state(today, days)
    by_deadline = ("task__deadline", "task__number", "position")
    overdue = list(listed.filter(lifecycle.overdue_q(today)).order_by(*by_deadline)[:LIST_LIMIT])
    due_soon = list(listed.filter(lifecycle.due_soon_q(today, days)).order_by(*by_deadline)[:LIST_LIMIT])
    waiting = list(
        listed.filter(status=Assignment.Status.SUBMITTED).order_by("completed_at", "task__number")[:LIST_LIMIT]
    )
    counts = overall["status_counts"]
    pending = AdjustmentRequest.objects.filter(task__campaign=campaign, status=AdjustmentRequest.Status.PENDING)
    adjustments = list(
        pending.select_related("task", "assignment__unit", "requested_by").order_by("created_at", "pk")[:LIST_LIMIT]
    )
    recent = list(
        # The report's own campaign column and the index (campaign, created_at, id): the
        # 15 latest are read from the index, not sorted out of every report of the campaign.
        ProgressReport.objects.filter(campaign=campaign)
        .order_by("-created_at", "-id")
        .select_related("author", "assignment__task", "assignment__unit")
        .prefetch_related("evidence")[:15]
    )
    return {
        "progress": overall["progress"],
        "verified_progress": overall["verified_progress"],
        "returned_count": overall["returned_count"],
        "task_count": overall["task_count"],
        "sections": sections,
        "section": current,
        "matrix_page": matrix_page,
        "page_query": f"section={current.ordinal}&" if current else "",
        "units": units,
        "rows": rows,
        "overdue": overdue,
        "overdue_count": sum(s.overdue_count for s in sections),
        "due_soon": due_soon,
        "due_soon_count": everything.filter(lifecycle.due_soon_q(today, days)).count(),
        "waiting": waiting,
        "waiting_count": counts.get(Assignment.Status.SUBMITTED, 0),
        "list_limit": LIST_LIMIT,
        "adjustments": adjustments,
        "adjustment_count": pending.count(),
        "recent": recent,
        "status_counts": [(s, counts.get(s.value, 0)) for s in Assignment.Status],
        "assignment_count": sum(counts.values()),
        "days": days,
    }


UNIT_TODO_PER_PAGE = 50


def todo_q(today, days):
    """What waits on a unit: work returned to it, late, due within `days`, or submitted and
    waiting for the coordinator's verification (lifecycle's deadline rules)."""
    return (
        Q(status=Assignment.Status.RETURNED) | lifecycle.overdue_q(today) | lifecycle.due_soon_q(today, days)
        | Q(status=Assignment.Status.SUBMITTED)
    )


def unit_dashboard(assignments, data=None, page=None, today=None, days=None):
    """A unit's to-do, a page at a time: returned work first (with the coordinator's reason),
    then late, due soon, and waiting for verification; narrowed by MyTaskFilter (status,
    deadline state, section, text); the count of each kind; the latest adjustment requests.
    A fixed number of queries whatever the number of assignments."""
    today = today or lifecycle.today()
    days = lifecycle.reminder_days() if days is None else days
    returned, submitted = Assignment.Status.RETURNED, Assignment.Status.SUBMITTED
    counts = assignments.aggregate(
        total=Count("pk"),
        todo=Count("pk", filter=todo_q(today, days)),
        returned=Count("pk", filter=Q(status=returned)),
        overdue=Count("pk", filter=lifecycle.overdue_q(today)),
        due_soon=Count("pk", filter=lifecycle.due_soon_q(today, days)),
        waiting=Count("pk", filter=Q(status=submitted)),
        verified=Count("pk", filter=Q(status=Assignment.Status.VERIFIED)),
    )
    todo = assignments.filter(todo_q(today, days))
    todo_filter = MyTaskFilter(data or None, queryset=todo)
    queryset = todo_filter.qs if todo_filter.is_bound and todo_filter.is_valid() else todo
    ordered = (
        queryset.select_related("task__campaign", "unit")
        .with_deadline_state(today, days)
        .annotate(
            urgency=Case(
                When(status=returned, then=Value(0)),
                When(lifecycle.overdue_q(today), then=Value(1)),
                When(lifecycle.due_soon_q(today, days), then=Value(2)),
                default=Value(3),
            )
        )
        .order_by("urgency", F("task__deadline").asc(nulls_last=True), "task__campaign", "task__number", "pk")
    )
    todo_page = Paginator(ordered, UNIT_TODO_PER_PAGE).get_page(page)
    rows = list(todo_page.object_list)
    prefetch_related_objects(rows, Prefetch(
        "reports",
        queryset=ProgressReport.objects.filter(status=returned).select_related("author").order_by("-created_at", "-pk"),
        to_attr="returns",
    ))
    for a in rows:
        a.last_return = a.returns[0] if a.status == returned and a.returns else None
    adjustments = list(
        AdjustmentRequest.objects.filter(assignment__in=assignments).order_by("-created_at", "-pk")[:10]
    )
    return {
        "page": todo_page,
        "todo": rows,
        "filter": todo_filter,
        "counts": counts,
        "adjustments": adjustments,
        "total": counts["total"],
        "days": days,
    }
