"""Who reaches what in the notifications app, on top of campaigns/access.py."""
from django.core.exceptions import PermissionDenied
from django.http import Http404

from campaigns import access as campaign_access
from campaigns.models import Assignment, Unit

from .models import Notification


def own_notifications(user):
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def get_notification_for_user(user, pk):
    try:
        return own_notifications(user).get(pk=pk)
    except Notification.DoesNotExist:
        raise Http404("没有找到该消息") from None


def coordinated_unit_ids(user):
    """Units responsible in a campaign the user coordinates."""
    return set(
        Assignment.objects.filter(task__campaign__in=campaign_access.coordinated_campaigns(user))
        .values_list("unit_id", flat=True).distinct()
    )


def overseen_unit_ids(user):
    """Units responsible in a campaign the user oversees (coordinators and viewers of its coordinating unit)."""
    return set(
        Assignment.objects.filter(task__campaign__coordinating_unit_id__in=campaign_access.member_unit_ids(user))
        .values_list("unit_id", flat=True).distinct()
    )


def can_manage_unit(user, unit):
    """Change a unit's channels: its reporters, coordinators of its campaigns, administrators."""
    if not user.is_authenticated:
        return False
    return (user.is_superuser or unit.pk in campaign_access.reporter_unit_ids(user)
            or unit.pk in coordinated_unit_ids(user))


def get_unit_for_user(user, unit_id, manage=False):
    """A unit's record (channels, deliveries, chase-ups): its members and those who oversee
    its campaigns (404 for others); with `manage`, 403 unless the user may change it."""
    try:
        unit = Unit.objects.get(pk=unit_id)
    except Unit.DoesNotExist:
        raise Http404("没有找到该单位") from None
    readable = (user.is_superuser or unit.pk in campaign_access.member_unit_ids(user)
                or unit.pk in overseen_unit_ids(user))
    if not readable:
        raise Http404("没有找到该单位")
    if manage and not can_manage_unit(user, unit):
        raise PermissionDenied("您只能查看，不能修改该单位的联系渠道")
    return unit
