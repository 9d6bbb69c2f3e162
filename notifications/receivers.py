"""Events of the apps below become notifications. Connected in NotificationsConfig.ready();
every signal arrives after its transaction committed."""
from django.urls import reverse

from campaigns.models import Assignment, Unit

from . import services
from .models import Kind


def on_returned(sender, assignment, report, **kwargs):
    task = assignment.task
    services.notify_units(
        [assignment.unit], kind=Kind.RETURNED, campaign=task.campaign,
        title=f"任务{task.number}被退回，请修改后重新提交",
        body=f"{task.title}\n退回意见：{report.text}",
        url=reverse("campaigns:assignment", args=[assignment.pk]),
    )


def on_verified(sender, assignment, report, **kwargs):
    task = assignment.task
    services.notify_units(
        [assignment.unit], kind=Kind.VERIFIED, campaign=task.campaign,
        title=f"任务{task.number}已核验通过", body=f"{task.title}\n核验意见：{report.text}",
        url=reverse("campaigns:assignment", args=[assignment.pk]),
    )


def on_adjustment_filed(sender, adjustment, **kwargs):
    task = adjustment.task
    services.notify_coordinators(
        task.campaign, kind=Kind.ADJUSTMENT_FILED,
        title=f"{adjustment.assignment.unit.display_name}提交了调整报备（任务{task.number}），待审核",
        body=f"{adjustment.get_kind_display()}：{adjustment.reason}",
        url=reverse("campaigns:assignment", args=[adjustment.assignment_id]),
    )


def on_adjustment_decided(sender, adjustment, **kwargs):
    task = adjustment.task
    services.notify_units(
        [adjustment.assignment.unit], kind=Kind.ADJUSTMENT_DECIDED, campaign=task.campaign,
        title=f"任务{task.number}的调整报备：{adjustment.get_status_display()}",
        body=f"{adjustment.get_kind_display()}" + (f"\n审核意见：{adjustment.comment}" if adjustment.comment else ""),
        url=reverse("campaigns:assignment", args=[adjustment.assignment_id]),
    )


# A unit's announcement lists at most this many of its tasks; the rest are counted and found
# in 我的任务 (a national bureau can hold a thousand, too long for an inbox or a group robot).
ANNOUNCED_TASKS = 30


def on_campaign_published(sender, campaign, **kwargs):
    """Each unit hears of the tasks it was given when the plan is published (one message per
    unit, in a fixed number of queries however large the plan)."""
    role_names = dict(Assignment.Role.choices)
    by_unit = {}
    for unit_id, role, number, title, deadline in (
        Assignment.objects.filter(task__campaign=campaign).exclude(status=Assignment.Status.CANCELLED)
        .order_by("unit_id", "task__number").values_list("unit_id", "role", "task__number", "task__title",
                                                          "task__deadline")
    ):
        by_unit.setdefault(unit_id, []).append(
            f"任务{number}. {title}（{role_names.get(role, role)}"
            + (f"，完成时限 {deadline:%Y-%m-%d}）" if deadline else "）"))
    units = Unit.objects.in_bulk(list(by_unit))
    messages = []
    for unit_id, lines in by_unit.items():
        shown = lines[:ANNOUNCED_TASKS]
        if len(lines) > len(shown):
            shown.append(f"……另有 {len(lines) - len(shown)} 项，见“我的任务”")
        messages.append((units[unit_id], dict(
            title=f"{campaign.title}已发布，本单位承担 {len(lines)} 项任务", body="\n".join(shown),
            url=reverse("campaigns:my_tasks"))))
    services.notify_each(messages, kind=Kind.TASK_ASSIGNED, campaign=campaign, key=f"published:{campaign.pk}")


def on_invitation_sent(sender, survey, invitations, **kwargs):
    closes = f"，请于 {survey.closes_at:%Y-%m-%d %H:%M} 前填写" if survey.closes_at else ""
    services.notify_each(
        [(invitation.unit, dict(title=f"问卷邀请：{survey.title}", body=f"本单位受邀填写问卷“{survey.title}”{closes}。",
                                url=reverse("surveys:respond", args=[invitation.token])))
         for invitation in invitations if invitation.unit_id is not None],
        kind=Kind.SURVEY_INVITATION, campaign=survey.campaign,
    )


def on_activity_awaiting_confirmation(sender, activity, **kwargs):
    pairing = activity.pairing
    services.notify_units(
        [pairing.mentee], kind=Kind.ACTIVITY_TO_CONFIRM, campaign=pairing.campaign,
        title=f"{pairing.mentor.display_name}登记了一次帮扶活动，请确认",
        body=f"{activity.date:%Y-%m-%d} {activity.get_kind_display()}：{activity.summary}",
        url=reverse("pairing:pairing", args=[pairing.pk]),
    )


def connect():
    from django.apps import apps

    from campaigns import signals as campaign_signals

    campaign_signals.assignment_returned.connect(on_returned, dispatch_uid="notifications.returned")
    campaign_signals.assignment_verified.connect(on_verified, dispatch_uid="notifications.verified")
    campaign_signals.adjustment_filed.connect(on_adjustment_filed, dispatch_uid="notifications.adjustment_filed")
    campaign_signals.adjustment_decided.connect(on_adjustment_decided, dispatch_uid="notifications.adjustment_decided")
    campaign_signals.campaign_published.connect(on_campaign_published, dispatch_uid="notifications.published")
    if apps.is_installed("surveys"):
        from surveys.signals import invitation_sent

        invitation_sent.connect(on_invitation_sent, dispatch_uid="notifications.invitation_sent")
    if apps.is_installed("pairing"):
        from pairing.signals import activity_awaiting_confirmation

        activity_awaiting_confirmation.connect(on_activity_awaiting_confirmation,
                                               dispatch_uid="notifications.activity_to_confirm")
