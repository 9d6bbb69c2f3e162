"""Plan editing and the campaign lifecycle, for a campaign's coordinators (no admin needed).

Every action here is one transaction, checks that its caller coordinates the campaign
and that the campaign is not closed, and saves through the models so django-simple-history
keeps the old value, who changed it and why (the reason, prefixed with what was done).
Refusals are services.ActionRefused with a Chinese message.

Nothing a unit reported is ever deleted: a unit taken off a task, or a task removed, has
its assignment cancelled with an entry in its journal the unit sees; only assignments
and tasks nobody has reported on are deleted.
"""
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import lifecycle, signals
from .access import can_coordinate
from .directory import Directory, Entry, UnknownUnit, assignments_from_entries
from .models import AdjustmentRequest, Assignment, Campaign, ProgressReport, Section, Task
from .services import ActionRefused

HEADER_FIELDS = (
    "title", "document_number", "issuing_authority", "issued_on", "theme", "content_areas",
    "starts_on", "ends_on", "summary_due",
)
REASON_MAX = 100  # simple-history's history_change_reason column


class PublishRefused(ActionRefused):
    """Publishing was refused; `problems` lists what is missing, one line per task."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("活动方案还不能发布，请先补齐：" + "；".join(problems[:5]) + ("……" if len(problems) > 5 else ""))


# ---------------------------------------------------------------- checks and helpers


def check_can_edit(user, campaign):
    """Refuse unless `user` coordinates `campaign` and it is not closed (已结束 is read-only)."""
    if user is None or not can_coordinate(user, campaign):
        raise ActionRefused("只有本活动的协调人可以修改活动方案。")
    if lifecycle.campaign_is_closed(campaign):
        raise ActionRefused("该活动方案已结束，只能查看和下载；如需修改，请先重新开启。")


def _reason(action, reason):
    reason = (reason or "").strip()
    return (f"{action}：{reason}" if reason else action)[:REASON_MAX]


def _save(obj, user, reason, fields=None):
    obj._change_reason = reason
    obj._history_user = user
    obj.save(update_fields=fields) if fields else obj.save()


def _delete(obj, user, reason):
    obj._change_reason = reason
    obj._history_user = user
    obj.delete()


def _locked(campaign):
    """The campaign row, locked for the rest of the transaction (concurrent edits queue up)."""
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _ordered_tasks(campaign):
    """The campaign's tasks in plan order: by section, then by number."""
    return list(Task.objects.filter(campaign=campaign).select_related("section").order_by("section__ordinal", "number"))


def _renumber(campaign, tasks, user, reason):
    """Give `tasks` (the whole campaign, in the wanted order) the numbers 1, 2, 3…

    Tasks whose number changes are first moved out of the way in one UPDATE (the numbers
    are unique per campaign), then saved one by one so their history shows old → new.
    """
    moving = [(task, n) for n, task in enumerate(tasks, start=1) if task.number != n]
    if not moving:
        return
    Task.objects.filter(pk__in=[t.pk for t, _ in moving]).update(number=F("number") + 1_000_000)
    for task, n in moving:
        task.number = n
        _save(task, user, reason, ["number"])


def _journal(assignment, user, text, status):
    """An entry in the assignment's journal (what the unit sees on its page)."""
    return ProgressReport.objects.create(
        assignment=assignment, author=user, text=text, percent=assignment.percent, status=status,
    )


def _cancel_assignment(assignment, user, reason):
    """Cancel a live assignment, telling the unit why in its journal; reports are kept."""
    _journal(assignment, user, f"协调人取消了本单位在该任务中的分工。{reason}", Assignment.Status.CANCELLED)
    assignment.status = Assignment.Status.CANCELLED
    assignment.version += 1  # a form opened before the cancellation is refused
    _save(assignment, user, reason)


