import copy
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from campaigns.access import in_campaign_province
from campaigns.models import Unit
from jobs.services import start_job

from . import access, aggregate, results, services
from .forms import QuestionnaireForm, SurveySettingsForm
from .models import Invitation, Response, Survey
from .validation import AnswersInvalid, parse_answers_body, walk_questions

# ---------------------------------------------------------------- coordinators and units


@login_required
def survey_list(request):
    surveys = (
        access.visible_surveys(request.user)
        .select_related("campaign", "task")
        .order_by("campaign", "-created_at")
    )
    manageable = set(access.manageable_campaigns(request.user).values_list("pk", flat=True))
    return render(request, "surveys/survey_list.html", {"surveys": surveys, "manageable": manageable})


@login_required
def survey_create(request):
    campaigns = access.manageable_campaigns(request.user)
    if not campaigns.exists():
        raise Http404("您没有可管理的活动方案")
    settings_form = SurveySettingsForm(request.POST or None, campaigns=campaigns, prefix="s")
    questionnaire_form = QuestionnaireForm(request.POST or None, request.FILES or None, prefix="q")
    if request.method == "POST" and settings_form.is_valid() and questionnaire_form.is_valid():
        fields = {k: v for k, v in settings_form.cleaned_data.items() if k not in ("campaign", "title")}
        survey = services.create_survey(
            settings_form.cleaned_data["campaign"], settings_form.cleaned_data["title"],
            questionnaire_form.cleaned_data["schema"], request.user, **fields,
        )
        messages.success(request, "问卷已创建")
        return redirect(survey)
    return render(request, "surveys/survey_form.html", {
        "settings_form": settings_form, "questionnaire_form": questionnaire_form, "creating": True,
    })


@login_required
def survey_detail(request, pk):
    survey = access.get_survey_for_user(request.user, pk)
    manage = access.can_manage(request.user, survey)
    unit_ids = access.visible_unit_ids(request.user, survey)
    invitations, totals = results.response_rate(survey, unit_ids)
    show_links = manage or unit_ids is not None
    if show_links:
        for invitation in invitations:
            invitation.qr_svg = qr_svg(request.build_absolute_uri(invitation.get_absolute_url()))
    responses = access.visible_responses(request.user, survey).select_related("unit").order_by("unit__ordinal", "pk")
    history = (Response.objects.filter(survey=survey, status=Response.Status.REOPENED)
               .filter(pk__in=access.visible_history(request.user, survey))
               .select_related("unit", "reopened_by").order_by("-reopened_at"))
    return render(request, "surveys/survey_detail.html", {
        "survey": survey, "manage": manage, "invitations": invitations, "totals": totals,
        "responses": responses, "history": history,
        # Coordinators send the links; a unit sees its own link (its invitations only).
        "show_links": show_links,
        "versions": survey.versions.order_by("-number"),
        "open_url": request.build_absolute_uri(reverse("surveys:open_link", args=[survey.open_token])),
    })


