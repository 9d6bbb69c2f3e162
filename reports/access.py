"""The reports app's door, on top of campaigns/access.py: which units' work a user's
report covers, and the summaries, cases and photos a user may read. Every reports view
reaches its objects through these helpers."""
from django.http import Http404

from campaigns import access

from .models import Bulletin, CasePhoto, TypicalCase, WrittenSummary


def report_unit_ids(user, campaign):
    """None for the whole campaign (overseers), else the user's own responsible units
    (404 when the user's units have no task in the campaign)."""
    if access.can_oversee(user, campaign):
        return None
    unit_ids = access.reporting_unit_ids(user, campaign)
    if not unit_ids:
        raise Http404("您的单位在本活动中没有承担任务")
    return unit_ids


def listed_unit_ids(user, campaign):
    """Units shown on the report page: every responsible unit for overseers, else the user's own."""
    if access.can_oversee(user, campaign):
        return access.responsible_unit_ids(campaign)
    return report_unit_ids(user, campaign)


def visible_summaries(user, campaign):
    qs = WrittenSummary.objects.filter(campaign=campaign)
    if not access.can_oversee(user, campaign):
        qs = qs.filter(unit_id__in=access.reporting_unit_ids(user, campaign))
    return qs


def visible_cases(user, campaign):
    """Typical cases the user may read: overseers all of the campaign, units their own."""
    qs = TypicalCase.objects.filter(campaign=campaign)
    if not access.can_oversee(user, campaign):
        qs = qs.filter(unit_id__in=access.reporting_unit_ids(user, campaign))
    return qs


def get_case_for_user(user, campaign, pk):
    case = visible_cases(user, campaign).select_related("unit").filter(pk=pk).first()
    if case is None:
        raise Http404("没有找到该典型案例")
    return case


def get_summary_document_for_user(user, campaign, pk):
    summary = visible_summaries(user, campaign).exclude(document="").filter(pk=pk).first()
    if summary is None:
        raise Http404("没有找到该附件")
    return summary


def get_photo_for_user(user, campaign, pk):
    photo = CasePhoto.objects.filter(pk=pk, case__in=visible_cases(user, campaign)).select_related("case").first()
    if photo is None:
        raise Http404("没有找到该照片")
    return photo


def get_bulletin_for_user(user, campaign, number):
    """A 工作简报 of the campaign: overseers (the coordinating unit) only."""
    bulletin = None
    if access.can_oversee(user, campaign):
        bulletin = Bulletin.objects.filter(campaign=campaign, number=number).select_related(
            "campaign__coordinating_unit").first()
    if bulletin is None:
        raise Http404("没有找到该期工作简报")
    return bulletin
