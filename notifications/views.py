from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from campaigns import access as campaign_access
from campaigns.models import Membership

from . import chase, services
from .access import get_notification_for_user, get_unit_for_user, own_notifications
from .forms import ChaseForm, PreferenceForm, RobotForm
from .models import ChaseUp, ContactPreference, Delivery, UnitRobot


@login_required
def inbox(request):
    """消息: the person's notifications, newest first, unread ones marked."""
    qs = own_notifications(request.user).select_related("unit", "campaign")
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        qs = qs.unread()
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "only_unread": only_unread})


@login_required
def open_notification(request, pk):
    """Open a notification: it is marked read and the person lands on the thing itself."""
    notification = get_notification_for_user(request.user, pk)
    if notification.read_at is None:
        type(notification).objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    target = notification.url if notification.url.startswith("/") and not notification.url.startswith("//") else None
    return redirect(target or "notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    n = own_notifications(request.user).unread().update(read_at=timezone.now())
    messages.success(request, f"已将 {n} 条消息标为已读。")
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    """接收设置: the person's email, mobile, and by which of them messages come."""
    pref = ContactPreference.objects.filter(user=request.user).first() or ContactPreference(user=request.user)
    form = PreferenceForm(request.POST or None, instance=pref, initial={"email": request.user.email})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            request.user.email = form.cleaned_data["email"]
            request.user.save(update_fields=["email"])
            form.save()
        messages.success(request, "接收设置已保存。")
        return redirect("notifications:preferences")
    units = [m.unit for m in Membership.objects.filter(user=request.user).select_related("unit")]
    return render(request, "notifications/preferences.html", {"form": form, "units": units})


@login_required
def unit_record(request, unit_id):
    """单位联系与催报记录: the unit's channels (secrets masked), its people's channels, recent
    messages with their outcome, and every chase-up it received."""
    unit = get_unit_for_user(request.user, unit_id)
    from .access import can_manage_unit

    people = services.unit_people([unit.pk]).get(unit.pk, [])
    reach = services.reachability([unit.pk])[unit.pk]
    context = {
        "unit": unit,
        "robots": list(UnitRobot.objects.filter(unit=unit)),
        "people": [(u, services.person_channels(u)) for u in people],
        "deliveries": list(Delivery.objects.filter(unit=unit).select_related("campaign")[:30]),
        "chase_ups": list(ChaseUp.objects.filter(unit=unit).select_related("campaign", "sent_by")),
        "reachable": reach,
        "can_manage": can_manage_unit(request.user, unit),
        "form": RobotForm(),
    }
    return render(request, "notifications/unit_record.html", context)


@login_required
@require_POST
def robot_add(request, unit_id):
    unit = get_unit_for_user(request.user, unit_id, manage=True)
    form = RobotForm(request.POST)
    if form.is_valid():
        robot = form.save(commit=False)
        robot.unit = unit
        robot.save()
        messages.success(request, f"已添加{robot.get_kind_display()}。")
        return redirect("notifications:unit", unit_id=unit.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("notifications:unit", unit_id=unit.pk)


@login_required
@require_POST
def robot_remove(request, unit_id, pk):
    unit = get_unit_for_user(request.user, unit_id, manage=True)
    deleted, _ = UnitRobot.objects.filter(unit=unit, pk=pk).delete()
    if deleted:
        messages.success(request, "已删除该群机器人。")
    return redirect("notifications:unit", unit_id=unit.pk)


@login_required
def chase_up(request, code, source):
    """催报: the coordinator picks among the silent units of a page and sends one message."""
    campaign = campaign_access.get_campaign_for_user(request.user, code)
    if not campaign_access.can_coordinate(request.user, campaign):
        raise PermissionDenied("只有本活动的协调人可以催报")
    ref = request.GET.get("ref", "") or request.POST.get("ref", "")
    silent = chase.silent_units(source, campaign, request.user, ref)
    today = timezone.localdate()
    already = services.chased_today(campaign, [u.pk for u, _ in silent.units], today)
    form = ChaseForm(request.POST or None, silent=silent,
                     initial={"message": silent.message, "units": [u.pk for u, _ in silent.units if u.pk not in already]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            chosen = [u for u, _ in silent.units if u.pk in set(form.cleaned_data["units"])]
            try:
                rows = services.send_chase_up(campaign, request.user, chosen, message=form.cleaned_data["message"],
                                              about=silent.about, url=silent.target_url, today=today)
            except services.NotificationRefused as error:
                messages.error(request, str(error))
                status = 400
            else:
                messages.success(request, f"已向 {len(rows)} 个单位发出催报：" + "、".join(r.unit.name for r in rows) + "。")
                return redirect(silent.back_url)
        else:
            status = 400
    rows = [(u, why, u.pk in already) for u, why in silent.units]
    return render(request, "notifications/chase.html", {
        "campaign": campaign, "silent": silent, "rows": rows, "form": form, "source": source, "ref": ref,
        "selected": {str(v) for v in (form["units"].value() or [])},
    }, status=status)
