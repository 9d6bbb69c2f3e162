"""Named actions on the plan. Each is one transaction; views, commands and imports call them."""
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from . import lifecycle
from .directory import assignments_from_entries
from .models import AdjustmentRequest, Assignment, Campaign, Evidence, Membership, ProgressReport, ReminderLog, Task

log = logging.getLogger(__name__)


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
            assignment._change_reason = "方案责任单位调整"
            assignment.save(update_fields=[*new, "updated_at"])
            changed += 1
    for assignment in existing.values():
        if assignment.status == Assignment.Status.NOT_STARTED and assignment.percent == 0:
            assignment.delete()
        elif assignment.status != Assignment.Status.CANCELLED:
            assignment.status = Assignment.Status.CANCELLED
            assignment._change_reason = "方案不再列出该单位，已取消"
            assignment.save(update_fields=["status", "updated_at"])
        else:
            continue
        removed += 1
    return created, changed, removed




# ---------------------------------------------------------------- progress, verification


class ActionRefused(Exception):
    """A named action was refused; the message is for the user, in Chinese, as is."""


class Conflict(ActionRefused):
    """Someone else changed the object since the user's form was opened (optimistic locking)."""


def _describe_change(record):
    when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
    who = record.history_user.get_full_name() or record.history_user.username if record.history_user else "系统"
    line = f"{who} 于 {when} 将其改为“{Assignment.Status(record.status).label}，{record.percent}%”"
    if record.history_change_reason:
        line += f"（{record.history_change_reason}）"
    return line


def _conflict_message(assignment, expected_version):
    """Tell the user what the other person changed since `expected_version`."""
    changes = list(
        assignment.history.filter(version__gt=expected_version).select_related("history_user").order_by("history_date")
    )
    if not changes:
        return "保存未成功：该任务分工已被他人修改。您填写的内容没有保存，请刷新页面查看最新情况后重新填写。"
    return (
        "保存未成功：在您打开此页面之后，" + "；".join(_describe_change(r) for r in changes[-3:])
        + "。您填写的内容没有保存（对方的修改已保留），请查看最新情况后重新填写。"
    )