@login_required
def survey_settings(request, pk):
    survey = access.get_survey_for_user(request.user, pk, manage=True)
    form = SurveySettingsForm(request.POST or None, instance=survey,
                              campaigns=access.manageable_campaigns(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "设置已保存")
        return redirect(survey)
    return render(request, "surveys/survey_settings.html", {"survey": survey, "form": form})


@login_required
def survey_questionnaire(request, pk):
    """Edit the questionnaire with a live preview; answered versions are kept, not changed."""
    survey = access.get_survey_for_user(request.user, pk, manage=True)
    current = survey.current_version
    initial = {"schema_text": json.dumps(current.schema, ensure_ascii=False, indent=2)} if current else {}
    form = QuestionnaireForm(request.POST or None, request.FILES or None, initial=initial, prefix="q")
    if request.method == "POST" and form.is_valid():
        version = services.save_questionnaire(survey, form.cleaned_data["schema"], request.user)
        if current and version.number != current.number:
            messages.success(request, f"已有答卷，已另存为第 {version.number} 版；已有答卷仍对应原版本")
        else:
            messages.success(request, "问卷已保存")
        return redirect(survey)
    return render(request, "surveys/survey_form.html", {"survey": survey, "questionnaire_form": form})


@login_required
@require_POST
def survey_copy(request, pk):
    survey = access.get_survey_for_user(request.user, pk, manage=True)
    copy = services.copy_survey(survey, request.user)
    messages.success(request, f"已复制为“{copy.title}”（草稿）")
    return redirect(copy)


@login_required
@require_POST
def survey_invite(request, pk):
    """Invite the prefecture bureaus responsible for the survey's task, or, when it has none
    (a survey of the provincial office, like task 2's), every prefecture bureau of the
    campaign's province — never a bureau of another province."""
    survey = access.get_survey_for_user(request.user, pk, manage=True)
    bureaus = Unit.objects.filter(kind=Unit.Kind.PREFECTURE_BUREAU)
    units = bureaus.filter(assignments__task_id=survey.task_id).distinct() if survey.task_id else bureaus.none()
    if not units.exists():
        units = bureaus.filter(in_campaign_province(survey.campaign))
    created = services.invite_units(survey, units)
    messages.success(request, f"新发出邀请 {len(created)} 份")
    return redirect(survey)


@login_required
def survey_results(request, pk):
    survey = access.get_survey_for_user(request.user, pk)
    unit_ids = access.visible_unit_ids(request.user, survey)
    responses = access.visible_responses(request.user, survey)
    invitations, totals = results.response_rate(survey, unit_ids)
    units = [i.unit for i in invitations if i.unit_id]
    # Only one of the listed units is a filter; anything else (a 25-digit number, text) is ignored.
    selected = next((u.pk for u in units if str(u.pk) == request.GET.get("unit", "")), None)
    if selected is not None:
        responses = responses.filter(unit_id=selected)
    questions = results.survey_questions(survey)
    # One page of one question's texts may be asked for (?texts=name&page=n); every other
    # question shows its first page.
    text_pages = {}
    if request.GET.get("texts") and request.GET.get("page", "").isdigit() and len(request.GET["page"]) < 7:
        text_pages[request.GET["texts"]] = int(request.GET["page"])
    texts, page = next(iter(text_pages.items()), (None, None))

    def start_recount():
        start_job("surveys.results.recount_job", title=f"统计问卷结果（{survey.title}）", owner=request.user,
                  survey_id=survey.pk, unit=selected, texts=texts, page=page)

    found = aggregate.cached_summarize(questions, responses, text_pages=text_pages, start_recount=start_recount)
    return render(request, "surveys/survey_results.html", {
        "survey": survey, "invitations": invitations, "totals": totals, "units": units,
        "selected": selected, "total": found.total, "items": found.items, "results": found,
    })


@login_required
def survey_export(request, pk, fmt):
    """The survey's responses as csv or xlsx; above EXPORT_QUEUE_ROWS responses the job queue
    writes the file (its page shows progress and the download), beyond a request's time."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("不支持的导出格式")
    survey = access.get_survey_for_user(request.user, pk)
    responses = access.visible_responses(request.user, survey)
    labels = request.GET.get("codes") != "1"
    if responses.count() > settings.EXPORT_QUEUE_ROWS:
        job = start_job("surveys.results.export_job", title=f"导出答卷（{survey.title}）", owner=request.user,
                        survey_id=survey.pk, fmt=fmt, labels=labels)
        return redirect("jobs:detail", pk=job.pk)
    rows = results.export_rows(survey, responses, labels=labels)
    filename = results.export_filename(survey, labels, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(results.csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    return FileResponse(
        results.xlsx_tempfile(rows), as_attachment=True, filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def qr_svg(url):
    """An inline SVG QR code of `url` (segno, pure Python), to scan or screenshot into WeChat."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=2, border=2, title="扫码填写问卷")


@login_required
def response_document(request, pk, rid, fmt):
    """One unit's answers as a PDF or Word document, to print or file."""
    if fmt not in ("pdf", "docx"):
        raise Http404("不支持的格式")
    survey = access.get_survey_for_user(request.user, pk)
    response = get_object_or_404(
        access.visible_responses(request.user, survey).select_related("survey", "unit", "version"), pk=rid
    )
    unit = response.unit.name if response.unit else f"答卷{response.pk}"
    filename = f"{results.safe_filename(survey.title)}-{results.safe_filename(unit)}-答卷.{fmt}"
    if fmt == "pdf":
        body, content_type = results.response_pdf(response), "application/pdf"
    else:
        body = results.response_docx(response)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    reply = HttpResponse(body, content_type=content_type)
    reply["Content-Disposition"] = content_disposition_header(True, filename)
    return reply


@login_required
@require_POST
def response_reopen(request, pk, rid):
    """The office sends a submitted response back to its unit for correction."""
    survey = access.get_survey_for_user(request.user, pk, manage=True)
    response = get_object_or_404(Response.objects.filter(survey=survey), pk=rid)
    try:
        services.reopen_response(response, request.user, request.POST.get("reason", ""))
    except services.SurveyRefused as exc:
        messages.error(request, exc.message)
    else:
        who = response.unit.name if response.unit else ""
        messages.success(request, f"已退回{who}修改；单位用原链接打开即可修改后重新提交")
    return redirect(survey)


# ---------------------------------------------------------------- respondents (no login: the token is the key)


def respondent_schema(schema, locked=()):
    """The schema the respondent page shows: survey-core's own numbering off and the fixed
    numbers of walk_questions put in the titles (the same numbers as results and exports,
    whatever is hidden), and the questions filled from the invitation made read-only."""
    shown = copy.deepcopy(schema)
    numbers = {q.name: q.number for q in walk_questions(schema) if q.number}
    shown["showQuestionNumbers"] = "off"
    stack = [shown.get("pages") or [{"elements": shown.get("elements")}]]
    while stack:
        for el in stack.pop() or []:
            if not isinstance(el, dict):
                continue
            if el.get("type") == "panel":
                stack.append(el.get("elements"))
            elif el.get("name") in numbers:
                title = el.get("title") or el["name"]
                prefix = f"{numbers[el['name']]}. "
                el["title"] = ({k: prefix + str(v) for k, v in title.items()} if isinstance(title, dict)
                               else prefix + str(title))
                if el["name"] in locked:
                    el["readOnly"] = True
            elif "elements" in el:
                stack.append(el.get("elements"))
    return shown


def _respondent_page(request, survey, version, submit_url, save_url=None, answers=None, page=None,
                     prefill=None, reopened=None):
    prefill = prefill or {}
    return render(request, "surveys/respond.html", {
        "survey": survey, "schema": respondent_schema(version.schema, locked=prefill),
        "answers": {**(answers or {}), **prefill},
        "config": {"submitUrl": submit_url, "saveUrl": save_url, "page": page}, "save_url": save_url,
        "reopened": reopened,
    })


def _get_invitation(token):
    try:
        # Everything a submit reads besides the answers, in one query (services.submit_response).
        return Invitation.objects.select_related("survey__campaign", "unit__region").get(token=token)
    except Invitation.DoesNotExist:
        raise Http404("链接无效") from None


def respond(request, token):
    invitation = _get_invitation(token)
    survey = invitation.survey
    if invitation.submitted_at:
        return render(request, "surveys/respond_done.html", {"survey": survey, "already": True})
    if not survey.is_accepting():
        return render(request, "surveys/respond_closed.html", {"survey": survey}, status=410)
    if not access.can_see_all_responses(request.user, survey):
        # A coordinator checking a link is not the bureau opening it.
        services.open_invitation(invitation)
    draft = invitation.responses.filter(status=Response.Status.DRAFT).select_related("version").first()
    version = draft.version if draft else survey.current_version
    save_url = reverse("surveys:respond_save", args=[token]) if survey.allow_resume else None
    reopened = (invitation.responses.filter(status=Response.Status.REOPENED).order_by("-reopened_at").first()
                if draft is not None else None)
    return _respondent_page(request, survey, version, reverse("surveys:respond_submit", args=[token]),
                            save_url, draft.answers if draft else None, page=draft.current_page if draft else None,
                            prefill=services.prefill_answers(services.questionnaire_for(version), invitation),
                            reopened=reopened)


def _read_answers(request):
    limit = settings.SURVEY_MAX_BODY
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise AnswersInvalid({"_": f"提交内容过大（{length // 1024} KB），上限为 {limit // 1024} KB"})
    try:
        body = request.body
    except RequestDataTooBig:
        raise AnswersInvalid({"_": f"提交内容过大，上限为 {limit // 1024} KB"}) from None
    return parse_answers_body(body, limit)


def _error(message, status, errors=None):
    return JsonResponse({"ok": False, "message": message, "errors": errors or {}}, status=status)


def _run(action):
    try:
        return action()
    except AnswersInvalid as exc:
        general = exc.errors.get("_")
        return _error(general or "有题目未通过检查，请按提示修改后再提交", 400, exc.errors)
    except services.AlreadySubmitted as exc:
        return _error(exc.message, 409)
    except services.SurveyClosed as exc:
        return _error(exc.message, 410)


@require_POST
def respond_save(request, token):
    invitation = _get_invitation(token)
    if not invitation.survey.allow_resume:
        return _error("本问卷不支持保存后继续填写", 403)

    def action():
        answers, page = _read_answers(request)
        services.save_draft(invitation, answers, page)
        return JsonResponse({"ok": True, "message": "已保存。用同一链接可随时回来继续填写。"})

    return _run(action)


@require_POST
def respond_submit(request, token):
    invitation = _get_invitation(token)

    def action():
        services.submit_response(invitation.survey, _read_answers(request)[0], invitation=invitation)
        return JsonResponse({"ok": True, "message": "提交成功，感谢您的填写！"})

    return _run(action)


def _open_survey(token):
    try:
        survey = Survey.objects.select_related("campaign").get(open_token=token, access=Survey.Access.OPEN_LINK)
    except Survey.DoesNotExist:
        raise Http404("链接无效") from None
    return survey


def _limited(request):
    """Count this request against the open link's per-IP limit (django-ratelimit, default cache)."""
    return is_ratelimited(request, group="surveys.open_link", key="ip", rate=settings.SURVEY_OPEN_LINK_RATE,
                          increment=True)


def open_link(request, token):
    survey = _open_survey(token)
    if _limited(request):
        return render(request, "surveys/respond_closed.html", {"survey": survey, "limited": True}, status=429)
    if not survey.is_accepting():
        return render(request, "surveys/respond_closed.html", {"survey": survey}, status=410)
    return _respondent_page(request, survey, survey.current_version, reverse("surveys:open_submit", args=[token]))


@require_POST
def open_submit(request, token):
    survey = _open_survey(token)
    if _limited(request):
        return _error("提交过于频繁，请稍后再试", 429)

    def action():
        services.submit_response(survey, _read_answers(request)[0])
        return JsonResponse({"ok": True, "message": "提交成功，感谢您的填写！"})

    return _run(action)
