"""Pages of the reports app: the campaign's report page, submitting summaries and cases,
recommending cases, and downloading the compiled PDF / xlsx annex. Every object is reached
through campaigns.access."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from campaigns import access
from campaigns.models import Unit

from . import services
from .collect import collect
from .forms import TypicalCaseForm, WrittenSummaryForm
from .models import CasePhoto, TypicalCase, WrittenSummary
from .pdf import render_pdf
from .xlsx import render_xlsx


def _report_scope(user, campaign):
    """None for the whole campaign (overseers), else the user's own responsible units."""
    if access.can_oversee(user, campaign):
        return None
    unit_ids = access.reporting_unit_ids(user, campaign)
    if not unit_ids:
        raise Http404("您的单位在本活动中没有承担任务")
    return unit_ids


@login_required
def campaign_report(request, code):
    """Coordinators: who has and has not submitted a summary, the cases with the recommend
    toggle, downloads. Units: their own summaries and cases, and their own report."""
    campaign = access.get_campaign_for_user(request.user, code)
    oversee = access.can_oversee(request.user, campaign)
    unit_ids = access.responsible_unit_ids(campaign) if oversee else access.reporting_unit_ids(request.user, campaign)
    if not unit_ids and not oversee:
        raise Http404("您的单位在本活动中没有承担任务")
    writable = access.reporting_unit_ids(request.user, campaign, write=True)
    units = list(Unit.objects.filter(pk__in=unit_ids).select_related("region").order_by("kind", "ordinal", "name"))
    summaries = {
        s.unit_id: s for s in WrittenSummary.objects.current().filter(campaign=campaign, unit_id__in=unit_ids)
    }
    rows = []
    for unit in units:
        summary = summaries.get(unit.pk)
        if summary is not None:
            summary.campaign = campaign
        rows.append({"unit": unit, "summary": summary, "can_submit": request.user.is_superuser or unit.pk in writable})
    cases = list(
        TypicalCase.objects.filter(campaign=campaign, unit_id__in=unit_ids)
        .select_related("unit")
        .order_by("-recommended", "submitted_at")
    )
    return render(request, "reports/campaign_report.html", {
        "campaign": campaign, "oversee": oversee, "can_coordinate": access.can_coordinate(request.user, campaign),
        "rows": rows, "cases": cases, "submitted": len(summaries), "missing": len(units) - len(summaries),
        "late": sum(1 for r in rows if r["summary"] and r["summary"].is_late),
        "past_due": timezone.localdate() > campaign.summary_due,
    })


@login_required
@require_http_methods(["GET", "POST"])
def submit_summary(request, code, unit_id):
    campaign = access.get_campaign_for_user(request.user, code)
    unit = access.get_reporting_unit_for_user(request.user, campaign, unit_id, write=request.method == "POST")
    history = list(WrittenSummary.objects.filter(campaign=campaign, unit=unit).select_related("submitted_by"))
    current = next((s for s in history if s.is_current), None)
    form = WrittenSummaryForm(initial={"text": current.text} if current else None)
    if request.method == "POST":
        form = WrittenSummaryForm(request.POST, request.FILES)
        if form.is_valid():
            services.submit_written_summary(
                campaign, unit, request.user, text=form.cleaned_data["text"], document=form.cleaned_data["document"],
                document_ext=getattr(form, "document_ext", ""),
            )
            messages.success(request, "书面总结已提交。")
            return redirect("reports:campaign", code=campaign.code)
    for s in history:
        s.campaign = campaign
    can_submit = request.user.is_superuser or unit.pk in access.reporter_unit_ids(request.user)
    return render(request, "reports/summary_form.html", {
        "campaign": campaign, "unit": unit, "form": form, "history": history, "current": current,
        "can_submit": can_submit,
    })