def _claim(assignment, expected_version):
    """Compare-and-set the assignment's version (works alike on SQLite and PostgreSQL).

    The UPDATE ... WHERE version = N both detects a stale form and holds the row for the
    rest of the transaction; the caller then saves through the model so history is kept.
    """
    claimed = Assignment.objects.filter(pk=assignment.pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        raise Conflict(_conflict_message(assignment, expected_version))
    assignment.refresh_from_db()
    return assignment


def _save_with_reason(obj, user, reason, fields=None):
    obj._change_reason = reason[:100]
    obj._history_user = user
    if fields:
        obj.save(update_fields=fields)
    else:
        obj.save()


def _store_evidence(report, files, written):
    storage = Evidence._meta.get_field("file").storage
    for checked in files:
        evidence = Evidence(
            report=report,
            original_name=checked.original_name,
            content_type=checked.content_type,
            extension=checked.extension,
            size=checked.size,
            sha256=checked.sha256,
        )
        checked.upload.seek(0)
        evidence.file.save(checked.original_name, checked.upload, save=False)
        written.append((storage, evidence.file.name))
        evidence.save()


def _remove_files(written):
    for storage, name in written:
        try:
            storage.delete(name)
        except OSError:  # pragma: no cover - best effort clean-up after a failure
            log.exception("could not remove %s", name)


REPORTABLE_STATUSES = lifecycle.REPORTABLE


def require_accepting(campaign):
    """Refuse (ActionRefused) unless the campaign is in progress: nothing is written on a
    draft or a closed campaign (lifecycle.campaign_accepts_reports)."""
    if not lifecycle.campaign_accepts_reports(campaign):
        raise ActionRefused(lifecycle.campaign_refusal(campaign) + "。")


def _completion(assignment, done_on, today):
    """(completed_on, completed_late) for work done on `done_on`, checked against the
    campaign's dates; the deadline compared is the one in force that day."""
    problem = lifecycle.check_done_on(done_on, assignment.task.campaign, today)
    if problem:
        raise ActionRefused(problem)
    return done_on, lifecycle.is_completed_late(done_on, lifecycle.deadline_in_force(assignment.task, done_on))


def submit_progress(assignment, author, *, expected_version, text, percent, status=Assignment.Status.IN_PROGRESS,
                    figures=None, files=(), token=None, done_on=None):
    """Append a progress report to the assignment's journal and bring the assignment up to date.

    `status` is in_progress, or submitted to mark the work done and ask for verification
    (which needs at least one evidence file, now or in an earlier report; percent becomes
    100). A completion keeps two dates: the submission time (completed_at) and the day
    the work was done (`done_on`, 实际完成日期, default today; not in the future, not
    before the campaign started), and whether it came late is decided by `done_on`
    against the deadline in force that day. `files` are evidence.CheckedFile objects
    already checked by content and size. `expected_version` is the assignment version
    the user's form showed: if someone saved in between, a Conflict tells what they
    changed and nothing is written. A repeated `token` (a double-clicked submit) returns
    the first report instead of making a second. Refused on a draft or closed campaign.
    The caller checked that `author` may change the assignment (access.get_assignment_for_user).
    """
    if status not in (Assignment.Status.IN_PROGRESS, Assignment.Status.SUBMITTED):
        raise ActionRefused("进度报告只能将状态设为“进行中”或“提交核验”。")
    require_accepting(assignment.task.campaign)
    written = []
    try:
        with transaction.atomic():
            if token:
                existing = ProgressReport.objects.filter(token=token).first()
                if existing is not None:
                    return _same_submission(existing, assignment, author)
            try:
                _claim(assignment, expected_version)
            except Conflict:
                if token:
                    existing = ProgressReport.objects.filter(token=token).first()
                    if existing is not None:
                        return _same_submission(existing, assignment, author)
                raise
            action = "submit" if status == Assignment.Status.SUBMITTED else "report"
            if not lifecycle.can(action, assignment.status):
                raise ActionRefused(lifecycle.refusal(action, assignment.status))
            now = timezone.now()
            if status == Assignment.Status.SUBMITTED:
                has_evidence = files or Evidence.objects.filter(report__assignment=assignment).exists()
                if not has_evidence:
                    raise ActionRefused("标记完成、提交核验时需要至少一份佐证材料（照片、签到表、PDF 或 Office 文件）。")
                percent = 100
                today = timezone.localdate(now)
                done_on = done_on or today
                assignment.completed_on, assignment.completed_late = _completion(assignment, done_on, today)
                assignment.completed_at = now
            else:
                done_on = None
            report = ProgressReport(
                assignment=assignment, author=author, text=text, percent=percent, status=status, token=token or None,
                done_on=done_on, **(figures or {}),
            )
            report.save()
            _store_evidence(report, files, written)
            assignment.status, assignment.percent = status, percent
            verb = "提交核验" if status == Assignment.Status.SUBMITTED else "进度报告"
            _save_with_reason(assignment, author, f"{verb}：{text}")
            return report
    except BaseException:
        _remove_files(written)
        raise


def _same_submission(existing, assignment, author):
    if existing.assignment_id != assignment.pk or existing.author_id != author.pk:
        raise ActionRefused("表单已失效，请刷新页面后重新填写。")
    existing.duplicate = True
    return existing


def submit_for_verification(assignment, author, *, expected_version, text, figures=None, files=(), token=None,
                            done_on=None):
    """Mark the assignment done and ask the coordinator to verify it (see submit_progress)."""
    return submit_progress(
        assignment, author, expected_version=expected_version, text=text, percent=100,
        status=Assignment.Status.SUBMITTED, figures=figures, files=files, token=token, done_on=done_on,
    )


mark_done = submit_for_verification


def _require_coordinator(user, campaign):
    from .access import can_coordinate

    if not can_coordinate(user, campaign):
        raise ActionRefused("只有本活动的协调人可以进行此操作。")


@transaction.atomic
def verify_assignment(assignment, coordinator, *, expected_version, comment="", done_on=None):
    """The coordinator confirms submitted work: status verified, noted in the journal.

    The completion stays as the unit submitted it, unless `done_on` corrects the 实际完成日期:
    then a comment saying why is required, the date is checked like the unit's, whether
    the work came late is decided again, and the journal entry keeps the corrected date
    and the comment (the unit's own report keeps the date it gave).
    """
    _require_coordinator(coordinator, assignment.task.campaign)
    require_accepting(assignment.task.campaign)
    _claim(assignment, expected_version)
    if not lifecycle.can("verify", assignment.status):
        raise ActionRefused(lifecycle.refusal("verify", assignment.status))
    text = (comment or "").strip()
    reason = ""
    if done_on is not None and done_on != assignment.completed_on:
        if not text:
            raise ActionRefused("更正实际完成日期时，请在核验意见中写明更正理由。")
        old = assignment.completed_on
        assignment.completed_on, assignment.completed_late = _completion(assignment, done_on, timezone.localdate())
        reason = (f"实际完成日期由 {old:%Y-%m-%d} 更正为 {done_on:%Y-%m-%d}；" if old
                  else f"实际完成日期定为 {done_on:%Y-%m-%d}；")
    text = text or "核验通过。"
    report = ProgressReport.objects.create(
        assignment=assignment, author=coordinator, text=reason + text if reason else text, percent=assignment.percent,
        status=Assignment.Status.VERIFIED, done_on=assignment.completed_on,
    )
    assignment.status = lifecycle.target("verify")
    _save_with_reason(assignment, coordinator, f"核验通过：{reason}{text}")
    return report


@transaction.atomic
def return_assignment(assignment, coordinator, *, expected_version, comment):
    """The coordinator sends submitted (or verified) work back to the unit with a comment.

    The unit sees it as 已退回 with the comment, fixes it and submits again; the
    completion date is cleared until then.
    """
    _require_coordinator(coordinator, assignment.task.campaign)
    require_accepting(assignment.task.campaign)
    comment = (comment or "").strip()
    if not comment:
        raise ActionRefused("退回时请写明退回理由和需要补充的内容。")
    _claim(assignment, expected_version)
    if not lifecycle.can("return", assignment.status):
        raise ActionRefused(lifecycle.refusal("return", assignment.status))
    report = ProgressReport.objects.create(
        assignment=assignment, author=coordinator, text=comment, percent=assignment.percent,
        status=Assignment.Status.RETURNED,
    )
    assignment.status = lifecycle.target("return")
    assignment.completed_at = None
    assignment.completed_on = None
    assignment.completed_late = False
    _save_with_reason(assignment, coordinator, f"退回：{comment}")
    return report


# ---------------------------------------------------------------- adjustment filing (调整报备)


@transaction.atomic
def request_adjustment(assignment, user, *, kind, reason, proposed_deadline=None, proposed_title="",
                       proposed_description=""):
    """A unit files a request to move its task's deadline or change what the task will do.

    The task as it stands is copied into the request, so the decision shows old against
    new. One pending request of a kind per assignment at a time. Refused on a draft or
    closed campaign.
    """
    require_accepting(assignment.task.campaign)
    task = Task.objects.select_for_update().get(pk=assignment.task_id)
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused("请填写调整理由。")
    if AdjustmentRequest.objects.filter(assignment=assignment, kind=kind, status=AdjustmentRequest.Status.PENDING).exists():
        raise ActionRefused("该任务分工已有一条同类调整报备在等待审核，请等待协调人处理后再提交。")
    values = {}
    if kind == AdjustmentRequest.Kind.DEADLINE:
        if proposed_deadline is None:
            raise ActionRefused("请填写拟调整的完成时限。")
        if proposed_deadline == task.deadline:
            raise ActionRefused("拟调整的完成时限与现在的完成时限相同。")
        values["proposed_deadline"] = proposed_deadline
    elif kind == AdjustmentRequest.Kind.CONTENT:
        proposed_title, proposed_description = (proposed_title or "").strip(), (proposed_description or "").strip()
        if not proposed_title and not proposed_description:
            raise ActionRefused("请填写调整后的任务内容或说明。")
        if (proposed_title or task.title) == task.title and (proposed_description or task.description) == task.description:
            raise ActionRefused("调整后的任务内容与现在相同。")
        values.update(proposed_title=proposed_title, proposed_description=proposed_description)
    else:
        raise ActionRefused("未知的调整类别。")
    return AdjustmentRequest.objects.create(
        assignment=assignment, task=task, kind=kind, reason=reason, requested_by=user,
        current_deadline=task.deadline, current_title=task.title, current_description=task.description, **values,
    )


def _decide(request, coordinator, status, comment):
    _require_coordinator(coordinator, request.task.campaign)
    require_accepting(request.task.campaign)
    now = timezone.now()
    decided = AdjustmentRequest.objects.filter(pk=request.pk, status=AdjustmentRequest.Status.PENDING).update(
        status=status, decided_by=coordinator, decided_at=now, comment=comment
    )
    if not decided:
        request.refresh_from_db()
        who = request.decided_by.get_full_name() or request.decided_by.username if request.decided_by else "他人"
        when = timezone.localtime(request.decided_at).strftime("%Y-%m-%d %H:%M") if request.decided_at else ""
        raise Conflict(f"该调整报备已由 {who} 于 {when} 审核为“{request.get_status_display()}”，无需重复处理。")
    request.refresh_from_db()
    return request


@transaction.atomic
def approve_adjustment(request, coordinator, comment=""):
    """The coordinator approves a request and its change is applied to the task.

    The task's history (django-simple-history) keeps the old value, who approved it, when,
    and why (the request's reason). If the task was changed since the request was filed,
    approval is refused so nothing is overwritten unseen.
    """
    request = _decide(request, coordinator, AdjustmentRequest.Status.APPROVED, (comment or "").strip())
    task = Task.objects.select_for_update().get(pk=request.task_id)
    if request.kind == AdjustmentRequest.Kind.DEADLINE:
        if task.deadline != request.current_deadline:
            raise Conflict(
                f"申请提交后，该任务的完成时限已改为 {task.deadline:%Y-%m-%d}（申请时为 "
                f"{request.current_deadline:%Y-%m-%d}），请核实后退回该申请或让单位重新报备。"
            )
        task.deadline = request.proposed_deadline
        fields = ["deadline"]
    else:
        if (task.title, task.description) != (request.current_title, request.current_description):
            raise Conflict("申请提交后，该任务的内容已被修改，请核实后退回该申请或让单位重新报备。")
        fields = []
        if request.proposed_title:
            task.title = request.proposed_title
            fields.append("title")
        if request.proposed_description:
            task.description = request.proposed_description
            fields.append("description")
    unit = request.assignment.unit.display_name
    _save_with_reason(task, coordinator, f"调整报备第{request.pk}号（{unit}）批准：{request.reason}", fields)
    return request


@transaction.atomic
def reject_adjustment(request, coordinator, comment):
    """The coordinator declines a request, saying why; the task is left as it was."""
    comment = (comment or "").strip()
    if not comment:
        raise ActionRefused("不批准时请写明理由。")
    return _decide(request, coordinator, AdjustmentRequest.Status.REJECTED, comment)


# ---------------------------------------------------------------- reminders


@dataclass
class ReminderRun:
    unit_emails: int = 0
    digests: int = 0
    reminders: int = 0
    skipped: int = 0
    failed: int = 0


def _reporter_emails(unit_ids):
    rows = (
        Membership.objects.filter(unit_id__in=unit_ids, role=Membership.Role.REPORTER, user__is_active=True)
        .exclude(user__email="")
        .values_list("unit_id", "user__email")
    )
    by_unit = {}
    for unit_id, email in rows:
        by_unit.setdefault(unit_id, []).append(email)
    return by_unit


def _coordinator_emails(campaign):
    return sorted(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__unit_id=campaign.coordinating_unit_id,
            memberships__role=Membership.Role.COORDINATOR,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _line(assignment, kind, today):
    """One reminder line; `assignment` carries the lifecycle's days_left annotation."""
    task = assignment.task
    left = assignment.days_left
    if kind == ReminderLog.Kind.OVERDUE:
        when = f"已逾期 {-left} 天（完成时限 {task.deadline:%Y-%m-%d}）"
    else:
        when = f"{'今天到期' if left == 0 else f'还剩 {left} 天'}（完成时限 {task.deadline:%Y-%m-%d}）"
    url = settings.SITE_URL.rstrip("/") + reverse("campaigns:assignment", args=[assignment.pk])
    return f"· 任务{task.number}. {task.title}\n  {assignment.unit.name}（{assignment.get_role_display()}）：{when}\n  {url}"


def send_reminders(today=None, days=None):
    """Email each unit's reporters about assignments due within `days` (REMINDER_DAYS) and
    overdue ones, and each campaign's coordinators a digest of what was reminded.

    A ReminderLog row (assignment, kind, deadline) is written with each unit's email, so
    the same reminder is never sent twice; a deadline moved by an approved adjustment
    earns new reminders. Only active campaigns are looked at. Returns a ReminderRun.
    """
    today = today or lifecycle.today()
    days = lifecycle.reminder_days() if days is None else days
    run = ReminderRun()
    base = (
        Assignment.objects.filter(task__campaign__status=Campaign.Status.ACTIVE)
        .select_related("task__campaign", "unit")
        .with_deadline_state(today, days)
    )
    candidates = [(a, ReminderLog.Kind.OVERDUE) for a in base.filter(is_overdue=True)]
    candidates += [(a, ReminderLog.Kind.DUE_SOON) for a in base.filter(is_due_soon=True)]
    if not candidates:
        return run
    sent = set(
        ReminderLog.objects.filter(assignment__task__campaign__status=Campaign.Status.ACTIVE).values_list(
            "assignment_id", "kind", "threshold"
        )
    )
    fresh = [(a, k) for a, k in candidates if (a.pk, k, a.task.deadline) not in sent]
    run.skipped = len(candidates) - len(fresh)
    by_unit = {}
    for assignment, kind in sorted(fresh, key=lambda x: (x[0].task.deadline, x[0].task.number)):
        by_unit.setdefault(assignment.unit_id, []).append((assignment, kind))
    emails = _reporter_emails(by_unit)
    reminded_by_campaign = {}
    for unit_id, items in by_unit.items():
        unit = items[0][0].unit
        recipients = emails.get(unit_id, [])
        overdue = [_line(a, k, today) for a, k in items if k == ReminderLog.Kind.OVERDUE]
        due = [_line(a, k, today) for a, k in items if k == ReminderLog.Kind.DUE_SOON]
        try:
            with transaction.atomic():
                # The log rows first: a second run at the same time fails here instead of
                # sending again; a failed send rolls them back, so tomorrow's run retries.
                ReminderLog.objects.bulk_create(
                    [ReminderLog(assignment=a, kind=k, threshold=a.task.deadline, recipients=", ".join(recipients))
                     for a, k in items]
                )
                if recipients:
                    body = [f"{unit.name}：", ""]
                    if overdue:
                        body += ["以下任务已逾期，请尽快完成并填报进度：", *overdue, ""]
                    if due:
                        body += [f"以下任务将在 {days} 天内到期：", *due, ""]
                    body += ["请登录市州行工作台填报进度、上传佐证材料；如需调整完成时限或内容，请提交调整报备。"]
                    subject = f"【市州行】任务提醒：{len(overdue)} 项逾期，{len(due)} 项即将到期"
                    send_mail(subject, "\n".join(body), None, recipients)
                    run.unit_emails += 1
        except IntegrityError:
            continue  # another run at the same moment sent these
        except Exception:
            # One unit's mail failing (SMTP down, bad address) must not stop the others;
            # its log rows rolled back, so the next run tries again.
            log.exception("reminder to %s failed", unit)
            run.failed += 1
            continue
        run.reminders += len(items)
        for a, k in items:
            reminded_by_campaign.setdefault(a.task.campaign, []).append((a, k))
    for campaign, items in reminded_by_campaign.items():
        recipients = _coordinator_emails(campaign)
        if not recipients:
            continue
        overdue = [_line(a, k, today) for a, k in items if k == ReminderLog.Kind.OVERDUE]
        due = [_line(a, k, today) for a, k in items if k == ReminderLog.Kind.DUE_SOON]
        waiting = Assignment.objects.filter(task__campaign=campaign, status=Assignment.Status.SUBMITTED).count()
        pending = AdjustmentRequest.objects.filter(task__campaign=campaign, status=AdjustmentRequest.Status.PENDING).count()
        body = [f"{campaign.title}（{today:%Y-%m-%d}）", ""]
        if overdue:
            body += [f"新逾期 {len(overdue)} 项：", *overdue, ""]
        if due:
            body += [f"{days} 天内到期 {len(due)} 项：", *due, ""]
        body += [f"待核验的提交：{waiting} 项；待审核的调整报备：{pending} 项。",
                 settings.SITE_URL.rstrip("/") + reverse("campaigns:dashboard", args=[campaign.code])]
        try:
            subject = f"【市州行】每日提醒汇总：{len(overdue)} 项逾期，{len(due)} 项即将到期"
            send_mail(subject, "\n".join(body), None, recipients)
        except Exception:
            log.exception("digest for %s failed", campaign)
            run.failed += 1
            continue
        run.digests += 1
    return run


# ---------------------------------------------------------------- next year's plan


@transaction.atomic
def copy_plan(source, *, code, title=None, document_number=None, shift_days=0, user=None):
    """复制为新方案: a new DRAFT campaign with `source`'s header, sections, tasks (numbers,
    purposes), responsible units and deadlines, every date moved by `shift_days`.

    Nothing of `source` changes; no progress, reports or history is copied, and the unit
    directory is shared. With `user`, refused unless the user coordinates `source`.
    Returns the new campaign.
    """
    from .access import can_coordinate
    from .models import Section

    if user is not None and not can_coordinate(user, source):
        raise ActionRefused("只有本活动的协调人可以复制活动方案。")
    code = (code or "").strip()
    if not code:
        raise ActionRefused("请填写新方案的代码。")
    if Campaign.objects.filter(code=code).exists():
        raise ActionRefused(f"代码“{code}”已被其他活动方案使用，请换一个。")
    shift = timedelta(days=shift_days or 0)

    def moved(day):
        return day + shift if day else day

    reason = f"复制自“{source.title}”（{source.code}）"[:100]
    campaign = Campaign(
        code=code, title=(title or source.title).strip(), document_number=(document_number or "").strip(),
        issuing_authority=source.issuing_authority, issued_on=None, coordinating_unit_id=source.coordinating_unit_id,
        theme=source.theme, content_areas=source.content_areas, starts_on=moved(source.starts_on),
        ends_on=moved(source.ends_on), summary_due=moved(source.summary_due), status=Campaign.Status.DRAFT,
    )
    campaign._change_reason, campaign._history_user = reason, user
    campaign.save()
    sections = {}
    for section in Section.objects.filter(campaign=source).order_by("ordinal"):
        copy = Section(campaign=campaign, ordinal=section.ordinal, title=section.title)
        copy._change_reason, copy._history_user = reason, user
        copy.save()
        sections[section.pk] = copy
    old_tasks = list(Task.objects.filter(campaign=source).order_by("number"))
    new_tasks = bulk_create_with_history(
        [
            Task(campaign=campaign, section=sections[t.section_id], number=t.number, title=t.title,
                 description=t.description, deadline=moved(t.deadline), original_deadline=moved(t.deadline),
                 notes=t.notes, purpose=t.purpose)
            for t in old_tasks
        ],
        Task, default_user=user, default_change_reason=reason,
    )
    by_number = {t.number: t for t in Task.objects.filter(campaign=campaign)} if new_tasks else {}
    number_of = {t.pk: t.number for t in old_tasks}
    assignments = [
        Assignment(task=by_number[number_of[a.task_id]], unit_id=a.unit_id, role=a.role, via_group_id=a.via_group_id,
                   position=a.position)
        for a in Assignment.objects.filter(task__campaign=source).exclude(status=Assignment.Status.CANCELLED)
    ]
    bulk_create_with_history(assignments, Assignment, default_user=user, default_change_reason=reason)
    return campaign
