"""What the coordinator's and the unit's dashboards show, each in a fixed number of queries."""
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
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


def campaign_dashboard(campaign, today=None, days=None):
    """Progress overall and by section, the task × unit matrix, and the lists a coordinator works from."""
    today = today or lifecycle.today()
    days = lifecycle.reminder_days() if days is None else days
    tasks = list(Task.objects.filter(campaign=campaign).with_progress().order_by("number"))
    sections = list(campaign.sections.all())
    # Tasks and units are fetched once and attached, not joined into every assignment row:
    # a 500-task campaign has thousands of assignments, and building a Task and a Unit
    # object for each of them was most of the page's time.
    assignments = list(
        Assignment.objects.filter(task__campaign=campaign)
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
    for section in sections:
        section.task_count = sum(1 for t in tasks if t.section_id == section.pk)
        section.progress = mean_progress(t.progress for t in tasks if t.section_id == section.pk)
        section.verified_progress = mean_progress(t.verified_progress for t in tasks if t.section_id == section.pk)

    def by_deadline(a):
        return (a.task.deadline, a.task.number)

    overdue = sorted((a for a in assignments if a.is_overdue), key=by_deadline)
    due_soon = sorted((a for a in assignments if a.is_due_soon), key=by_deadline)
    waiting = sorted(
        (a for a in assignments if a.status == Assignment.Status.SUBMITTED),
        key=lambda a: (a.completed_at or timezone.now(), a.task.number),
    )
    counts = {}
    for a in assignments:
        counts[a.status] = counts.get(a.status, 0) + 1
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
        "progress": mean_progress(t.progress for t in tasks),
        "verified_progress": mean_progress(t.verified_progress for t in tasks),
        "returned_count": sum(t.returned_count for t in tasks),
        "sections": sections,
        "units": units,
        "rows": rows,
        "overdue": overdue,
        "due_soon": due_soon,
        "waiting": waiting,
        "adjustments": adjustments,
        "recent": recent,
        "status_counts": [(s, counts.get(s.value, 0)) for s in Assignment.Status],
        "assignment_count": len(assignments),
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
