from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import access, lifecycle, services
from .dashboard import campaign_dashboard, choose_section, section_figures
from .dashboard import unit_dashboard as unit_dashboard_data
from .evidence import attachment_response, evidence_max_bytes
from .filters import MyTaskFilter, TaskFilter
from .forms import AdjustmentDecisionForm, AdjustmentRequestForm, ProgressReportForm, ReviewForm
from .history import change_log
from .models import Assignment, ProgressReport, Task, mean_progress, responsible_by_task
from .paging import page_loading


@login_required
def home(request):
    """Send each user where they work: coordinators to their campaign, units to 我的任务."""
    coordinated = list(access.coordinated_campaigns(request.user).filter(status="active")[:2])
    if len(coordinated) == 1:
        return redirect("campaigns:plan", code=coordinated[0].code)
    if coordinated or request.user.is_superuser:
        return redirect("campaigns:list")
    return redirect("campaigns:my_tasks")


@login_required
def campaign_list(request):
    campaigns = list(access.visible_campaigns(request.user).select_related("coordinating_unit"))
    by_campaign = {}
    rows = Task.objects.filter(campaign__in=campaigns).with_progress().values(
        "campaign_id", "reported_progress", "verified_progress"
    )
    for row in rows:
        by_campaign.setdefault(row["campaign_id"], []).append(row)
    for campaign in campaigns:
        figures = by_campaign.get(campaign.pk, [])
        campaign.progress = mean_progress(r["reported_progress"] for r in figures)
        campaign.verified_progress = mean_progress(r["verified_progress"] for r in figures)
        campaign.task_count = len(figures)
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


PLAN_TASKS_PER_PAGE = 50


@login_required
def plan(request, code):
    """The published plan, alive: one section at a time (?section=<ordinal>, default the
    first) with its numbered tasks, units, deadlines and progress; the other sections are
    tabs with their counts (tasks, overdue, done), so the page stays the size a person reads."""
    campaign = access.get_campaign_for_user(request.user, code)
    sections, overall = section_figures(campaign, status_counts=False)
    current = choose_section(sections, request.GET.get("section"))
    fields = ["number", "title", "deadline", "original_deadline", "section"]
    in_section = Task.objects.filter(campaign=campaign, section=current).order_by("number")
    # A section of a national plan can hold a thousand tasks: they come a page at a time.
    page = page_loading(in_section, PLAN_TASKS_PER_PAGE, request.GET.get("page"),
                        lambda rows: rows.with_progress().only(*fields))
    tasks = list(page.object_list)
    ids = [t.pk for t in tasks]
    responsible = responsible_by_task(Assignment.objects.filter(task_id__in=ids))
    my_units = access.member_unit_ids(request.user)
    for task in tasks:
        task.responsible_text, unit_ids = responsible.get(task.pk, ("", set()))
        task.mine = bool(unit_ids & my_units)
    if current is not None:
        current.task_list = tasks
    return render(
        request,
        "campaigns/plan.html",
        {
            "campaign": campaign,
            "sections": sections,
            "section": current,
            "tasks": tasks,
            "page": page,
            "page_query": f"section={current.ordinal}&" if current else "",
            **overall,
            "can_coordinate": access.can_coordinate(request.user, campaign),
            "can_oversee": access.can_oversee(request.user, campaign),
        },
    )


@login_required
def task_list(request, code):
    """The coordinator's task list: filtered (django-filter) and paginated."""
    campaign = access.get_campaign_for_user(request.user, code)
    if not access.can_oversee(request.user, campaign):
        raise PermissionDenied("只有本活动的协调单位可以查看任务总表")
    base = Task.objects.filter(campaign=campaign)
    task_filter = TaskFilter(request.GET or None, queryset=base, campaign=campaign)
    queryset = task_filter.qs if task_filter.is_bound else base
    page = page_loading(queryset.order_by("number"), 50, request.GET.get("page"), lambda rows: rows.for_plan())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaigns/task_list.html",
        {"campaign": campaign, "filter": task_filter, "page": page, "querystring": query.urlencode()},
    )


@login_required
def task_detail(request, code, number):
    task = access.get_task_for_user(request.user, code, number)
    task = Task.objects.for_plan().get(pk=task.pk)
    readable = set(access.visible_assignments(request.user, task.campaign).filter(task=task).values_list("pk", flat=True))
    assignments = list(task.assignments.all())
    for assignment in assignments:
        assignment.readable = assignment.pk in readable
    history = change_log(task.history.select_related("history_user"), TASK_HISTORY_FIELDS, "任务")
    from .views_editor import task_purpose_context

    return render(
        request,
        "campaigns/task_detail.html",
        {"task": task, "campaign": task.campaign, "assignments": assignments,
         "reports": _timeline(readable)[:100], "history": history, **task_purpose_context(request, task)},
    )


MY_TASKS_PER_PAGE = 50


