"""Access rules for pairings, in the style of campaigns/access.py (which they build on).

- coordinators of the campaign manage everything (profiles, needs, suggestions, pairings);
  its overseers (viewers of the coordinating unit) read everything;
- a member of the mentor or the mentee unit sees that pairing (not rejected ones) and its
  activities; reporters of either side log activities, edit the ones their own unit
  logged until they are confirmed, and upload the agreement; only the mentee's reporters
  confirm an activity the mentor logged;
- everything else answers 404 (out of sight) or 403 (seen but not theirs to change).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from campaigns import lifecycle
from campaigns.access import (  # noqa: F401 (campaign_units: the one rule of a campaign's reach, used here)
    campaign_units,
    can_coordinate,
    can_oversee,
    check_setup,
    check_writable,
    coordinated_campaigns,
    member_unit_ids,
    reporter_unit_ids,
)

from .models import MentoringActivity, Pairing


def visible_pairings(user, campaign=None):
    """Pairings the user may read: all of an overseen campaign, else their units' own."""
    qs = Pairing.objects.all()
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    units = member_unit_ids(user)
    own = (
        (Q(mentor_id__in=units) | Q(mentee_id__in=units))
        & ~Q(status=Pairing.Status.REJECTED)
        & Q(campaign__status__in=lifecycle.UNIT_VISIBLE_CAMPAIGN_STATUSES)
    )
    return qs.filter(Q(campaign__coordinating_unit_id__in=units) | own)


def get_unit_for_pairing_records(user, campaign, unit_id):
    """A unit whose profile or needs the campaign's coordinator may edit (404 otherwise)."""
    unit = campaign_units(campaign).filter(pk=unit_id).first()
    if unit is None:
        raise Http404("没有找到该单位")
    return unit


def can_manage_campaign(user, campaign):
    """Coordinators manage a campaign's pairing programme while it is not closed."""
    return can_coordinate(user, campaign) and lifecycle.campaign_accepts_setup(campaign)


def can_manage_pairing(user, pairing):
    return can_manage_campaign(user, pairing.campaign)


def side_of(user, pairing):
    """'mentor', 'mentee' or None: which side the user reports for (reporter or coordinator role)."""
    units = reporter_unit_ids(user)
    if pairing.mentee_id in units:
        return "mentee"
    if pairing.mentor_id in units:
        return "mentor"
    return None


def can_log_activity(user, pairing):
    if pairing.status == Pairing.Status.REJECTED or not lifecycle.campaign_accepts_reports(pairing.campaign):
        return False
    if can_manage_pairing(user, pairing):
        return True
    return pairing.status == Pairing.Status.ACTIVE and side_of(user, pairing) is not None


def can_upload_agreement(user, pairing):
    if pairing.status == Pairing.Status.REJECTED or not lifecycle.campaign_accepts_reports(pairing.campaign):
        return False
    return can_manage_pairing(user, pairing) or side_of(user, pairing) is not None


def can_edit_activity(user, activity):
    """The unit that logged it, until the mentee confirms it; coordinators always; nobody
    once the campaign is closed (or still a draft)."""
    if not lifecycle.campaign_accepts_reports(activity.pairing.campaign):
        return False
    if can_manage_pairing(user, activity.pairing):
        return True
    return activity.confirmed_at is None and activity.logged_by_unit_id in reporter_unit_ids(user)


def can_confirm_activity(user, activity):
    """Only the mentee's reporters, only for an activity not yet confirmed, while the campaign runs."""
    return (
        lifecycle.campaign_accepts_reports(activity.pairing.campaign)
        and activity.confirmed_at is None
        and activity.pairing.mentee_id in reporter_unit_ids(user)
    )


def get_pairing_for_user(user, pk, manage=False, write=False):
    """The pairing if the user may read it (404 otherwise); with `manage`, 403 unless a
    coordinator and the campaign is not closed; with `write` (a unit's record: agreement,
    activity), 403 unless the campaign is in progress."""
    try:
        pairing = (
            visible_pairings(user)
            .select_related("campaign__coordinating_unit", "mentor__region", "mentee__region", "task")
            .get(pk=pk)
        )
    except Pairing.DoesNotExist:
        raise Http404("没有找到该结对") from None
    if manage:
        check_setup(pairing.campaign)
        if not can_manage_pairing(user, pairing):
            raise PermissionDenied("只有本活动的协调人可以管理结对")
    if write:
        check_writable(pairing.campaign)
    return pairing


def get_activity_for_user(user, pk, edit=False, write=False):
    """The activity if the user may read its pairing (404 otherwise); with `edit`, 403 unless
    theirs to edit; with `edit` or `write`, 403 unless the campaign is in progress."""
    try:
        activity = MentoringActivity.objects.select_related(
            "pairing__campaign", "pairing__mentor", "pairing__mentee", "logged_by_unit"
        ).get(pk=pk, pairing__in=visible_pairings(user))
    except MentoringActivity.DoesNotExist:
        raise Http404("没有找到该帮扶活动") from None
    if edit or write:
        check_writable(activity.pairing.campaign)
    if edit and not can_edit_activity(user, activity):
        raise PermissionDenied("只有填报单位可以修改这条帮扶活动（确认后不能再改）")
    return activity


__all__ = [
    "can_coordinate",
    "can_oversee",
    "coordinated_campaigns",
    "visible_pairings",
    "can_manage_campaign",
    "can_manage_pairing",
    "side_of",
    "can_log_activity",
    "can_upload_agreement",
    "can_edit_activity",
    "can_confirm_activity",
    "get_pairing_for_user",
    "get_activity_for_user",
]
