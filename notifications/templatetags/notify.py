"""Small pieces other apps' pages include: the coordinator's 无法送达 panel, the unit's
waiting items (activities to confirm, unread messages), and the 催报 link."""
from django import template
from django.urls import reverse

from campaigns import access as campaign_access
from campaigns.models import Assignment

from .. import services
from ..models import Delivery, Notification

register = template.Library()


@register.inclusion_tag("notifications/_delivery_panel.html", takes_context=True)
def delivery_panel(context, campaign):
    """无法送达 units (of those with open work in the campaign) and messages that failed."""
    user = context["request"].user
    # The distinct units, unsorted (the model's ordering would make DISTINCT keep every open
    # assignment of a national campaign, in plan order).
    unit_ids = set(
        Assignment.objects.filter(task__campaign=campaign).open().order_by().values_list("unit_id", flat=True).distinct()
    )
    failing = list(
        Delivery.objects.filter(campaign=campaign, status__in=[Delivery.Status.FAILED, Delivery.Status.RETRYING])
        .select_related("unit")[:10]
    )
    unreachable = services.unreachable_units(unit_ids)
    # Many units often share one problem (no channel at all): say it once, with their names.
    groups = {}
    for unit, problem, fix in unreachable:
        groups.setdefault((problem, fix), []).append(unit)
    return {
        "campaign": campaign,
        "unreachable": unreachable,
        "groups": [(problem, fix, units) for (problem, fix), units in groups.items()],
        "failing": failing,
        "can_coordinate": campaign_access.can_coordinate(user, campaign),
    }


@register.inclusion_tag("notifications/_unit_waiting.html", takes_context=True)
def unit_waiting(context):
    """What waits for the user's units beyond assignments: activities to confirm, unread messages."""
    from django.apps import apps

    user = context["request"].user
    units = campaign_access.reporter_unit_ids(user)
    activities = []
    if apps.is_installed("pairing") and units:
        from pairing.models import MentoringActivity

        activities = list(
            MentoringActivity.objects.filter(pairing__mentee_id__in=units, confirmed_at__isnull=True)
            .select_related("pairing__mentor", "pairing__mentee").order_by("date")[:20]
        )
    unread = list(Notification.objects.filter(recipient=user, read_at__isnull=True)[:5])
    return {"activities": activities, "unread": unread}


@register.inclusion_tag("notifications/_chase_button.html", takes_context=True)
def chase_button(context, campaign, source, label, ref=""):
    """The 催报 button of a page, shown to the campaign's coordinators only."""
    url = reverse("notifications:chase", args=[campaign.code, source])
    return {
        "show": campaign_access.can_coordinate(context["request"].user, campaign),
        "url": f"{url}?ref={ref}" if ref else url,
        "label": label,
    }
