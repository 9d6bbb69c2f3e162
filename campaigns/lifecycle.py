"""The lifecycle rules, written once: assignment statuses and their allowed transitions,
the deadline rules (overdue, due soon, completed late) from one `today()` and one
REMINDER_DAYS, the two progress figures, and what a campaign's status allows.

Everything else (models' querysets, services, pages, filters, the template tags,
reminders, dashboards, exports, the final report) reads these; nothing else compares a
deadline with a date or lists statuses.
"""
from datetime import timedelta

from django.conf import settings
from django.db.models import Avg, BooleanField, Case, Count, F, Func, IntegerField, Q, TextChoices, Value, When
from django.db.models import DateField as _DateField
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------- the day and the window


def today():
    """The one "today" of every deadline rule: the local date in settings.TIME_ZONE."""
    return timezone.localdate()


def reminder_days():
    """How many days ahead a deadline counts as "due soon" (settings.REMINDER_DAYS)."""
    return settings.REMINDER_DAYS


# ---------------------------------------------------------------- assignment statuses


class AssignmentStatus(TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    SUBMITTED = "submitted", _("待核验")
    VERIFIED = "verified", _("已核验")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已取消")


S = AssignmentStatus
# Work still to do: the unit can report on it, and it can be overdue or due soon.
OPEN = frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.RETURNED})
# The unit said the work is done (it may be waiting for verification).
DONE = frozenset({S.SUBMITTED, S.VERIFIED})
# Counts in progress figures and the report: everything but cancelled.
LIVE = frozenset(set(S) - {S.CANCELLED})
REPORTABLE = OPEN


def is_open(status):
    return status in OPEN


# action -> (statuses it may start from, status it leads to; None: decided by the action)
TRANSITIONS = {
    "report": (OPEN, S.IN_PROGRESS),
    "submit": (OPEN, S.SUBMITTED),
    "verify": (frozenset({S.SUBMITTED}), S.VERIFIED),
    "return": (frozenset({S.SUBMITTED, S.VERIFIED}), S.RETURNED),
    "cancel": (LIVE, S.CANCELLED),
    "reopen": (frozenset({S.CANCELLED}), None),
}

_REFUSALS = {
    "report": "该任务分工当前为“{status}”，不能再填报进度。如需补充，请联系协调人退回。",
    "submit": "该任务分工当前为“{status}”，不能再填报进度。如需补充，请联系协调人退回。",
    "verify": "只有“待核验”的任务分工可以核验，该分工当前为“{status}”。",
    "return": "只有“待核验”或“已核验”的任务分工可以退回，该分工当前为“{status}”。",
    "cancel": "该任务分工当前为“{status}”，不能再取消。",
    "reopen": "只有已取消的任务分工可以恢复，该分工当前为“{status}”。",
}


def can(action, status):
    """Whether `action` (report, submit, verify, return, cancel, reopen) is allowed from `status`."""
    allowed, _target = TRANSITIONS[action]
    return status in allowed


def target(action, percent=0):
    """The status `action` leads to (reopen: back to in progress if work was reported, else not started)."""
    result = TRANSITIONS[action][1]
    if result is None:
        return S.IN_PROGRESS if percent else S.NOT_STARTED
    return result


def refusal(action, status):
    """The Chinese sentence telling why `action` is not allowed from `status`."""
    return _REFUSALS[action].format(status=S(status).label)


# ---------------------------------------------------------------- deadline rules (plain values)


def is_overdue(status, deadline, on=None):
    """Open work past its deadline. The deadline day itself is not overdue; the day after is."""
    return status in OPEN and deadline_passed(deadline, on)


def is_due_soon(status, deadline, on=None, days=None):
    """Open work whose deadline is today or within the next `days` (REMINDER_DAYS) days."""
    on = on or today()
    days = reminder_days() if days is None else days
    return status in OPEN and deadline is not None and on <= deadline <= on + timedelta(days=days)


def deadline_passed(deadline, on=None):
    """The deadline day is over (the day after the deadline, not the deadline day itself)."""
    return deadline is not None and deadline < (on or today())


def is_late(status, deadline, completed_late, on=None):
    """Late in either way: done after its deadline, or still open past it (the report's 逾期)."""
    return (status in DONE and bool(completed_late)) or is_overdue(status, deadline, on)


def is_completed_late(done_on, deadline_then):
    """Work done after the deadline in force on the day it was done (the deadline day is on time)."""
    return done_on is not None and deadline_then is not None and done_on > deadline_then


def days_left(deadline, on=None):
    """Days until `deadline` (negative once past), None without one."""
    if deadline is None:
        return None
    return (deadline - (on or today())).days


def deadline_in_force(task, day):
    """The task's deadline as it stood on `day`, from its change history.

    The last recorded state saved on or before `day` (local time) wins; when every record
    is later than `day` (the task was entered after the work was done), the deadline it
    was first given (original_deadline) counts.
    """
    records = list(task.history.order_by("history_date", "history_id").values_list("history_date", "deadline"))
    if not records:
        return task.deadline
    chosen = task.original_deadline if task.original_deadline is not None else records[0][1]
    for when, deadline in records:
        if timezone.localdate(when) <= day:
            chosen = deadline
        else:
            break
    return chosen


