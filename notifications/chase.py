"""Where chase-ups come from: each page that can chase (the dashboard, a survey's results,
the summary page) names a source; a source lists the campaign's silent units.

campaigns and surveys sources live here (notifications sits above them); the reports app
registers its own ("summary") in its AppConfig.ready(), since nothing may import reports.
"""
from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from campaigns import lifecycle

SOURCES = {}


@dataclass
class Silent:
    about: str          # what the chase-up is about, e.g. “任务进度”
    units: list         # [(unit, why)] of silent units, in display order
    message: str        # the default message (the coordinator edits it)
    back_url: str       # the page the chase-up was started from
    target_url: str = ""  # where the chased unit lands from its notification


def register(name, func):
    """func(campaign, user, ref) -> Silent. `ref` is the source's own reference (e.g. a survey id)."""
    SOURCES[name] = func


def silent_units(name, campaign, user, ref=""):
    try:
        func = SOURCES[name]
    except KeyError:
        raise Http404("没有这种催报") from None
    return func(campaign, user, ref)


def progress_source(campaign, user, ref):
    """Units with overdue assignments, or due within REMINDER_DAYS and not yet reported."""
    from campaigns.models import Assignment

    today = lifecycle.today()
    base = Assignment.objects.filter(task__campaign=campaign).select_related("unit")
    counts = {}
    for a in base.overdue(today):
        counts.setdefault(a.unit, [0, 0])[0] += 1
    for a in base.due_soon(today).filter(reports__isnull=True):
        counts.setdefault(a.unit, [0, 0])[1] += 1
    units = sorted(counts, key=lambda u: (u.ordinal, u.name))
    days = lifecycle.reminder_days()
    why = {}
    for u in units:
        late, quiet = counts[u]
        parts = [f"逾期 {late} 项" if late else "", f"{days} 天内到期且未填报 {quiet} 项" if quiet else ""]
        why[u] = "、".join(p for p in parts if p)
    return Silent(
        about="任务进度",
        units=[(u, why[u]) for u in units],
        message=f"请抓紧推进《{campaign.title}》中本单位承担的任务，并及时登录市州行工作台填报进度、上传佐证材料。",
        back_url=reverse("campaigns:dashboard", args=[campaign.code]),
        target_url=reverse("campaigns:unit_dashboard"),
    )


def survey_source(campaign, user, ref):
    """Invited units that have not submitted the survey."""
    from surveys.models import Invitation, Survey

    try:
        survey = Survey.objects.get(pk=int(ref), campaign=campaign)
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该问卷") from None
    invitations = (Invitation.objects.filter(survey=survey, unit__isnull=False, submitted_at__isnull=True)
                   .select_related("unit").order_by("unit__ordinal", "unit__name"))
    rows = [(i.unit, "已打开未提交" if i.opened_at else "尚未打开") for i in invitations]
    closes = f"，截止时间 {timezone.localtime(survey.closes_at):%Y-%m-%d %H:%M}" if survey.closes_at else ""
    return Silent(
        about=f"问卷“{survey.title}”",
        units=rows,
        message=f"本单位尚未提交问卷“{survey.title}”{closes}，请尽快填写提交。",
        back_url=reverse("surveys:results", args=[survey.pk]),
        target_url=reverse("notifications:inbox"),
    )


register("progress", progress_source)
register("survey", survey_source)
