"""Daily reminders of deadlines (moved here from campaigns so they can use every channel).

Which assignments are due soon or overdue is the campaigns rule (AssignmentQuerySet
.overdue / .due_soon, from campaigns.lifecycle); this module only decides who hears of it and how.
"""
from dataclasses import dataclass, field
from hashlib import sha1

from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from campaigns import lifecycle
from campaigns.models import AdjustmentRequest, Assignment, Campaign, ReminderLog
from jobs.registry import job_function

from . import services
from .models import Delivery, Kind


@dataclass
class ReminderRun:
    reminders: int = 0      # reminders accepted by at least one channel
    units: int = 0          # units reached
    digests: int = 0        # coordinators' digests accepted
    skipped: int = 0        # already reminded (or still being retried)
    unreachable: list = field(default_factory=list)  # [(unit, problem, fix)]
    failed: int = 0         # deliveries refused this run (retried later)


_SENTINEL = 987654321


def _assignment_path(pk, template=None):
    """The assignment page's path; `template` (the path of a sentinel id) saves a reverse()."""
    if template is None:
        return reverse("campaigns:assignment", args=[pk])
    return template.replace(str(_SENTINEL), str(pk))


def _line(assignment, kind, today, roles=None, template=None):
    task = assignment.task
    role = roles[assignment.role] if roles else assignment.get_role_display()
    left = lifecycle.days_left(task.deadline, today)
    if kind == ReminderLog.Kind.OVERDUE:
        when = f"已逾期 {-left} 天（完成时限 {task.deadline:%Y-%m-%d}）"
    else:
        when = f"{'今天到期' if left == 0 else f'还剩 {left} 天'}（完成时限 {task.deadline:%Y-%m-%d}）"
    url = services.full_url(_assignment_path(assignment.pk, template))
    return f"· 任务{task.number}. {task.title}\n  {assignment.unit.name}（{role}）：{when}\n  {url}"


def _in_flight():
    """Reminder items of messages still being sent or retried: not to be sent again meanwhile."""
    items = set()
    for rows in Delivery.objects.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING]
    ).exclude(reminder_items=[]).values_list("reminder_items", flat=True):
        items.update((a, k, t) for a, k, t in rows)
    return items


def send_reminders(today=None, days=None):
    """Remind each unit of its assignments due within `days` (REMINDER_DAYS) and overdue,
    by every channel it has, and give each campaign's coordinators a digest.

    A reminder counts as sent (ReminderLog, unique per assignment, kind and deadline) only
    when a channel accepted the message; a unit no channel reaches is listed as 无法送达
    in the run and in the digest and is tried again next run. Deliveries that fail are
    retried with back-off by the queue, and log their reminders when they succeed.
    Only active campaigns are looked at. Returns a ReminderRun.
    """
    today = today or lifecycle.today()
    days = lifecycle.reminder_days() if days is None else days
    run = ReminderRun()
    base = Assignment.objects.filter(task__campaign__status=Campaign.Status.ACTIVE).select_related(
        "task__campaign", "unit"
    )
    candidates = [(a, ReminderLog.Kind.OVERDUE) for a in base.overdue(today)]
    candidates += [(a, ReminderLog.Kind.DUE_SOON) for a in base.due_soon(today, days)]
    if not candidates:
        return run
    done = set(
        (a, k, t.isoformat()) for a, k, t in ReminderLog.objects.filter(
            assignment__task__campaign__status=Campaign.Status.ACTIVE
        ).values_list("assignment_id", "kind", "threshold")
    ) | _in_flight()
    fresh = [(a, k) for a, k in candidates if (a.pk, k, a.task.deadline.isoformat()) not in done]
    run.skipped = len(candidates) - len(fresh)
    by_unit = {}
    for assignment, kind in sorted(fresh, key=lambda x: (x[0].task.deadline, x[0].task.number)):
        by_unit.setdefault(assignment.unit_id, []).append((assignment, kind))
    unit_ids = list(by_unit)
    # Each item's line is written once, for its unit's message and for the digest alike.
    roles = {value: str(label) for value, label in Assignment.Role.choices}
    template = reverse("campaigns:assignment", args=[_SENTINEL])
    lines = {}

    def line(assignment, kind):
        key = (assignment.pk, kind)
        if key not in lines:
            lines[key] = _line(assignment, kind, today, roles, template)
        return lines[key]

    people, robots = services.unit_people(unit_ids), services._robots(unit_ids)
    reach = services.reachability(unit_ids, people, robots)
    reminded_by_campaign, unreachable_by_campaign = {}, {}
    inbox, outside = [], []
    for unit_id, items in by_unit.items():
        unit = items[0][0].unit
        ok, problem, fix = reach[unit_id]
        campaigns = {a.task.campaign for a, _ in items}
        if not ok:
            run.unreachable.append((unit, problem, fix))
            for c in campaigns:
                unreachable_by_campaign.setdefault(c, []).append((unit, problem, fix, len(items)))
        overdue = [line(a, k) for a, k in items if k == ReminderLog.Kind.OVERDUE]
        due = [line(a, k) for a, k in items if k == ReminderLog.Kind.DUE_SOON]
        body = []
        if overdue:
            body += ["以下任务已逾期，请尽快完成并填报进度：", *overdue, ""]
        if due:
            body += [f"以下任务将在 {days} 天内到期：", *due, ""]
        body += ["请登录市州行工作台填报进度、上传佐证材料；如需调整完成时限或内容，请提交调整报备。"]
        title = f"【市州行】任务提醒：{len(overdue)} 项逾期，{len(due)} 项即将到期"
        reminder_items = [(a.pk, k, a.task.deadline.isoformat()) for a, k in items]
        unit_people = people.get(unit_id, [])
        inbox.append((unit_people, dict(kind=Kind.OVERDUE if overdue else Kind.DUE_SOON, title=title,
                                        body="\n".join(body), url=reverse("campaigns:unit_dashboard"), unit=unit,
                                        key="reminder:" + sha1(repr(reminder_items).encode()).hexdigest())))
        outside += services._outside_rows(unit_people, robots.get(unit_id, []), kind=Kind.REMINDER, title=title,
                                          body=f"{unit.name}：\n\n" + "\n".join(body), unit=unit,
                                          campaign=next(iter(campaigns)), reminder_items=reminder_items)
    # One unit, one message per channel listing all its items; written for every unit at once.
    with transaction.atomic():
        services._in_app_many(inbox)
        deliveries = Delivery.objects.bulk_create(outside, batch_size=500)
    # This runs on the queue already: send now, so the run knows what was accepted.
    accepted = set()
    for delivery in services.deliver_many([d.pk for d in deliveries]):
        if delivery is None:
            continue
        if delivery.status == Delivery.Status.SENT:
            accepted.add(delivery.unit_id)
        else:
            run.failed += 1
    for unit_id, items in by_unit.items():
        if unit_id not in accepted:
            continue
        run.reminders += len(items)
        run.units += 1
        for a, k in items:
            reminded_by_campaign.setdefault(a.task.campaign, []).append((a, k))
    run.digests = _digests(sorted(set(reminded_by_campaign) | set(unreachable_by_campaign), key=lambda c: c.pk),
                           reminded_by_campaign, unreachable_by_campaign, today, days, line)
    return run


