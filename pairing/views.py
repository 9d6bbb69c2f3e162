"""Pairing pages. Thin: access through pairing/access.py, changes through pairing/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.access import get_campaign_for_user, member_unit_ids, visible_campaigns
from campaigns.evidence import attachment_response
from campaigns.models import Region, Unit

from . import access, services
from .forms import (
    ActivityForm,
    AddNeedForm,
    AgreementForm,
    ChangeMentorForm,
    NeedForm,
    NewPairingForm,
    PairingForm,
    ProfileForm,
)
from .models import InstitutionProfile, Need, Pairing

STALE_DAYS = 30


def _posted(request):
    """The POST data on a POST (even an empty one, so the form is bound and says what is missing)."""
    return request.POST if request.method == "POST" else None


def _overseen_campaign(user, code):
    campaign = get_campaign_for_user(user, code)
    if not access.can_oversee(user, campaign):
        raise PermissionDenied("只有本活动的协调单位可以查看结对总览")
    return campaign


def mark_stale(pairings, today=None):
    """Flag active pairings with no activity (or no start) in the last 30 days."""
    today = today or timezone.localdate()
    for p in pairings:
        last = p.last_activity_on or p.starts_on or timezone.localdate(p.created_at)
        p.days_quiet = (today - last).days
        p.stale = p.status == Pairing.Status.ACTIVE and p.days_quiet > STALE_DAYS
    return pairings


@login_required
def index(request):
    """我的结对: the pairings of the user's units, and the boards of the campaigns they oversee."""
    pairings = mark_stale(
        list(
            access.visible_pairings(request.user)
            .live()
            .with_activity()
            .select_related("campaign", "mentor", "mentee")
            .order_by("campaign", "status", "mentee__ordinal")
        )
    )
    units = member_unit_ids(request.user)
    own = [p for p in pairings if p.mentor_id in units or p.mentee_id in units]
    overseen = [c for c in visible_campaigns(request.user) if access.can_oversee(request.user, c)]
    return render(request, "pairing/index.html", {"own": own, "overseen": overseen})


