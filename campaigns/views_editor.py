"""The coordinator's plan editor, lifecycle buttons, 复制为新方案 and unit accounts.

Views check input and call the named actions of campaigns/editor.py, services.copy_plan
and campaigns/accounts.py; every campaign is reached through access.get_campaign_for_user
(404 when out of sight, 403 for those who only read it).
"""
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import access, accounts, editor, services
from .directory import Directory
from .forms import (
    CampaignHeaderForm,
    CompleteFromPurposeForm,
    CopyPlanForm,
    LifecycleForm,
    NewCampaignForm,
    ReasonForm,
    SectionForm,
    TaskForm,
    UnitAccountForm,
)
from .models import Assignment, Campaign, Membership, Section, Task, Unit, UnitGroup, responsible_by_task
from .purposes import progress_for


def _coordinated(request, code):
    return access.get_campaign_for_user(request.user, code, coordinate=True)


def _task(campaign, pk):
    try:
        return Task.objects.select_related("campaign", "section").get(campaign=campaign, pk=pk)
    except Task.DoesNotExist:
        raise Http404("没有找到该任务") from None


def _section(campaign, pk):
    try:
        return Section.objects.select_related("campaign").get(campaign=campaign, pk=pk)
    except Section.DoesNotExist:
        raise Http404("没有找到该活动安排") from None


def _reason(request):
    return (request.POST.get("reason") or "").strip()[:80]


def _back(campaign, anchor=""):
    response = redirect("campaigns:editor", code=campaign.code)
    response["Location"] += anchor
    return response


# ---------------------------------------------------------------- a campaign from nothing


@login_required
def campaign_new(request):
    """新建活动方案 without a file: header first, sections and tasks in the editor."""
    units = list(access.startable_units(request.user).order_by("ordinal", "name")[:200])
    if not units:
        raise PermissionDenied("只有活动协调人可以新建活动方案")
    form = NewCampaignForm(request.POST or None, units=access.startable_units(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = editor.create_campaign(request.user, **form.cleaned_data)
        except services.ActionRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "已新建活动方案（草稿）。请添加活动安排和任务，完成后发布。")
            return redirect("campaigns:editor", code=campaign.code)
    return render(request, "campaigns/editor/campaign_new.html", {"form": form})


# ---------------------------------------------------------------- the editor page


@login_required
def editor_page(request, code):
    """The whole plan for editing: header, sections, tasks with units and inline deadlines."""
    campaign = _coordinated(request, code)
    tasks = list(Task.objects.filter(campaign=campaign).order_by("number"))
    responsible = responsible_by_task(Assignment.objects.filter(task__campaign=campaign).exclude(
        status=Assignment.Status.CANCELLED))
    live = set(responsible)
    assigned = set(Assignment.objects.filter(task__campaign=campaign).values_list("task_id", flat=True))
    for task in tasks:
        task.responsible_text = responsible.get(task.pk, ("", set()))[0]
        task.cancelled = task.pk in assigned and task.pk not in live  # removed, kept for its reports
    sections = list(campaign.sections.order_by("ordinal"))
    for section in sections:
        section.task_list = [t for t in tasks if t.section_id == section.pk]
    return render(request, "campaigns/editor/editor.html", {
        "campaign": campaign,
        "sections": sections,
        "tasks": tasks,
        "readonly": campaign.status == Campaign.Status.CLOSED,
        "problems": editor.publish_problems(campaign) if campaign.status == Campaign.Status.DRAFT else [],
        "section_form": SectionForm(),
        "reason_form": ReasonForm(),
    })


@login_required
def header_edit(request, code):
    """Edit the campaign header: title, 文号, issuing authority, dates, theme, content areas."""
    campaign = _coordinated(request, code)
    form = CampaignHeaderForm(request.POST) if request.method == "POST" else CampaignHeaderForm.for_campaign(campaign)
    if request.method == "POST" and form.is_valid():
        try:
            changed = editor.update_campaign(campaign, request.user, reason=form.cleaned_data["reason"],
                                             **form.values())
        except services.ActionRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "已保存活动方案信息。" if changed else "没有需要保存的修改。")
            return _back(campaign)
    return render(request, "campaigns/editor/header.html", {"campaign": campaign, "form": form})


# ---------------------------------------------------------------- sections


def _act(request, campaign, action, done, anchor=""):
    try:
        result = action()
    except services.ActionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done(result) if callable(done) else done)
    return _back(campaign, anchor)