def _digests(campaigns, reminded, unreachable, today, days, line):
    """Each campaign's coordinators get a digest (inbox and their channels), all campaigns at
    once; returns how many digests a channel accepted."""
    if not campaigns:
        return 0
    ids = [c.pk for c in campaigns]
    waiting = dict(Assignment.objects.filter(task__campaign__in=ids, status=Assignment.Status.SUBMITTED)
                   .values_list("task__campaign").annotate(n=Count("pk")).values_list("task__campaign", "n"))
    pending = dict(AdjustmentRequest.objects.filter(task__campaign__in=ids, status=AdjustmentRequest.Status.PENDING)
                   .values_list("task__campaign").annotate(n=Count("pk")).values_list("task__campaign", "n"))
    people = services.coordinators_of(campaigns)
    inbox, outside = [], []
    for campaign in campaigns:
        items, lost = reminded.get(campaign, []), unreachable.get(campaign, [])
        overdue = [line(a, k) for a, k in items if k == ReminderLog.Kind.OVERDUE]
        due = [line(a, k) for a, k in items if k == ReminderLog.Kind.DUE_SOON]
        body = [f"{campaign.title}（{today:%Y-%m-%d}）", ""]
        if overdue:
            body += [f"已提醒逾期 {len(overdue)} 项：", *overdue, ""]
        if due:
            body += [f"已提醒 {days} 天内到期 {len(due)} 项：", *due, ""]
        if lost:
            body += [f"无法送达 {len(lost)} 个单位（提醒未发出，下次运行时重试）："]
            body += [f"· {u.name}（{n} 项提醒）：{problem}。处理办法：{fix}" for u, problem, fix, n in lost]
            body += [""]
        body += [f"待核验的提交：{waiting.get(campaign.pk, 0)} 项；待审核的调整报备：{pending.get(campaign.pk, 0)} 项。"]
        title = f"【市州行】每日提醒汇总：{len(overdue)} 项逾期，{len(due)} 项即将到期，{len(lost)} 个单位无法送达"
        url = reverse("campaigns:dashboard", args=[campaign.code])
        text = "\n".join(body)
        inbox.append((people[campaign.pk], dict(kind=Kind.DIGEST, title=title, body=text, url=url, campaign=campaign,
                                                key=f"digest:{campaign.pk}:{today}")))
        outside += services._outside_rows(people[campaign.pk], [], kind=Kind.DIGEST, title=title,
                                          body=f"{text}\n{services.full_url(url)}", campaign=campaign)
    with transaction.atomic():
        services._in_app_many(inbox)
        deliveries = Delivery.objects.bulk_create(outside, batch_size=500)
    accepted = {d.campaign_id for d in services.deliver_many([d.pk for d in deliveries])
                if d is not None and d.status == Delivery.Status.SENT}
    return len(accepted)


def summary_line(run):
    """The one line the command and the job show."""
    line = (f"提醒 {run.reminders} 项已送达（{run.units} 个单位，协调人汇总 {run.digests} 份）；"
            f"此前已提醒或正在重试、本次跳过 {run.skipped} 项")
    if run.unreachable:
        line += f"；无法送达 {len(run.unreachable)} 个单位：" + "、".join(u.name for u, _, _ in run.unreachable)
    return line + "。"


@job_function
def reminders_job(job, day=None):
    """The daily reminders, as a job on the queue (scheduled by jobs.schedule)."""
    from datetime import date

    job.progress(5, "正在查找即将到期和已逾期的任务")
    run = send_reminders(today=date.fromisoformat(day) if day else None)
    return summary_line(run)
