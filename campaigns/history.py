"""Turning django-simple-history records into “who, when, old → new, why” for the pages."""
from .models import Assignment, Task

STATUS_LABELS = dict(Assignment.Status.choices)
PURPOSE_LABELS = dict(Task.Purpose.choices)


def _display(field, value):
    if value is None or value == "":
        return "—"
    if field == "status":
        return STATUS_LABELS.get(value, value)
    if field == "purpose":
        return PURPOSE_LABELS.get(value, value)
    if field == "completed_late":
        return "是" if value else "否"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d") if not hasattr(value, "hour") else value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def change_log(records, fields, label=""):
    """Entries for each history record that changed one of `fields` (records of one object).

    Returns dicts with date, user, reason, label and changes [(field name, old, new)],
    newest first. The first record (creation) is left out.
    """
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    entries = []
    for previous, record in zip(records, records[1:], strict=False):
        changes = []
        for field in fields:
            old, new = getattr(previous, field), getattr(record, field)
            if old != new:
                verbose = record.instance_type._meta.get_field(field).verbose_name
                changes.append((verbose, _display(field, old), _display(field, new)))
        if changes:
            entries.append(
                {
                    "date": record.history_date,
                    "user": record.history_user,
                    "reason": record.history_change_reason or "",
                    "label": label,
                    "changes": changes,
                }
            )
    return entries