@login_required
@require_POST
def section_add(request, code):
    campaign = _coordinated(request, code)
    return _act(request, campaign, lambda: editor.add_section(
        campaign, request.user, title=request.POST.get("title", ""), reason=_reason(request)),
        lambda s: f"已新增活动安排“{s.title}”。")


@login_required
@require_POST
def section_edit(request, code, pk):
    campaign = _coordinated(request, code)
    section = _section(campaign, pk)
    action = request.POST.get("action", "rename")
    if action in ("up", "down"):
        return _act(request, campaign, lambda: editor.move_section(
            section, request.user, offset=-1 if action == "up" else 1, reason=_reason(request)), "已调整活动安排顺序。")
    if action == "remove":
        return _act(request, campaign, lambda: editor.remove_section(section, request.user, reason=_reason(request)),
                    f"已删除活动安排“{section.title}”。")
    return _act(request, campaign, lambda: editor.rename_section(
        section, request.user, title=request.POST.get("title", ""), reason=_reason(request)), "已修改活动安排标题。")


# ---------------------------------------------------------------- tasks


def _unit_choices():
    """Names to pick from: groups first, then units in directory order (for the picker)."""
    groups = [g.name for g in UnitGroup.objects.order_by("name")]
    units = list(Unit.objects.order_by("ordinal", "name").values_list("name", flat=True))
    return groups, units


def _task_form_page(request, campaign, form, task=None, status=200):
    groups, units = _unit_choices()
    return render(request, "campaigns/editor/task_form.html", {
        "campaign": campaign, "form": form, "task": task, "picker": {"groups": groups, "units": units},
    }, status=status)


def _resolve(form):
    try:
        return editor.resolve_units(form.cleaned_data["units"], Directory())
    except services.ActionRefused as error:
        form.add_error("units", str(error))
        return None


@login_required
def task_add(request, code):
    campaign = _coordinated(request, code)
    initial = {"section": request.GET.get("section")}
    form = TaskForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        entries = _resolve(form)
        if entries is not None:
            data = form.cleaned_data
            try:
                task = editor.add_task(campaign, request.user, section=data["section"], title=data["title"],
                                       entries=entries, deadline=data["deadline"], description=data["description"],
                                       purpose=data["purpose"], reason=data["reason"])
            except services.ActionRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"已新增任务{task.number}。")
                if "another" in request.POST:
                    return redirect(f"{request.path}?section={task.section_id}")
                return _back(campaign, f"#task-{task.pk}")
    return _task_form_page(request, campaign, form, status=400 if form.is_bound else 200)


@login_required
def task_edit(request, code, pk):
    campaign = _coordinated(request, code)
    task = _task(campaign, pk)
    if request.method != "POST":
        current = Task.objects.for_plan().get(pk=task.pk)
        live = [a for a in current.assignments.all() if a.status != Assignment.Status.CANCELLED]
        from .models import join_responsible

        units_text = join_responsible([(a.unit.name, a.via_group_id, a.via_group.name if a.via_group_id else None)
                                       for a in live])
        form = TaskForm(campaign=campaign, initial={
            "section": task.section_id, "title": task.title, "units": units_text, "deadline": task.deadline,
            "purpose": task.purpose, "description": task.description,
        })
        return _task_form_page(request, campaign, form, task)
    form = TaskForm(request.POST, campaign=campaign)
    if form.is_valid():
        entries = _resolve(form)
        if entries is not None:
            data = form.cleaned_data
            try:
                _save_task(request, task, data, entries)
            except services.ActionRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"已保存任务{Task.objects.get(pk=task.pk).number}。")
                return _back(campaign, f"#task-{task.pk}")
    return _task_form_page(request, campaign, form, task, status=400)


def _save_task(request, task, data, entries):
    """Fields, units and section of one task, all or nothing."""
    from django.db import transaction

    with transaction.atomic():
        editor.update_task(task, request.user, reason=data["reason"], title=data["title"],
                           description=data["description"], purpose=data["purpose"] or "", deadline=data["deadline"])
        editor.set_task_units(task, request.user, entries, reason=data["reason"])
        if data["section"].pk != task.section_id:
            editor.move_task(task, request.user, section=data["section"], reason=data["reason"])


