"""Named actions on the plan. Each is one transaction; views, commands and imports call them."""
from django.db import transaction

from .directory import assignments_from_entries
from .models import Assignment


@transaction.atomic
def set_task_units(task, entries):
    """Make the task's assignments match the resolved responsible-unit `entries`.

    Units newly named get an assignment; units still named keep theirs (and their
    progress) with role, group and order brought up to date; units no longer named lose
    an untouched assignment, or have it cancelled when work was already reported on it.
    Returns the number of rows created, changed and removed.
    """
    wanted = assignments_from_entries(entries)
    existing = {a.unit_id: a for a in task.assignments.all()}
    created = changed = removed = 0
    for unit, role, group, position in wanted:
        assignment = existing.pop(unit.pk, None)
        if assignment is None:
            Assignment.objects.create(task=task, unit=unit, role=role, via_group=group, position=position)
            created += 1
            continue
        new = {"role": role, "via_group_id": group.pk if group else None, "position": position}
        if any(getattr(assignment, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(assignment, k, v)
            assignment.save(update_fields=[*new, "updated_at"])
            changed += 1
    for assignment in existing.values():
        if assignment.status == Assignment.Status.NOT_STARTED and assignment.percent == 0:
            assignment.delete()
        elif assignment.status != Assignment.Status.CANCELLED:
            assignment.status = Assignment.Status.CANCELLED
            assignment.save(update_fields=["status", "updated_at"])
        else:
            continue
        removed += 1
    return created, changed, removed


def update_assignment_status(assignment, *, status, percent):
    """Set an assignment's status and percent (the plain edit form; progress reports
    with evidence come through their own action)."""
    assignment.status = status
    assignment.percent = percent
    assignment.version += 1
    assignment.save(update_fields=["status", "percent", "version", "updated_at"])
    return assignment