@login_required
def board(request, code):
    """Mentees × mentors, prefecture coverage, activity counts, quiet pairs flagged."""
    campaign = _overseen_campaign(request.user, code)
    pairings = mark_stale(
        list(Pairing.objects.filter(campaign=campaign).live().with_activity().select_related("mentor", "mentee__region"))
    )
    needs = list(Need.objects.filter(campaign=campaign).select_related("unit__region"))
    profiles = list(
        InstitutionProfile.objects.filter(active=True, unit__in=access.campaign_units(campaign)).select_related("unit")
    )
    mentees = {n.unit_id: n.unit for n in needs}
    for p in pairings:
        mentees.setdefault(p.mentee_id, p.mentee)
    mentors = {pr.unit_id: pr.unit for pr in profiles}
    for p in pairings:
        mentors.setdefault(p.mentor_id, p.mentor)
    capacity = {pr.unit_id: pr.capacity for pr in profiles}
    load = {}
    cells = {}
    for p in pairings:
        cells[(p.mentee_id, p.mentor_id)] = p
        if p.status in (Pairing.Status.ACTIVE, Pairing.Status.PROPOSED):
            load[p.mentor_id] = load.get(p.mentor_id, 0) + 1
    mentor_list = sorted(mentors.values(), key=lambda u: (u.ordinal, u.name))
    for m in mentor_list:
        m.load, m.capacity = load.get(m.pk, 0), capacity.get(m.pk, 0)
    rows = []
    for mentee in sorted(mentees.values(), key=lambda u: (u.ordinal, u.name)):
        rows.append({"mentee": mentee, "cells": [cells.get((mentee.pk, m.pk)) for m in mentor_list]})
    coverage = []
    for region in Region.objects.filter(kind=Region.Kind.PREFECTURE):
        statuses = {p.status for p in pairings if p.mentee.region_id == region.pk}
        if statuses & {Pairing.Status.ACTIVE, Pairing.Status.COMPLETED}:
            state = "covered"
        elif Pairing.Status.PROPOSED in statuses:
            state = "proposed"
        else:
            state = "none"
        coverage.append((region, state))
    return render(
        request,
        "pairing/board.html",
        {
            "campaign": campaign,
            "mentors": mentor_list,
            "rows": rows,
            "coverage": coverage,
            "pairings": pairings,
            "stale_count": sum(1 for p in pairings if p.stale),
            "can_manage": access.can_manage_campaign(request.user, campaign),
            "new_form": NewPairingForm(campaign=campaign),
            "proposed_count": sum(1 for p in pairings if p.status == Pairing.Status.PROPOSED),
            "stale_days": STALE_DAYS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def suggest(request, code):
    """GET: the plan the solver suggests now (nothing saved). POST: save it as proposed pairings."""
    campaign = _overseen_campaign(request.user, code)
    if request.method == "POST":
        campaign = get_campaign_for_user(request.user, code, coordinate=True, setup=True)
        plan = services.save_suggestions(campaign, request.user)
        messages.success(request, f"已生成 {len(plan.pairs)} 对建议结对，请逐一确认。")
        if plan.unserved:
            messages.warning(request, f"有 {len(plan.unserved)} 家单位暂无可匹配的帮扶机构，见下方“未能匹配”。")
        return redirect("pairing:board", code=campaign.code)
    plan, fixed = services.build_plan(campaign)
    return render(
        request,
        "pairing/suggest.html",
        {"campaign": campaign, "plan": plan, "fixed": fixed,
         "can_manage": access.can_manage_campaign(request.user, campaign)},
    )


@login_required
@require_POST
def pairing_new(request, code):
    """The coordinator pairs two units by hand."""
    campaign = get_campaign_for_user(request.user, code, coordinate=True, setup=True)
    form = NewPairingForm(request.POST, campaign=campaign)
    if not form.is_valid():
        messages.error(request, "请选择受帮扶单位和帮扶机构。")
        return redirect("pairing:board", code=code)
    try:
        pairing = services.create_pairing(campaign, form.cleaned_data["mentor"], form.cleaned_data["mentee"], request.user)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        return redirect("pairing:board", code=code)
    messages.success(request, "已建立待确认结对。")
    return redirect("pairing:pairing", pk=pairing.pk)


@login_required
@require_POST
def accept_all(request, code):
    campaign = get_campaign_for_user(request.user, code, coordinate=True, setup=True)
    count = services.accept_all_proposed(campaign)
    messages.success(request, f"已确认 {count} 对结对。")
    return redirect("pairing:board", code=code)


@login_required
@require_http_methods(["GET", "POST"])
def needs(request, code):
    campaign = _overseen_campaign(request.user, code)
    form = AddNeedForm(_posted(request), campaign=campaign)
    if request.method == "POST":
        get_campaign_for_user(request.user, code, coordinate=True, setup=True)
        if form.is_valid():
            return redirect("pairing:need_edit", code=code, unit_id=form.cleaned_data["unit"].pk)
    rows = Need.objects.filter(campaign=campaign).select_related("unit__region").prefetch_related("services", "industries")
    return render(
        request,
        "pairing/needs.html",
        {"campaign": campaign, "needs": rows, "form": form,
         "can_manage": access.can_manage_campaign(request.user, campaign)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request, code, unit_id):
    campaign = get_campaign_for_user(request.user, code, coordinate=True, setup=True)
    unit = access.get_unit_for_pairing_records(request.user, campaign, unit_id)
    need = Need.objects.filter(campaign=campaign, unit=unit).first()
    initial = {}
    if need:
        initial = {"services": need.services.all(), "industries": need.industries.all(), "notes": need.notes}
    form = NeedForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_need(
            campaign, unit, form.cleaned_data["services"], form.cleaned_data["industries"], form.cleaned_data["notes"]
        )
        messages.success(request, f"已保存{unit.name}的帮扶需求。")
        return redirect("pairing:needs", code=code)
    return render(request, "pairing/form.html", {
        "campaign": campaign, "form": form, "title": f"帮扶需求：{unit.name}",
        "back_url": reverse("pairing:needs", args=[code]), "back_label": "帮扶需求",
    })


@login_required
def profiles(request, code):
    campaign = _overseen_campaign(request.user, code)
    units = access.campaign_units(campaign)
    rows = (
        InstitutionProfile.objects.filter(unit__in=units)
        .select_related("unit__region").prefetch_related("services", "industries")
    )
    candidates = units.filter(
        kind__in=[Unit.Kind.SERVICE_INSTITUTION, Unit.Kind.UNIVERSITY], pairing_profile__isnull=True
    )
    return render(
        request,
        "pairing/profiles.html",
        {
            "campaign": campaign,
            "profiles": rows,
            "candidates": candidates,
            "can_manage": access.can_manage_campaign(request.user, campaign),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request, code, unit_id):
    campaign = get_campaign_for_user(request.user, code, coordinate=True, setup=True)
    unit = access.get_unit_for_pairing_records(request.user, campaign, unit_id)
    profile = InstitutionProfile.objects.filter(unit=unit).first() or InstitutionProfile(unit=unit)
    form = ProfileForm(_posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"已保存{unit.name}的帮扶机构档案。")
        return redirect("pairing:profiles", code=code)
    return render(request, "pairing/form.html", {
        "campaign": campaign, "form": form, "title": f"帮扶机构档案：{unit.name}",
        "back_url": reverse("pairing:profiles", args=[code]), "back_label": "帮扶机构",
    })


@login_required
def pairing_detail(request, pk):
    """A pairing's timeline: what was agreed, then every activity with who logged and confirmed it."""
    return _detail_page(request, access.get_pairing_for_user(request.user, pk))


def _detail_page(request, pairing, agreement_form=None, activity_form=None):
    """The pairing page; a refused upload or activity comes back with its errors beside the fields."""
    activities = list(
        pairing.activities.select_related("logged_by_unit", "logged_by", "confirmed_by").order_by("date", "pk")
    )
    for a in activities:
        a.can_edit = access.can_edit_activity(request.user, a)
        a.can_confirm = access.can_confirm_activity(request.user, a)
    manage = access.can_manage_pairing(request.user, pairing)
    return render(
        request,
        "pairing/pairing_detail.html",
        {
            "pairing": pairing,
            "campaign": pairing.campaign,
            "activities": activities,
            "focus_services": pairing.focus_services.all(),
            "focus_industries": pairing.focus_industries.all(),
            "can_manage": manage,
            "can_log": access.can_log_activity(request.user, pairing),
            "can_upload": access.can_upload_agreement(request.user, pairing),
            "change_form": ChangeMentorForm(pairing=pairing)
            if manage and pairing.status == Pairing.Status.PROPOSED
            else None,
            "agreement_form": agreement_form or AgreementForm(),
            "activity_form": activity_form or ActivityForm(initial={"date": timezone.localdate()}),
        },
    )


def _act(request, pk, action, done):
    pairing = access.get_pairing_for_user(request.user, pk, manage=True)
    try:
        action(pairing)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, done)
    return redirect("pairing:pairing", pk=pk)


@login_required
@require_POST
def pairing_accept(request, pk):
    return _act(request, pk, services.accept_pairing, "已确认结对，帮扶开始。")


@login_required
@require_POST
def pairing_reject(request, pk):
    return _act(request, pk, services.reject_pairing, "已否决该建议，之后不会再建议这一组合。")


@login_required
@require_POST
def pairing_change(request, pk):
    pairing = access.get_pairing_for_user(request.user, pk, manage=True)
    form = ChangeMentorForm(request.POST, pairing=pairing)
    if not form.is_valid():
        messages.error(request, "请选择有效的帮扶机构。")
        return redirect("pairing:pairing", pk=pk)
    return _act(request, pk, lambda p: services.change_mentor(p, form.cleaned_data["mentor"]), "已更换帮扶机构。")


@login_required
@require_http_methods(["GET", "POST"])
def pairing_edit(request, pk):
    pairing = access.get_pairing_for_user(request.user, pk, manage=True)
    if pairing.status == Pairing.Status.REJECTED:
        raise PermissionDenied("已否决的建议不能编辑")
    form = PairingForm(_posted(request), instance=pairing)
    if request.method == "POST" and form.is_valid():
        services.update_pairing(pairing, **form.cleaned_data)
        messages.success(request, "已保存。")
        return redirect("pairing:pairing", pk=pk)
    return render(
        request, "pairing/form.html", {
            "campaign": pairing.campaign, "form": form, "title": f"编辑结对：{pairing}",
            "back_url": reverse("pairing:pairing", args=[pairing.pk]), "back_label": str(pairing),
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def pairing_agreement(request, pk):
    """GET: download the agreement (for whoever sees the pairing). POST: upload it (either side or a coordinator)."""
    pairing = access.get_pairing_for_user(request.user, pk)
    if request.method == "GET":
        if not pairing.agreement:
            raise Http404("尚未上传帮扶协议")
        name = f"帮扶协议（{pairing.mentor.display_name}—{pairing.mentee.display_name}）"
        return attachment_response(pairing.agreement, name)
    access.get_pairing_for_user(request.user, pk, write=True)
    if not access.can_upload_agreement(request.user, pairing):
        raise PermissionDenied("只有结对双方或协调人可以上传帮扶协议")
    form = AgreementForm(request.POST, request.FILES)
    if form.is_valid():
        services.attach_agreement(pairing, form.cleaned_data["agreement"])
        messages.success(request, "已上传帮扶协议。")
        return redirect("pairing:pairing", pk=pk)
    return _detail_page(request, pairing, agreement_form=form)


@login_required
@require_POST
def activity_new(request, pk):
    pairing = access.get_pairing_for_user(request.user, pk, write=True)
    if not access.can_log_activity(request.user, pairing):
        raise PermissionDenied("只有帮扶中的结对双方可以填报帮扶活动")
    form = ActivityForm(request.POST, request.FILES)
    if form.is_valid():
        services.log_activity(pairing, request.user, **form.cleaned_data)
        messages.success(request, "已记录帮扶活动。")
        return redirect("pairing:pairing", pk=pk)
    return _detail_page(request, pairing, activity_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    activity = access.get_activity_for_user(request.user, pk, edit=True)
    form = ActivityForm(_posted(request), request.FILES or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        evidence = data.pop("evidence", None)
        activity.refresh_from_db()
        services.update_activity(
            activity, evidence=evidence if evidence and hasattr(evidence, "content_type") else None, **data
        )
        messages.success(request, "已保存。")
        return redirect("pairing:pairing", pk=activity.pairing_id)
    return render(
        request,
        "pairing/form.html",
        {
            "campaign": activity.pairing.campaign, "form": form, "title": "修改帮扶活动", "multipart": True,
            "back_url": reverse("pairing:pairing", args=[activity.pairing_id]), "back_label": str(activity.pairing),
        },
    )


@login_required
@require_POST
def activity_confirm(request, pk):
    activity = access.get_activity_for_user(request.user, pk, write=True)
    if not access.can_confirm_activity(request.user, activity):
        raise PermissionDenied("只有受帮扶单位可以确认帮扶活动")
    services.confirm_activity(activity, request.user)
    messages.success(request, "已确认。")
    return redirect("pairing:pairing", pk=activity.pairing_id)


@login_required
def activity_evidence(request, pk):
    activity = access.get_activity_for_user(request.user, pk)
    if not activity.evidence:
        raise Http404("没有佐证材料")
    return attachment_response(activity.evidence, f"帮扶活动佐证材料（{activity.date:%Y-%m-%d}）")