def _has_work(assignments):
    """Whether any of `assignments` has a report or an adjustment filing (never deleted)."""
    return ProgressReport.objects.filter(assignment__in=assignments).exists() or AdjustmentRequest.objects.filter(
        assignment__in=assignments
    ).exists()


def _drop_or_cancel(assignment, user, reason):
    """Delete an assignment nobody has reported on; cancel (never delete) one with reports."""
    if not _has_work([assignment]):
        _delete(assignment, user, reason)
        return "deleted"
    if assignment.status != Assignment.Status.CANCELLED:
        _cancel_assignment(assignment, user, reason)
        return "cancelled"
    return "unchanged"


# ---------------------------------------------------------------- campaign header


@transaction.atomic
def update_campaign(campaign, user, *, reason="", **values):
    """Change the campaign's header (title, 文号, issuing authority, dates, theme, content
    areas, summary due date). Only HEADER_FIELDS may be given; returns the changed field names."""
    campaign = _locked(campaign)
    check_can_edit(user, campaign)
    unknown = set(values) - set(HEADER_FIELDS)
    if unknown:
        raise ActionRefused("不能在此修改：" + "、".join(sorted(unknown)))
    if not (values.get("title", campaign.title) or "").strip():
        raise ActionRefused("请填写活动方案标题。")
    starts, ends = values.get("starts_on", campaign.starts_on), values.get("ends_on", campaign.ends_on)
    if starts and ends and ends < starts:
        raise ActionRefused("结束日期不能早于开始日期。")
    changed = [name for name, value in values.items() if getattr(campaign, name) != value]
    if changed:
        for name in changed:
            setattr(campaign, name, values[name])
        _save(campaign, user, _reason("修改活动方案信息", reason), changed)
    return changed


# ---------------------------------------------------------------- sections


@transaction.atomic
def add_section(campaign, user, *, title, reason=""):
    """Add a section (重点活动安排) at the end of the plan."""
    campaign = _locked(campaign)
    check_can_edit(user, campaign)
    title = (title or "").strip()
    if not title:
        raise ActionRefused("请填写活动安排的标题。")
    last = Section.objects.filter(campaign=campaign).order_by("-ordinal").values_list("ordinal", flat=True).first()
    section = Section(campaign=campaign, ordinal=(last or 0) + 1, title=title)
    _save(section, user, _reason("新增活动安排", reason))
    return section


@transaction.atomic
def rename_section(section, user, *, title, reason=""):
    """Change a section's title."""
    check_can_edit(user, _locked(section.campaign))
    title = (title or "").strip()
    if not title:
        raise ActionRefused("请填写活动安排的标题。")
    if title != section.title:
        section.title = title
        _save(section, user, _reason("修改活动安排标题", reason), ["title"])
    return section


def _renumber_sections(campaign, sections, user, reason):
    moving = [(s, n) for n, s in enumerate(sections, start=1) if s.ordinal != n]
    Section.objects.filter(pk__in=[s.pk for s, _ in moving]).update(ordinal=F("ordinal") + 1_000_000)
    for section, n in moving:
        section.ordinal = n
        _save(section, user, reason, ["ordinal"])


@transaction.atomic
def move_section(section, user, *, offset, reason=""):
    """Move a section one place up (offset -1) or down (+1); tasks are renumbered to follow."""
    campaign = _locked(section.campaign)
    check_can_edit(user, campaign)
    sections = list(Section.objects.filter(campaign=campaign).order_by("ordinal"))
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(sections):
        raise ActionRefused("该活动安排已在最前或最后，不能再移动。")
    sections[index], sections[target] = sections[target], sections[index]
    why = _reason("调整活动安排顺序", reason)
    _renumber_sections(campaign, sections, user, why)
    _renumber(campaign, _ordered_tasks(campaign), user, why)