def check_done_on(done_on, campaign, on=None):
    """The Chinese refusal for an impossible 实际完成日期, or None when it is acceptable:
    not in the future, not before the campaign started."""
    on = on or today()
    if done_on is None:
        return "请填写实际完成日期。"
    if done_on > on:
        return f"实际完成日期（{done_on:%Y-%m-%d}）不能晚于今天（{on:%Y-%m-%d}）。"
    if campaign.starts_on and done_on < campaign.starts_on:
        return f"实际完成日期（{done_on:%Y-%m-%d}）不能早于活动开始日期（{campaign.starts_on:%Y-%m-%d}）。"
    return None


# ---------------------------------------------------------------- deadline rules (querysets)


class DaysBetween(Func):
    """Whole days from `start` to `end` (end - start), on SQLite and PostgreSQL alike."""

    output_field = IntegerField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: date - date is an integer
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(", **extra,
        )


def _bool(condition):
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def overdue_q(on, prefix=""):
    """Q for open work past its deadline on `on` (prefix "": Assignment; "assignments__": Task)."""
    return Q(**{f"{prefix}status__in": OPEN, f"{_task(prefix)}deadline__lt": on})


def due_soon_q(on, days, prefix=""):
    """Q for open work due from `on` to `on` + `days` inclusive."""
    deadline = f"{_task(prefix)}deadline"
    return Q(**{f"{prefix}status__in": OPEN, f"{deadline}__gte": on, f"{deadline}__lte": on + timedelta(days=days)})


def _task(prefix):
    # From an Assignment the deadline is task__deadline; from a Task through assignments, deadline.
    return "" if prefix else "task__"


def with_deadline_state(queryset, on=None, days=None):
    """Annotate an Assignment queryset with the deadline rules as of `on` (default today()):
    days_left (int or None), is_overdue, is_due_soon and is_completed_late."""
    on = on or today()
    days = reminder_days() if days is None else days
    return queryset.annotate(
        days_left=DaysBetween(F("task__deadline"), Value(on, output_field=_DateField())),
        is_overdue=_bool(overdue_q(on)),
        is_due_soon=_bool(due_soon_q(on, days)),
        is_completed_late=_bool(Q(status__in=DONE, completed_late=True)),
    )


# ---------------------------------------------------------------- progress figures


def progress_annotations(prefix="assignments__"):
    """The two progress figures of a task (or of anything reaching assignments by `prefix`),
    over its live (not cancelled) assignments:

    - reported_progress: the mean percent the units reported (returned work included at
      what was reported: it was reported, not accepted);
    - verified_progress: the share of assignments the coordinator verified, 0–100;
    - returned_count: assignments sent back and not yet resubmitted.
    """
    live = Q(**{f"{prefix}status__in": LIVE})
    return {
        "reported_progress": Avg(f"{prefix}percent", filter=live),
        "verified_progress": Avg(
            Case(When(**{f"{prefix}status": S.VERIFIED}, then=Value(100.0)), default=Value(0.0)), filter=live
        ),
        "returned_count": Coalesce(Count(f"{prefix}pk", filter=Q(**{f"{prefix}status": S.RETURNED})), 0),
    }


def mean_progress(values):
    """Mean of task progress figures, leaving out tasks with no live assignment (None).

    Section and campaign progress are the mean of their tasks' progress, so every task
    weighs the same however many units share it.
    """
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 1) if values else 0


# ---------------------------------------------------------------- campaign status


class CampaignStatus(TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


def campaign_accepts_reports(campaign):
    """Units may write (progress, evidence, adjustments, survey answers, pairing records,
    summaries and cases), and coordinators verify and decide, only while the campaign is
    in progress (进行中)."""
    return campaign.status == CampaignStatus.ACTIVE


def campaign_accepts_setup(campaign):
    """Coordinators prepare a campaign (surveys, pairing records) while it is a draft or in
    progress; a closed campaign is read-only for everyone."""
    return campaign.status != CampaignStatus.CLOSED


def campaign_is_closed(campaign):
    """已结束: read-only for everyone (still viewable and downloadable)."""
    return campaign.status == CampaignStatus.CLOSED


def campaign_visible_to_units(campaign):
    """A draft (草稿) is seen by its coordinating unit only."""
    return campaign.status != CampaignStatus.DRAFT


# Statuses a unit (not the coordinating unit) can see at all.
UNIT_VISIBLE_CAMPAIGN_STATUSES = (CampaignStatus.ACTIVE, CampaignStatus.CLOSED)


def campaign_refusal(campaign):
    """Why nothing can be written on `campaign` now (Chinese), or None when it accepts reports."""
    if campaign.status == CampaignStatus.DRAFT:
        return f"活动方案“{campaign.title}”尚未发布（草稿），暂不能填报或提交"
    if campaign.status == CampaignStatus.CLOSED:
        return f"活动方案“{campaign.title}”已结束，只能查看和下载，不能再填报或修改"
    return None
