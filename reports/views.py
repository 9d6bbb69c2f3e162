"""Pages of the reports app: the campaign's report page, submitting summaries and cases,
recommending cases, choosing 发文字号 / 主送机关 and downloading the compiled PDF, .docx and
xlsx annex. Every object is reached through reports.access (built on campaigns.access)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from campaigns import access
from campaigns.evidence import attachment_response
from campaigns.models import Unit

from . import access as report_access
from . import compiled, services
from .forms import CompileForm, TypicalCaseForm, WrittenSummaryForm
from .models import Bulletin, WrittenSummary


@login_required
def campaign_report(request, code):
    """Coordinators: who has and has not submitted a summary, the cases with the recommend
    toggle, downloads. Units: their own summaries and cases, and their own report."""
    campaign = access.get_campaign_for_user(request.user, code)
    oversee = access.can_oversee(request.user, campaign)
    unit_ids = report_access.listed_unit_ids(request.user, campaign)
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
        rows.append({"unit": unit, "summary": summary, "can_submit": unit.pk in writable})
    cases = list(
        report_access.visible_cases(request.user, campaign)
        .select_related("unit")
        .order_by("-recommended", "submitted_at")
    )
    return render(request, "reports/campaign_report.html", {
        "campaign": campaign, "oversee": oversee, "can_coordinate": access.can_coordinate(request.user, campaign),
        "rows": rows, "cases": cases, "submitted": len(summaries), "missing": len(units) - len(summaries),
        "late": sum(1 for r in rows if r["summary"] and r["summary"].is_late),
        "past_due": timezone.localdate() > campaign.summary_due,
        "compile_form": (CompileForm(instance=compiled.report_setting(campaign))
                         if access.can_coordinate(request.user, campaign) else None),
        "bulletins": list(Bulletin.objects.filter(campaign=campaign)) if oversee else [],
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def compile_settings(request, code):
    """Coordinators: remember 发文字号, 主送机关, 成文日期 and 版头 for this campaign's summary."""
    campaign = access.get_campaign_for_user(request.user, code, coordinate=True)
    form = CompileForm(request.POST, instance=compiled.report_setting(campaign))
    if form.is_valid():
        setting = form.save(commit=False)
        setting.updated_by = request.user
        setting.save()
        messages.success(request, "汇编设置已保存，下载的总结报告将按此生成。")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("reports:campaign", code=campaign.code)


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


@login_required
def case_detail(request, code, pk):
    campaign = access.get_campaign_for_user(request.user, code)
    case = report_access.get_case_for_user(request.user, campaign, pk)
    return render(request, "reports/case_detail.html", {
        "campaign": campaign, "case": case, "photos": list(case.photos.all()),
        "related": list(case.related_tasks.order_by("number")),
        "can_coordinate": access.can_coordinate(request.user, campaign),
    })


@login_required
@require_POST
def recommend_case(request, code, pk):
    campaign = access.get_campaign_for_user(request.user, code, coordinate=True)
    case = report_access.get_case_for_user(request.user, campaign, pk)
    services.set_case_recommended(case, request.POST.get("recommended") == "1")
    messages.success(request, f"已{'推荐' if case.recommended else '取消推荐'}：{case.title}")
    if request.POST.get("back") == "case":
        return redirect("reports:case", code=campaign.code, pk=case.pk)
    return redirect("reports:campaign", code=campaign.code)


@login_required
def summary_document(request, code, pk):
    campaign = access.get_campaign_for_user(request.user, code)
    summary = report_access.get_summary_document_for_user(request.user, campaign, pk)
    return attachment_response(summary.document, summary.document_name or f"{summary.unit.display_name}书面总结附件")


@login_required
def case_photo(request, code, pk):
    campaign = access.get_campaign_for_user(request.user, code)
    photo = report_access.get_photo_for_user(request.user, campaign, pk)
    # An attachment like every upload: never rendered in the site's origin.
    return attachment_response(photo.image, photo.caption or f"{photo.case.title}-照片{photo.pk}")


def _download(body, content_type, filename):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _start_report_job(request, campaign, fmt, variant=None):
    from jobs.services import start_job

    job = start_job("reports.jobs.compile_report_job", title=f"{compiled.FORMATS[fmt][3]}（{campaign.title}）",
                    owner=request.user, code=campaign.code, fmt=fmt, variant=variant)
    return redirect("jobs:detail", pk=job.pk)


def _report_download(request, code, fmt):
    """The report in `fmt` for the user's scope: at once, or above settings.REPORT_QUEUE_TASKS
    tasks as a job (the request answers with the job page; the file is kept there)."""
    campaign = access.get_campaign_for_user(request.user, code)
    variant = request.GET.get("variant")
    unit_ids = report_access.report_unit_ids(request.user, campaign)
    if compiled.report_task_count(campaign, unit_ids) > settings.REPORT_QUEUE_TASKS:
        return _start_report_job(request, campaign, fmt, variant)
    _, data = compiled.compiled_for(request.user, campaign, variant=variant)
    filename, body = compiled.rendered(data, fmt)
    return _download(body, compiled.FORMATS[fmt][1], filename)


@login_required
def report_pdf(request, code):
    """The compiled final summary: the whole campaign for overseers, own work for a unit.
    `?variant=report` leaves out the 版头 (to attach to another document)."""
    return _report_download(request, code, "pdf")


@login_required
def report_docx(request, code):
    """The same document as an editable .docx (Word / WPS)."""
    return _report_download(request, code, "docx")


@login_required
@require_POST
def report_pdf_job(request, code):
    """The same PDF compiled on the job queue: the job page shows progress, then the download."""
    campaign = access.get_campaign_for_user(request.user, code)
    report_access.report_unit_ids(request.user, campaign)
    return _start_report_job(request, campaign, "pdf")


@login_required
def report_xlsx(request, code):
    return _report_download(request, code, "xlsx")


@login_required
@require_POST
def issue_bulletin(request, code):
    """Coordinators: number and keep the next 工作简报, up to the date given (today by default)."""
    from datetime import date

    campaign = access.get_campaign_for_user(request.user, code, coordinate=True)
    try:
        period_end = date.fromisoformat(request.POST.get("period_end") or timezone.localdate().isoformat())
    except ValueError:
        messages.error(request, "截止日期格式应为 年-月-日，如 2024-06-30。")
        return redirect("reports:campaign", code=campaign.code)
    try:
        bulletin = services.issue_bulletin(campaign, request.user, period_end)
    except services.ReportRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"已编发工作简报第{bulletin.number}期。")
    return redirect("reports:campaign", code=campaign.code)


def _bulletin(request, code, number):
    from .bulletin import collect_bulletin

    campaign = access.get_campaign_for_user(request.user, code)
    bulletin = report_access.get_bulletin_for_user(request.user, campaign, number)
    return collect_bulletin(bulletin)


@login_required
def bulletin_pdf(request, code, number):
    from .bulletin import render_bulletin_pdf

    data = _bulletin(request, code, number)
    return _download(render_bulletin_pdf(data), "application/pdf", f"{data.title}第{data.number}期.pdf")


@login_required
def bulletin_docx(request, code, number):
    from .bulletin import render_bulletin_docx

    data = _bulletin(request, code, number)
    return _download(render_bulletin_docx(data),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     f"{data.title}第{data.number}期.docx")