@transaction.atomic
def remove_section(section, user, *, reason=""):
    """Remove an empty section (its tasks must be moved or removed first)."""
    campaign = _locked(section.campaign)
    check_can_edit(user, campaign)
    if section.tasks.exists():
        raise ActionRefused(f"“{section.title}”下还有任务，请先将任务移到其他活动安排或删除后再删除。")
    why = _reason("删除活动安排", reason)
    _delete(section, user, why)
    _renumber_sections(campaign, list(Section.objects.filter(campaign=campaign).order_by("ordinal")), user, why)


# ---------------------------------------------------------------- tasks


def resolve_units(text, directory=None):
    """The entries for a responsible-units phrase written as a notice writes it
    ("省局知识产权公共服务处，各市州市场监管局"), with the importer's resolution (groups,
    short names, 省局 prefixes). Unknown names are refused, each with a suggestion."""
    directory = directory or Directory()
    from .directory import split_units

    entries, problems, previous = [], [], None
    for name in split_units(text or ""):
        try:
            previous = directory.lookup(name, previous)
            entries.append(previous)
        except UnknownUnit as error:
            problems.append(str(error))
    if problems:
        raise ActionRefused("；".join(problems) + "。请按单位目录中的名称、简称或单位组填写。")
    if not entries:
        raise ActionRefused("请填写责任单位（第一个为牵头单位）。")
    return entries


def entries_for_units(units):
    """Entries for units picked one by one (the first leads)."""
    return [Entry(text=unit.name, units=[unit]) for unit in units]