@login_required
def my_tasks(request):
    """我的任务: the assignments of the user's units in the campaigns they can see, filtered
    (status, overdue / due soon, section, text: MyTaskFilter) and MY_TASKS_PER_PAGE a page."""
    units = access.member_unit_ids(request.user)
    base = (
        Assignment.objects.filter(unit_id__in=units, task__campaign__in=access.visible_campaigns(request.user))
        .exclude(task__campaign__status=lifecycle.CampaignStatus.DRAFT)
    )
    task_filter = MyTaskFilter(request.GET or None, queryset=base)
    queryset = task_filter.qs if task_filter.is_bound and task_filter.is_valid() else base
    assignments = (
        queryset.select_related("task__campaign", "task__section", "unit")
        .with_deadline_state()
        .order_by("task__deadline", "task__campaign", "task__number", "pk")
    )
    page = Paginator(assignments, MY_TASKS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaigns/my_tasks.html",
        {"assignments": page.object_list, "page": page, "filter": task_filter, "querystring": query.urlencode(),
         "filtered": bool(query)},
    )


# ---------------------------------------------------------------- progress, verification, adjustments

ASSIGNMENT_HISTORY_FIELDS = ["status", "percent", "completed_at", "completed_on", "completed_late", "role"]
TASK_HISTORY_FIELDS = ["deadline", "title", "description", "number", "purpose"]


def _timeline(assignments):
    return (
        ProgressReport.objects.filter(assignment__in=assignments)
        .select_related("author", "assignment__unit")
        .prefetch_related("evidence")
    )


def _assignment_page(request, assignment, report_form=None, review_form=None, adjustment_form=None, status=200):
    assignment = Assignment.objects.with_deadline_state().select_related(
        "task__campaign__coordinating_unit", "task__section", "unit", "via_group"
    ).get(pk=assignment.pk)
    task, campaign = assignment.task, assignment.task.campaign
    accepting = lifecycle.campaign_accepts_reports(campaign)
    can_change = access.can_change_assignment(request.user, assignment) and accepting
    can_review = access.can_coordinate(request.user, campaign) and accepting
    version = {"version": assignment.version}
    reports = list(_timeline([assignment]))
    returns = [r for r in reports if r.status == Assignment.Status.RETURNED]
    history = change_log(assignment.history.select_related("history_user"), ASSIGNMENT_HISTORY_FIELDS, "本单位分工")
    history += change_log(task.history.select_related("history_user"), TASK_HISTORY_FIELDS, "任务")
    history.sort(key=lambda e: e["date"], reverse=True)
    context = {
        "assignment": assignment,
        "task": task,
        "campaign": campaign,
        "can_change": can_change,
        "can_review": can_review,
        "can_report": can_change and assignment.status in services.REPORTABLE_STATUSES,
        "campaign_refusal": lifecycle.campaign_refusal(campaign),
        "report_form": report_form or ProgressReportForm(initial={**version, "percent": assignment.percent},
                                                         campaign=campaign),
        "review_form": review_form or ReviewForm(initial={**version, "done_on": assignment.completed_on},
                                                 campaign=campaign),
        "adjustment_form": adjustment_form or AdjustmentRequestForm(),
        "reports": reports,
        "last_return": returns[0] if returns and assignment.status == Assignment.Status.RETURNED else None,
        "adjustments": list(assignment.adjustments.select_related("requested_by", "decided_by")),
        "history": history,
        "max_mb": evidence_max_bytes() // (1024 * 1024),
    }
    return render(request, "campaigns/assignment_detail.html", context, status=status)


@login_required
@require_GET
def assignment_detail(request, pk):
    """An assignment: its state, the report form, the coordinator's review, adjustments, the journal."""
    return _assignment_page(request, access.get_assignment_for_user(request.user, pk))


def _refused(request, assignment, error, **forms):
    messages.error(request, str(error))
    fresh = access.get_assignment_for_user(request.user, assignment.pk)
    for form in forms.values():
        if form is not None and form.is_bound:
            # Show the user's own input again, against the version now in the database.
            form.data = form.data.copy()
            form.data["version"] = fresh.version
    return _assignment_page(request, fresh, status=409 if isinstance(error, services.Conflict) else 400, **forms)


@login_required
@require_POST
def report_progress(request, pk):
    """A unit's progress report (with evidence); “已完成，提交核验” marks the work done."""
    assignment = access.get_assignment_for_user(request.user, pk, write=True)
    form = ProgressReportForm(request.POST, request.FILES, campaign=assignment.task.campaign)
    if not form.is_valid():
        return _assignment_page(request, assignment, report_form=form)
    data = form.cleaned_data
    try:
        report = services.submit_progress(
            assignment, request.user, expected_version=data["version"], text=data["text"], percent=data["percent"],
            status=data["status"], figures=form.figures(), files=data["files"], token=data["token"],
            done_on=data.get("done_on"),
        )
    except services.ActionRefused as error:
        if data["files"]:
            error = type(error)(f"{error} 所选的佐证材料也未保存，重新提交时请再次选择。")
        return _refused(request, assignment, error, report_form=form)
    if not getattr(report, "duplicate", False):
        if report.status == Assignment.Status.SUBMITTED:
            messages.success(request, "已提交核验，等待协调人核验。")
        else:
            messages.success(request, "进度已填报。")
    return redirect("campaigns:assignment", pk=assignment.pk)


