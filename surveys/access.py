"""Who may see and manage surveys, built on the one door in campaigns.access.

- coordinators of a campaign manage its surveys and see every response;
- viewers of the coordinating unit read everything;
- a unit invited to a survey sees the survey and its own unit's responses only;
- a respondent reaches only the form behind the token (no login; see views.respond).
"""
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from campaigns import access as campaign_access
from campaigns import lifecycle

from .models import Response, Survey


def _overseen_campaign_ids(user):
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    return set(
        campaign_access.visible_campaigns(user)
        .filter(coordinating_unit_id__in=campaign_access.member_unit_ids(user))
        .values_list("pk", flat=True)
    )


def visible_surveys(user):
    """Surveys of campaigns the user oversees, and surveys its units are invited to."""
    if not user.is_authenticated:
        return Survey.objects.none()
    if user.is_superuser:
        return Survey.objects.all()
    return Survey.objects.filter(
        Q(campaign_id__in=_overseen_campaign_ids(user))
        | Q(
            invitations__unit_id__in=campaign_access.member_unit_ids(user),
            campaign__status__in=lifecycle.UNIT_VISIBLE_CAMPAIGN_STATUSES,
        )
    ).distinct()


def manageable_campaigns(user):
    """Campaigns the user may add surveys to: those it coordinates, closed ones left out."""
    return campaign_access.coordinated_campaigns(user).exclude(status=lifecycle.CampaignStatus.CLOSED)


def can_manage(user, survey):
    """Coordinators manage a survey while its campaign is not closed."""
    return campaign_access.can_coordinate(user, survey.campaign) and lifecycle.campaign_accepts_setup(survey.campaign)


def can_see_all_responses(user, survey):
    return campaign_access.can_oversee(user, survey.campaign)


def get_survey_for_user(user, pk, manage=False):
    """The survey if the user may see it (404 otherwise); with `manage`, 403 unless coordinator."""
    try:
        survey = visible_surveys(user).select_related("campaign", "task").get(pk=pk)
    except Survey.DoesNotExist:
        raise Http404("没有找到该问卷") from None
    if manage:
        campaign_access.check_setup(survey.campaign)
        if not can_manage(user, survey):
            raise PermissionDenied("只有本活动的协调人可以管理问卷")
    return survey


def visible_responses(user, survey):
    """Submitted responses the user may read: all for overseers, else their own units'."""
    qs = Response.objects.submitted().filter(survey=survey)
    if can_see_all_responses(user, survey):
        return qs
    return qs.filter(unit_id__in=campaign_access.member_unit_ids(user))


def visible_unit_ids(user, survey):
    """None when the user sees every unit's responses, else the ids of their own units."""
    if can_see_all_responses(user, survey):
        return None
    return set(campaign_access.member_unit_ids(user))



def visible_history(user, survey):
    """Earlier (reopened) submissions the user may read, as a pk queryset: the same rule as
    visible_responses, applied to history."""
    qs = Response.objects.filter(survey=survey, status=Response.Status.REOPENED)
    if not can_see_all_responses(user, survey):
        qs = qs.filter(unit_id__in=campaign_access.member_unit_ids(user))
    return qs.values("pk")