@login_required
@require_POST
def task_change(request, code, pk):
    """Move a task up or down, to another section, or remove it."""
    campaign = _coordinated(request, code)
    task = _task(campaign, pk)
    action = request.POST.get("action")
    reason = _reason(request)
    if action in ("up", "down"):
        return _act(request, campaign, lambda: editor.move_task(
            task, request.user, offset=-1 if action == "up" else 1, reason=reason), "已调整任务顺序。", f"#task-{pk}")
    if action == "move":
        section = _section(campaign, request.POST.get("section") or 0)
        return _act(request, campaign, lambda: editor.move_task(task, request.user, section=section, reason=reason),
                    f"已将任务移到“{section.title}”。", f"#task-{pk}")
    if action == "remove":
        return _act(request, campaign, lambda: editor.remove_task(task, request.user, reason=reason),
                    lambda outcome: "已删除任务。" if outcome == "deleted"
                    else "该任务已有单位填报，未删除记录：各单位的分工已取消，单位会在进度记录中看到。")
    messages.error(request, "未知的操作。")
    return _back(campaign)


@login_required
@require_POST
def deadlines(request, code):
    """Deadlines from the editor's table: the inline dates that changed, one date for the
    selected tasks, or the selected tasks shifted by N days."""
    campaign = _coordinated(request, code)
    action, reason = request.POST.get("action"), _reason(request)
    tasks = Task.objects.filter(campaign=campaign)
    try:
        if action == "inline":
            changed = 0
            from django.db import transaction

            with transaction.atomic():
                for task in tasks:
                    raw = request.POST.get(f"deadline-{task.pk}")
                    if raw is None:
                        continue
                    new = _date(raw)
                    if new != task.deadline:
                        editor.update_task(task, request.user, reason=reason, deadline=new)
                        changed += 1
            messages.success(request, f"已保存 {changed} 项任务的完成时限。" if changed else "完成时限没有变化。")
            return _back(campaign)
        selected = tasks.filter(pk__in=[v for v in request.POST.getlist("task") if v.isdigit()])
        if action == "set":
            deadline = _date(request.POST.get("bulk_deadline"))
            if deadline is None:
                raise services.ActionRefused("请填写统一的完成时限。")
            changed = editor.set_deadlines(selected, request.user, deadline=deadline, reason=reason)
        elif action == "shift":
            try:
                days = int(request.POST.get("shift_days") or "")
            except ValueError:
                raise services.ActionRefused("顺延天数须为整数（负数为提前）。") from None
            changed = editor.set_deadlines(selected, request.user, shift_days=days, reason=reason)
        else:
            raise services.ActionRefused("未知的操作。")
    except services.ActionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已修改 {changed} 项任务的完成时限。")
    return _back(campaign)


def _date(raw):
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise services.ActionRefused(f"日期“{raw[:20]}”格式不正确，应为 年-月-日。") from None


# ---------------------------------------------------------------- lifecycle


@login_required
@require_POST
def lifecycle(request, code, action):
    """发布 / 结束 / 重新开启, from the buttons on the plan page."""
    campaign = _coordinated(request, code)
    form = LifecycleForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    actions = {
        "publish": (editor.publish_campaign, "已发布，各责任单位现在可以看到任务并填报进度。"),
        "close": (editor.close_campaign, "活动已结束，方案转为只读，所有内容仍可查看和下载。"),
        "reopen": (editor.reopen_campaign, "已重新开启活动。"),
    }
    if action not in actions:
        raise Http404("未知的操作")
    service, done = actions[action]
    try:
        service(campaign, request.user, reason=reason)
    except editor.PublishRefused as error:
        messages.error(request, "活动方案还不能发布，请先补齐以下内容：")
        for problem in error.problems:
            messages.error(request, problem)
        return redirect("campaigns:editor", code=code)
    except services.ActionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("campaigns:plan", code=code)


@login_required
def copy_plan(request, code):
    """复制为新方案: a new draft with the same sections, tasks and units, dates moved on."""
    campaign = _coordinated(request, code)
    next_year = campaign.starts_on.year + 1
    initial = {
        "title": campaign.title.replace(str(campaign.starts_on.year), str(next_year)),
        "code": f"{campaign.code}-{next_year}"[:50],
        "interval": "year",
    }
    form = CopyPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        days = data["days"] if data["interval"] == "days" else one_year_days(campaign.starts_on)
        try:
            new = services.copy_plan(campaign, code=data["code"], title=data["title"],
                                     document_number=data["document_number"], shift_days=days, user=request.user)
        except services.ActionRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已复制为新方案（草稿），日期顺延 {days} 天。原方案没有任何改动。")
            return redirect("campaigns:editor", code=new.code)
    return render(request, "campaigns/editor/copy.html", {"campaign": campaign, "form": form})


