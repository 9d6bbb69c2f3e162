"""What the coordinator's and the unit's dashboards show, each in a fixed number of queries."""
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import lifecycle
from .models import AdjustmentRequest, Assignment, ProgressReport, Task, Unit, mean_progress

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


def section_figures(campaign, today=None):
    """The campaign's sections, each with what the section switcher shows for it (task_count,
    assignment_count, overdue_count, done_count, progress, verified_progress), and the
    campaign's overall figures. Two light queries however large the plan: the per-task
    progress as plain values and the assignment counts grouped by section in the database."""
    today = today or lifecycle.today()
    sections = list(campaign.sections.all())
    by_section = {}
    rows = Task.objects.filter(campaign=campaign).with_progress().values(
        "section_id", "reported_progress", "verified_progress", "returned_count"
    )
    for row in rows:
        by_section.setdefault(row["section_id"], []).append(row)
    counts = {
        row["task__section_id"]: row
        for row in Assignment.objects.filter(task__campaign=campaign, status__in=lifecycle.LIVE)
        .values("task__section_id")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=lifecycle.overdue_q(today)),
            done=Count("pk", filter=Q(status__in=lifecycle.DONE)),
        )
        .order_by()
    }
    for section in sections:
        figures, count = by_section.get(section.pk, []), counts.get(section.pk, {})
        section.task_count = len(figures)
        section.progress = mean_progress(r["reported_progress"] for r in figures)
        section.verified_progress = mean_progress(r["verified_progress"] for r in figures)
        section.assignment_count = count.get("total", 0)
        section.overdue_count = count.get("overdue", 0)
        section.done_count = count.get("done", 0)
    everything = [r for figures in by_section.values() for r in figures]
    overall = {
        "task_count": len(everything),
        "progress": mean_progress(r["reported_progress"] for r in everything),
        "verified_progress": mean_progress(r["verified_progress"] for r in everything),
        "returned_count": sum(r["returned_count"] for r in everything),
    }
    return sections, overall


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
    matrix_page = Paginator(in_section.only("pk"), MATRIX_TASKS_PER_PAGE).get_page(page)
    ids = [t.pk for t in matrix_page.object_list]
    tasks = list(in_section.filter(pk__in=ids).with_progress())
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
    counts = dict(everything.values_list("status").annotate(n=Count("pk")).order_by())
    adjustments = list(
        AdjustmentRequest.objects.filter(task__campaign=campaign, status=AdjustmentRequest.Status.PENDING)
        .select_related("task", "assignment__unit", "requested_by")
        .order_by("created_at")
    )
    recent = list(
        ProgressReport.objects.filter(assignment__task__campaign=campaign)
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
        "recent": recent,
        "status_counts": [(s, counts.get(s.value, 0)) for s in Assignment.Status],
        "assignment_count": sum(counts.values()),
        "days": days,
    }


def unit_dashboard(assignments, today=None, days=None):
    """A unit's to-do: returned work (with the coordinator's reason), late, due soon, waiting."""
    today = today or lifecycle.today()
    days = lifecycle.reminder_days() if days is None else days
    assignments = list(
        assignments.select_related("task__campaign", "unit").with_deadline_state(today, days).prefetch_related(
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.filter(status=Assignment.Status.RETURNED).select_related("author"),
                to_attr="returns",
            ),
            Prefetch(
                "adjustments",
                queryset=AdjustmentRequest.objects.select_related("decided_by").order_by("-created_at"),
                to_attr="adjustment_list",
            ),
        )
    )
    for a in assignments:
        a.last_return = a.returns[0] if a.returns else None
    by_deadline = sorted(assignments, key=lambda a: (a.task.deadline is None, a.task.deadline, a.task.number))
    return {
        "returned": [a for a in by_deadline if a.status == Assignment.Status.RETURNED],
        "overdue": [a for a in by_deadline if a.is_overdue],
        "due_soon": [a for a in by_deadline if a.is_due_soon],
        "waiting": [a for a in by_deadline if a.status == Assignment.Status.SUBMITTED],
        "verified": [a for a in by_deadline if a.status == Assignment.Status.VERIFIED],
        "adjustments": sorted(
            (r for a in assignments for r in a.adjustment_list), key=lambda r: r.created_at, reverse=True
        )[:10],
        "total": len(assignments),
        "days": days,
    }