def _review(request, pk, action, done_message, **extra):
    """A coordinator's verify or return: the form, the service action, and the page back."""
    assignment = access.get_assignment_for_user(request.user, pk)
    if not access.can_coordinate(request.user, assignment.task.campaign):
        raise PermissionDenied("只有本活动的协调人可以核验或退回")
    form = ReviewForm(request.POST, campaign=assignment.task.campaign)
    if not form.is_valid():
        return _assignment_page(request, assignment, review_form=form)
    values = {name: form.cleaned_data.get(name) for name in extra}
    try:
        action(assignment, request.user, expected_version=form.cleaned_data["version"],
               comment=form.cleaned_data["comment"], **values)
    except services.ActionRefused as error:
        return _refused(request, assignment, error, review_form=form)
    messages.success(request, done_message)
    return redirect("campaigns:assignment", pk=pk)


@login_required
@require_POST
def verify(request, pk):
    """The coordinator confirms the unit's submitted work."""
    return _review(request, pk, services.verify_assignment, "已核验通过。", done_on=True)


@login_required
@require_POST
def return_for_rework(request, pk):
    """The coordinator sends the work back to the unit with a comment."""
    return _review(request, pk, services.return_assignment, "已退回，单位将看到退回意见。")


@login_required
@require_POST
def request_adjustment(request, pk):
    """调整报备: a unit asks to move the deadline or change the task's content."""
    assignment = access.get_assignment_for_user(request.user, pk, write=True)
    form = AdjustmentRequestForm(request.POST)
    if not form.is_valid():
        return _assignment_page(request, assignment, adjustment_form=form)
    try:
        services.request_adjustment(assignment, request.user, **form.cleaned_data)
    except services.ActionRefused as error:
        return _refused(request, assignment, error, adjustment_form=form)
    messages.success(request, "调整报备已提交，等待省局审核。")
    return redirect("campaigns:assignment", pk=pk)


@login_required
@require_POST
def decide_adjustment(request, pk):
    """The coordinator approves (and so applies) or rejects an adjustment request."""
    adjustment = access.get_adjustment_for_user(request.user, pk, decide=True)
    form = AdjustmentDecisionForm(request.POST)
    next_url = request.POST.get("next")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = None
    back = next_url or reverse("campaigns:assignment", args=[adjustment.assignment_id])
    if not form.is_valid():
        messages.error(request, "请选择批准或不批准。")
        return redirect(back)
    try:
        if form.cleaned_data["decision"] == "approve":
            services.approve_adjustment(adjustment, request.user, form.cleaned_data["comment"])
            messages.success(request, "已批准，调整已生效并记入变更记录。")
        else:
            services.reject_adjustment(adjustment, request.user, form.cleaned_data["comment"])
            messages.success(request, "已作出不批准的决定。")
    except services.ActionRefused as error:
        messages.error(request, str(error))
    return redirect(back)


@login_required
def evidence_file(request, pk):
    """An evidence file, to users who may see its assignment, always as a download."""
    evidence = access.get_evidence_for_user(request.user, pk)
    return attachment_response(evidence.file, evidence.original_name, evidence.extension)


@login_required
def dashboard(request, code):
    """The coordinator's dashboard: progress, the task × unit matrix, what needs attention."""
    campaign = access.get_campaign_for_user(request.user, code)
    if not access.can_oversee(request.user, campaign):
        raise PermissionDenied("只有本活动的协调单位可以查看协调看板")
    context = campaign_dashboard(campaign, section=request.GET.get("section"), page=request.GET.get("page"))
    context.update(campaign=campaign, can_coordinate=access.can_coordinate(request.user, campaign),
                   campaign_refusal=lifecycle.campaign_refusal(campaign))
    return render(request, "campaigns/dashboard.html", context)


@login_required
def unit_dashboard(request):
    """A unit's to-do: what was returned and why, what is late, due soon or waiting for
    verification, UNIT_TODO_PER_PAGE a page, filtered like 我的任务."""
    units = access.member_unit_ids(request.user)
    assignments = Assignment.objects.filter(
        unit_id__in=units, task__campaign__in=access.visible_campaigns(request.user)
    ).exclude(task__campaign__status=lifecycle.CampaignStatus.DRAFT)
    context = unit_dashboard_data(assignments, data=request.GET, page=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(querystring=query.urlencode(), filtered=bool(query))
    return render(request, "campaigns/unit_dashboard.html", context)