def one_year_days(day):
    """Days from `day` to the same day next year (29 February goes to 28 February)."""
    try:
        later = day.replace(year=day.year + 1)
    except ValueError:
        later = day.replace(year=day.year + 1, day=28)
    return (later - day).days


# ---------------------------------------------------------------- what a task is for


def task_purpose_context(request, task):
    """Context for the task page: the linked module's progress and, for the campaign's
    coordinators, the form to mark the task's units done from it."""
    campaign = task.campaign
    context = {"purpose": progress_for(task), "can_edit_plan": access.can_coordinate(request.user, campaign)}
    if context["purpose"] is not None and not access.can_oversee(request.user, campaign):
        context["purpose"].url = ""  # the module's overview pages are the office's
    if context["purpose"] is not None and context["can_edit_plan"] and campaign.status == Campaign.Status.ACTIVE:
        context["complete_form"] = CompleteFromPurposeForm(initial={"done_on": date.today()})
    return context


@login_required
@require_POST
def task_complete(request, code, pk):
    """Mark the chosen units of a task done from the linked module's progress."""
    campaign = _coordinated(request, code)
    task = _task(campaign, pk)
    form = CompleteFromPurposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写完成日期。")
    else:
        ids = [int(v) for v in request.POST.getlist("assignment") if v.isdigit()]
        try:
            n = editor.complete_from_purpose(task, request.user, assignment_ids=ids,
                                             done_on=form.cleaned_data["done_on"], comment=form.cleaned_data["comment"])
        except services.ActionRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"已确认 {n} 个单位完成该任务。")
    return redirect("campaigns:task", code=code, number=Task.objects.get(pk=task.pk).number)


# ---------------------------------------------------------------- unit accounts


@login_required
def unit_accounts(request):
    """单位账号: reporter and viewer accounts of the units of the coordinator's campaigns."""
    units = access.manageable_units(request.user)
    if not request.user.is_superuser and not access.coordinated_campaigns(request.user).exists():
        raise PermissionDenied("只有活动协调人可以管理单位账号")
    form = UnitAccountForm(request.POST or None, units=units.order_by("ordinal", "name"))
    link = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = accounts.create_unit_account(request.user, data["unit"], username=data["username"],
                                                   role=data["role"], full_name=data["full_name"], email=data["email"])
        except services.ActionRefused as error:
            form.add_error(None, str(error))
        else:
            link = request.build_absolute_uri(accounts.password_set_link(request.user, account))
            messages.success(request, f"已添加账号 {account.username}。请把下面的设置密码链接交给本人（只能使用一次）。")
            form = UnitAccountForm(units=units.order_by("ordinal", "name"))
    members = (
        Membership.objects.filter(unit__in=units)
        .exclude(role=Membership.Role.COORDINATOR)
        .exclude(user__is_superuser=True)
        .select_related("user", "unit")
        .order_by("unit__ordinal", "unit__name", "user__username")
    )
    unit_counts = units.annotate(n=Count("memberships", filter=~Q(memberships__role=Membership.Role.COORDINATOR)))
    return render(request, "campaigns/editor/accounts.html", {
        "form": form, "members": members, "link": link, "units_without": [u for u in unit_counts if not u.n][:50],
    })


@login_required
@require_POST
def unit_account_change(request, pk):
    """Deactivate or reactivate an account, or give it a one-time password-set link."""
    account = access.get_account_for_user(request.user, pk)
    action = request.POST.get("action")
    link = None
    try:
        if action == "deactivate":
            accounts.set_account_active(request.user, account, False)
            messages.success(request, f"已停用账号 {account.username}。")
        elif action == "activate":
            accounts.set_account_active(request.user, account, True)
            messages.success(request, f"已启用账号 {account.username}。")
        elif action == "link":
            link = request.build_absolute_uri(accounts.password_set_link(request.user, account))
        else:
            messages.error(request, "未知的操作。")
    except services.ActionRefused as error:
        messages.error(request, str(error))
    if link:
        return render(request, "campaigns/editor/account_link.html", {"account": account, "link": link})
    return redirect("campaigns:unit_accounts")