@login_required
@require_http_methods(["GET", "POST"])
def submit_case(request, code, unit_id):
    campaign = access.get_campaign_for_user(request.user, code)
    unit = access.get_reporting_unit_for_user(request.user, campaign, unit_id, write=True)
    form = TypicalCaseForm(campaign=campaign, initial={"institution": unit.name})
    if request.method == "POST":
        form = TypicalCaseForm(request.POST, request.FILES, campaign=campaign)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("photos", None)
            related = data.pop("related_tasks")
            case = services.submit_typical_case(
                campaign, unit, request.user, related_tasks=related, photos=form.checked_photos, **data
            )
            messages.success(request, "典型案例已提交。")
            return redirect("reports:case", code=campaign.code, pk=case.pk)
    return render(request, "reports/case_form.html", {"campaign": campaign, "unit": unit, "form": form})


def _get_case(user, campaign, pk):
    """A case of the campaign the user may read: overseers all, units their own."""
    qs = TypicalCase.objects.filter(campaign=campaign).select_related("unit")
    if not access.can_oversee(user, campaign):
        qs = qs.filter(unit_id__in=access.reporting_unit_ids(user, campaign))
    case = qs.filter(pk=pk).first()
    if case is None:
        raise Http404("没有找到该典型案例")
    return case


@login_required
def case_detail(request, code, pk):
    campaign = access.get_campaign_for_user(request.user, code)
    case = _get_case(request.user, campaign, pk)
    return render(request, "reports/case_detail.html", {
        "campaign": campaign, "case": case, "photos": list(case.photos.all()),
        "related": list(case.related_tasks.order_by("number")),
        "can_coordinate": access.can_coordinate(request.user, campaign),
    })


@login_required
@require_POST
def recommend_case(request, code, pk):
    campaign = access.get_campaign_for_user(request.user, code, coordinate=True)
    case = _get_case(request.user, campaign, pk)
    services.set_case_recommended(case, request.POST.get("recommended") == "1")
    messages.success(request, f"已{'推荐' if case.recommended else '取消推荐'}：{case.title}")
    if request.POST.get("back") == "case":
        return redirect("reports:case", code=campaign.code, pk=case.pk)
    return redirect("reports:campaign", code=campaign.code)


@login_required
def summary_document(request, code, pk):
    campaign = access.get_campaign_for_user(request.user, code)
    qs = WrittenSummary.objects.filter(campaign=campaign).exclude(document="")
    if not access.can_oversee(request.user, campaign):
        qs = qs.filter(unit_id__in=access.reporting_unit_ids(request.user, campaign))
    summary = qs.filter(pk=pk).first()
    if summary is None:
        raise Http404("没有找到该附件")
    return FileResponse(summary.document.open("rb"), as_attachment=True,
                        filename=summary.document_name or summary.document.name.rsplit("/", 1)[-1])


@login_required
def case_photo(request, code, pk):
    campaign = access.get_campaign_for_user(request.user, code)
    photo = CasePhoto.objects.filter(pk=pk, case__campaign=campaign).select_related("case").first()
    if photo is None:
        raise Http404("没有找到该照片")
    _get_case(request.user, campaign, photo.case_id)
    return FileResponse(photo.image.open("rb"))


def _compiled(request, code):
    return _compiled_for(request.user, access.get_campaign_for_user(request.user, code))


def _compiled_for(user, campaign):
    unit_ids = _report_scope(user, campaign)
    label = ""
    if unit_ids is not None:
        label = "、".join(Unit.objects.filter(pk__in=unit_ids).order_by("ordinal", "name").values_list("name", flat=True))
    return campaign, collect(campaign, unit_ids=unit_ids, units_label=label)


@login_required
def report_pdf(request, code):
    """The compiled final summary: the whole campaign for overseers, own work for a unit."""
    campaign, data = _compiled(request, code)
    response = HttpResponse(render_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{campaign.code}-summary.pdf"'
    return response


@login_required
@require_POST
def report_pdf_job(request, code):
    """The same PDF compiled on the job queue: the job page shows progress, then the download."""
    from jobs.services import start_job

    campaign = access.get_campaign_for_user(request.user, code)
    _report_scope(request.user, campaign)
    job = start_job("reports.jobs.compile_report_job", title=f"生成总结报告（{campaign.title}）", owner=request.user,
                    code=code)
    return redirect("jobs:detail", pk=job.pk)


@login_required
def report_xlsx(request, code):
    campaign, data = _compiled(request, code)
    response = HttpResponse(
        render_xlsx(data), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{campaign.code}-annex.xlsx"'
    return response
