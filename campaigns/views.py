from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import access, services
from .filters import TaskFilter
from .forms import AssignmentStatusForm
from .models import Assignment, Task, mean_progress, responsible_by_task


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
    for row in Task.objects.filter(campaign__in=campaigns).with_progress().values("campaign_id", "progress"):
        by_campaign.setdefault(row["campaign_id"], []).append(row["progress"])
    for campaign in campaigns:
        campaign.progress = mean_progress(by_campaign.get(campaign.pk, []))
        campaign.task_count = len(by_campaign.get(campaign.pk, []))
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


@login_required
def plan(request, code):
    """The published plan, alive: sections, numbered tasks, units, deadlines, progress."""
    campaign = access.get_campaign_for_user(request.user, code)
    fields = ["number", "title", "deadline", "original_deadline", "section"]
    tasks = list(Task.objects.filter(campaign=campaign).with_progress().only(*fields))
    responsible = responsible_by_task(Assignment.objects.filter(task__campaign=campaign))
    my_units = access.member_unit_ids(request.user)
    for task in tasks:
        task.responsible_text, unit_ids = responsible.get(task.pk, ("", set()))
        task.mine = bool(unit_ids & my_units)
    sections = list(campaign.sections.all())
    for section in sections:
        section.task_list = [t for t in tasks if t.section_id == section.pk]
        section.progress = mean_progress(t.progress for t in section.task_list)
    return render(
        request,
        "campaigns/plan.html",
        {
            "campaign": campaign,
            "sections": sections,
            "task_count": len(tasks),
            "progress": mean_progress(t.progress for t in tasks),
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
    page = Paginator(queryset.for_plan().order_by("number"), 50).get_page(request.GET.get("page"))
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
    return render(
        request,
        "campaigns/task_detail.html",
        {"task": task, "campaign": task.campaign, "assignments": assignments},
    )


@login_required
def my_tasks(request):
    """我的任务: every assignment of the user's units, in the campaigns they can see."""
    units = access.member_unit_ids(request.user)
    assignments = (
        Assignment.objects.filter(unit_id__in=units, task__campaign__in=access.visible_campaigns(request.user))
        .exclude(task__campaign__status="draft")
        .select_related("task__campaign", "task__section", "unit")
        .order_by("task__deadline", "task__campaign", "task__number")
    )
    return render(request, "campaigns/my_tasks.html", {"assignments": assignments})


@login_required
@require_http_methods(["GET", "POST"])
def assignment_detail(request, pk):
    assignment = access.get_assignment_for_user(request.user, pk)
    can_change = access.can_change_assignment(request.user, assignment)
    form = AssignmentStatusForm(initial={"status": assignment.status, "percent": assignment.percent})
    if request.method == "POST":
        assignment = access.get_assignment_for_user(request.user, pk, write=True)
        form = AssignmentStatusForm(request.POST)
        if form.is_valid():
            services.update_assignment_status(assignment, **form.cleaned_data)
            messages.success(request, "已保存。")
            return redirect("campaigns:assignment", pk=assignment.pk)
    return render(
        request,
        "campaigns/assignment_detail.html",
        {"assignment": assignment, "task": assignment.task, "campaign": assignment.task.campaign,
         "form": form, "can_change": can_change},
    )