def _apply_units(task, user, entries, why):
    """Make the task's assignments match `entries`; see set_task_units."""
    wanted = assignments_from_entries(entries)
    existing = {a.unit_id: a for a in task.assignments.all()}
    summary = {"added": 0, "changed": 0, "deleted": 0, "cancelled": 0, "restored": 0}
    for unit, role, group, position in wanted:
        assignment = existing.pop(unit.pk, None)
        if assignment is None:
            _save(Assignment(task=task, unit=unit, role=role, via_group=group, position=position), user, why)
            summary["added"] += 1
            continue
        new = {"role": role, "via_group_id": group.pk if group else None, "position": position}
        restored = assignment.status == Assignment.Status.CANCELLED
        if restored:
            # Named again: back to work, with its earlier reports and percent.
            assignment.status = Assignment.Status.IN_PROGRESS if assignment.percent else Assignment.Status.NOT_STARTED
            assignment.version += 1
            _journal(assignment, user, f"协调人恢复了本单位在该任务中的分工。{why}", assignment.status)
            summary["restored"] += 1
        if restored or any(getattr(assignment, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(assignment, k, v)
            _save(assignment, user, why)
            summary["changed"] += 0 if restored else 1
    for assignment in existing.values():
        outcome = _drop_or_cancel(assignment, user, why)
        if outcome != "unchanged":
            summary[outcome] += 1
    return summary


@transaction.atomic
def set_task_units(task, user, entries, *, reason=""):
    """Set the task's responsible units: the first entry leads, the others share the work.

    Units newly named get an assignment; units still named keep theirs (and its progress);
    a cancelled unit named again is restored; a unit no longer named loses its assignment
    if it never reported, or has it cancelled with a journal entry it sees. Returns a
    summary of what was added, changed, deleted, cancelled and restored.
    """
    check_can_edit(user, _locked(task.campaign))
    if not entries:
        raise ActionRefused("请至少指定一个责任单位（第一个为牵头单位）。")
    return _apply_units(task, user, entries, _reason("调整责任单位", reason))


@transaction.atomic
def add_task(campaign, user, *, section, title, entries=(), deadline=None, description="", purpose="", reason=""):
    """Add a task at the end of `section` with its responsible units and deadline; the
    tasks after it are renumbered so numbers follow the plan's order."""
    campaign = _locked(campaign)
    check_can_edit(user, campaign)
    if section.campaign_id != campaign.pk:
        raise ActionRefused("所选活动安排不属于本活动方案。")
    title = (title or "").strip()
    if not title:
        raise ActionRefused("请填写任务内容。")
    why = _reason("新增任务", reason)
    last = Task.objects.filter(campaign=campaign).order_by("-number").values_list("number", flat=True).first() or 0
    task = Task(campaign=campaign, section=section, number=last + 1, title=title, description=description or "",
                deadline=deadline, purpose=purpose or "")
    _save(task, user, why)
    if entries:
        _apply_units(task, user, entries, why)
    _renumber(campaign, _ordered_tasks(campaign), user, why)
    task.refresh_from_db()
    return task


TASK_FIELDS = ("title", "description", "purpose", "notes", "deadline")


@transaction.atomic
def update_task(task, user, *, reason="", **values):
    """Change a task's title, description, purpose, notes or deadline; returns the changed fields.

    While the campaign is a draft the deadline is the plan as it will be issued, so the
    original deadline follows it; once published the original stays and the change is
    kept in history.
    """
    campaign = _locked(task.campaign)
    check_can_edit(user, campaign)
    unknown = set(values) - set(TASK_FIELDS)
    if unknown:
        raise ActionRefused("不能在此修改：" + "、".join(sorted(unknown)))
    if "title" in values and not (values["title"] or "").strip():
        raise ActionRefused("请填写任务内容。")
    changed = [name for name, value in values.items() if getattr(task, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(task, name, values[name])
    if "deadline" in changed and campaign.status == Campaign.Status.DRAFT:
        task.original_deadline = task.deadline
        changed.append("original_deadline")
    _save(task, user, _reason("修改任务", reason), changed)
    return changed


@transaction.atomic
def move_task(task, user, *, offset=None, section=None, reason=""):
    """Move a task one place up (offset -1) or down (+1) within its section, or to the end
    of another `section`; every task is renumbered to follow the plan's order."""
    campaign = _locked(task.campaign)
    check_can_edit(user, campaign)
    tasks = _ordered_tasks(campaign)
    index = next(i for i, t in enumerate(tasks) if t.pk == task.pk)
    moving = tasks[index]
    why = _reason("调整任务顺序", reason)
    if section is not None:
        if section.campaign_id != campaign.pk:
            raise ActionRefused("所选活动安排不属于本活动方案。")
        if section.pk == moving.section_id:
            raise ActionRefused("该任务已在所选活动安排中。")
        moving.section = section
        _save(moving, user, _reason("移动任务到其他活动安排", reason), ["section"])
        tasks = _ordered_tasks(campaign)
        rest = [t for t in tasks if t.pk != moving.pk]
        # Last of its new section: after every task of sections up to and including it.
        cut = sum(1 for t in rest if t.section.ordinal <= section.ordinal)
        tasks = rest[:cut] + [moving] + rest[cut:]
    else:
        target = index + (offset or 0)
        if offset not in (-1, 1) or not 0 <= target < len(tasks) or tasks[target].section_id != moving.section_id:
            raise ActionRefused("该任务已在本活动安排的最前或最后；如需移到其他活动安排，请选择目标活动安排。")
        tasks[index], tasks[target] = tasks[target], tasks[index]
    _renumber(campaign, tasks, user, why)


@transaction.atomic
def remove_task(task, user, *, reason=""):
    """Remove a task. A task nobody reported on is deleted (its history records by whom
    and why); one with reports is kept and every live assignment is cancelled with a
    journal entry its unit sees. Returns "deleted" or "cancelled"."""
    campaign = _locked(task.campaign)
    check_can_edit(user, campaign)
    why = _reason("删除任务", reason)
    if _has_work(task.assignments.all()):
        for assignment in task.assignments.exclude(status=Assignment.Status.CANCELLED):
            _drop_or_cancel(assignment, user, why)
        return "cancelled"
    for assignment in task.assignments.all():
        _delete(assignment, user, why)
    _delete(task, user, why)
    _renumber(campaign, _ordered_tasks(campaign), user, why)
    return "deleted"


@transaction.atomic
def set_deadlines(tasks, user, *, deadline=None, shift_days=None, reason=""):
    """Set one deadline for all `tasks`, or move each task's deadline by `shift_days`
    (tasks without a deadline are left alone). Returns the number of tasks changed."""
    tasks = list(tasks)
    if not tasks:
        raise ActionRefused("请先勾选要设置完成时限的任务。")
    if (deadline is None) == (shift_days is None):
        raise ActionRefused("请填写统一的完成时限，或顺延（提前）的天数，二者选一。")
    if shift_days == 0:
        raise ActionRefused("顺延天数不能为 0。")
    campaigns = {t.campaign_id for t in tasks}
    if len(campaigns) != 1:
        raise ActionRefused("只能同时修改同一活动方案的任务。")
    campaign = _locked(tasks[0].campaign)
    check_can_edit(user, campaign)
    if shift_days is not None:
        why = _reason(f"完成时限{'顺延' if shift_days > 0 else '提前'} {abs(shift_days)} 天", reason)
    else:
        why = _reason(f"完成时限统一设为 {deadline:%Y-%m-%d}", reason)
    changed = 0
    for task in Task.objects.filter(pk__in=[t.pk for t in tasks]).order_by("number"):
        new = deadline if shift_days is None else (task.deadline + timedelta(days=shift_days) if task.deadline else None)
        if new is None or new == task.deadline:
            continue
        task.deadline = new
        fields = ["deadline"]
        if campaign.status == Campaign.Status.DRAFT:
            task.original_deadline = new
            fields.append("original_deadline")
        _save(task, user, why, fields)
        changed += 1
    return changed


# ---------------------------------------------------------------- lifecycle: publish, close, reopen


def publish_problems(campaign):
    """What stops the campaign from being published, one line per task (empty when ready).

    Every task needs a lead unit (a live assignment with the lead role) and a deadline.
    """
    tasks = list(Task.objects.filter(campaign=campaign).order_by("number"))
    if not tasks:
        return ["活动方案中还没有任务"]
    leads = set(
        Assignment.objects.filter(task__campaign=campaign, role=Assignment.Role.LEAD)
        .exclude(status=Assignment.Status.CANCELLED)
        .values_list("task_id", flat=True)
    )
    problems = []
    for task in tasks:
        missing = []
        if task.pk not in leads:
            missing.append("牵头单位")
        if task.deadline is None:
            missing.append("完成时限")
        if missing:
            problems.append(f"任务{task.number}“{task.title[:20]}”缺少{'和'.join(missing)}")
    return problems


def _transition(campaign, user, from_status, to_status, reason):
    campaign = _locked(campaign)
    if not can_coordinate(user, campaign):
        raise ActionRefused("只有本活动的协调人可以发布、结束或重新开启活动方案。")
    if campaign.status != from_status:
        raise ActionRefused(
            f"该活动方案当前为“{campaign.get_status_display()}”，不能{reason.split('：')[0]}。"
        )
    campaign.status = to_status
    _save(campaign, user, reason[:REASON_MAX], ["status"])
    return campaign


@transaction.atomic
def publish_campaign(campaign, user, *, reason=""):
    """草稿 → 进行中. Refused (PublishRefused, listing what is missing) unless every task has
    a lead unit and a deadline; from then on units see the plan and report on it."""
    problems = publish_problems(campaign)
    if problems and can_coordinate(user, campaign) and campaign.status == Campaign.Status.DRAFT:
        raise PublishRefused(problems)
    campaign = _transition(campaign, user, Campaign.Status.DRAFT, Campaign.Status.ACTIVE, _reason("发布", reason))
    # Every responsible unit learns of its tasks (notifications listens; campaigns imports none of it).
    signals.send_on_commit(signals.campaign_published, Campaign, campaign=campaign)
    return campaign


@transaction.atomic
def close_campaign(campaign, user, *, reason=""):
    """进行中 → 已结束: the campaign becomes read-only (still viewable and downloadable)."""
    return _transition(campaign, user, Campaign.Status.ACTIVE, Campaign.Status.CLOSED, _reason("结束", reason))


@transaction.atomic
def reopen_campaign(campaign, user, *, reason):
    """已结束 → 进行中 again; the reason is required and kept in the campaign's history."""
    if not (reason or "").strip():
        raise ActionRefused("重新开启时请写明理由。")
    return _transition(campaign, user, Campaign.Status.CLOSED, Campaign.Status.ACTIVE, _reason("重新开启", reason))


# ---------------------------------------------------------------- what a task is for


@transaction.atomic
def complete_from_purpose(task, user, *, assignment_ids, done_on=None, comment=""):
    """The coordinator marks the task's units done from the linked module's progress
    (the survey answered, pairings established, summaries in): each chosen live assignment
    becomes verified, with a journal entry the unit sees. `done_on` (default today) is the
    date the work was done; completion is late when it is after the deadline.
    Returns the number of assignments marked."""
    campaign = _locked(task.campaign)
    check_can_edit(user, campaign)
    if not lifecycle.campaign_accepts_reports(campaign):
        raise ActionRefused("只有进行中的活动方案可以确认任务完成。")
    if not task.purpose:
        raise ActionRefused("该任务没有关联的工作，请先在任务中设置“对应工作”。")
    done_on = done_on or lifecycle.today()
    problem = lifecycle.check_done_on(done_on, campaign)
    if problem:
        raise ActionRefused(problem)
    late = lifecycle.is_completed_late(done_on, lifecycle.deadline_in_force(task, done_on))
    chosen = list(
        task.assignments.filter(pk__in=assignment_ids).exclude(
            status__in=(Assignment.Status.CANCELLED, Assignment.Status.VERIFIED)
        )
    )
    if not chosen:
        raise ActionRefused("请勾选尚未核验的单位。")
    text = (comment or "").strip() or f"依据{task.get_purpose_display()}的完成情况，协调人确认完成。"
    for assignment in chosen:
        assignment.percent = 100
        entry = _journal(assignment, user, text, Assignment.Status.VERIFIED)
        ProgressReport.objects.filter(pk=entry.pk).update(done_on=done_on)
        assignment.status = Assignment.Status.VERIFIED
        assignment.completed_at = timezone.now()
        assignment.completed_on, assignment.completed_late = done_on, late
        assignment.version += 1
        _save(assignment, user, _reason("确认完成", text))
    return len(chosen)


# ---------------------------------------------------------------- a campaign from nothing


@transaction.atomic
def create_campaign(user, *, code, title, coordinating_unit, starts_on, ends_on, summary_due, document_number="",
                    issuing_authority="", reason=""):
    """A new, empty DRAFT campaign coordinated by `coordinating_unit` (one the user coordinates;
    administrators may pick any). Sections and tasks are added in the editor."""
    from .access import startable_units

    if not startable_units(user).filter(pk=coordinating_unit.pk).exists():
        raise ActionRefused("只能为本人担任协调人的单位新建活动方案。")
    code, title = (code or "").strip(), (title or "").strip()
    if not code or not title:
        raise ActionRefused("请填写活动方案的代码和标题。")
    if Campaign.objects.filter(code=code).exists():
        raise ActionRefused(f"代码“{code}”已被其他活动方案使用，请换一个。")
    if ends_on < starts_on:
        raise ActionRefused("结束日期不能早于开始日期。")
    campaign = Campaign(
        code=code, title=title, coordinating_unit=coordinating_unit, starts_on=starts_on, ends_on=ends_on,
        summary_due=summary_due, document_number=(document_number or "").strip(),
        issuing_authority=(issuing_authority or "").strip(), status=Campaign.Status.DRAFT,
    )
    _save(campaign, user, _reason("新建活动方案", reason))
    return campaign
