"""Campaign status, enforced: a unit never sees a draft, and nobody writes on a draft or a
closed campaign through any URL of any app (refused with the reason, database unchanged).
Coordinators see and prepare drafts; closed campaigns stay readable and downloadable."""
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, get_resolver, reverse

from campaigns import services
from campaigns.evidence import check_upload
from campaigns.models import AdjustmentRequest, Assignment, Campaign, Evidence, ProgressReport, Task
from pairing.models import InstitutionProfile, MentoringActivity, Need, Pairing
from reports.models import TypicalCase, WrittenSummary
from surveys.models import Invitation, Response, Survey, SurveyVersion
from tests.surveys.conftest import BASELINE_ANSWERS

from .progress_helpers import pdf, photo, report_data

# Every URL name of every app, read or write. A new URL must be added here, so that the
# tests below decide whether it writes (and is then refused on a draft or closed campaign).
READ_ONLY = {
    "campaigns:home", "campaigns:my_tasks", "campaigns:list", "campaigns:plan", "campaigns:task_list",
    "campaigns:task", "campaigns:assignment", "campaigns:export", "campaigns:unit_dashboard",
    "campaigns:dashboard", "campaigns:evidence", "campaigns:import",  # import: the upload form and preview only
    "campaigns:import_new", "campaigns:import_new_commit", "campaigns:units_import",  # not about one campaign
    "surveys:list", "surveys:detail", "surveys:results", "surveys:export", "surveys:respond", "surveys:open_link",
    "pairing:index", "pairing:pairing", "pairing:board", "pairing:profiles",
    "pairing:activity_evidence",
    "reports:campaign", "reports:pdf", "reports:xlsx", "reports:case", "reports:summary_document", "reports:photo",
    "reports:recommend",  # the coordinator's choice of cases for the report, also after closing
    # Not about one campaign's state: a new campaign, the copy of one (the source stays as it
    # is), unit accounts, and fixing the shared unit directory from an import preview.
    "campaigns:campaign_new", "campaigns:copy", "campaigns:unit_accounts", "campaigns:unit_account_change",
    "campaigns:import_refresh", "campaigns:import_new_refresh",
    # Pages and documents: the editor's page (read-only once closed), the compiled report and
    # bulletins (a job compiles the same PDF), compile settings and bulletins kept for the
    # record also after closing, one unit's answers as a document.
    "campaigns:editor", "reports:docx", "reports:pdf_job", "reports:settings", "reports:bulletin_issue",
    "reports:bulletin_pdf", "reports:bulletin_docx", "surveys:response_document",
}
# Writes whose refusal on a draft or closed campaign is tested beside their feature.
TESTED_ELSEWHERE = {
    # the plan editor, refused once closed: tests/campaigns/test_editor.py, test_editor_views.py
    "campaigns:editor_header", "campaigns:editor_section", "campaigns:editor_section_add", "campaigns:editor_task",
    "campaigns:editor_task_add", "campaigns:editor_task_change", "campaigns:editor_deadlines",
    # the lifecycle's own transitions (publish a draft, close, reopen a closed one): test_editor.py
    "campaigns:publish", "campaigns:close", "campaigns:reopen",
    # marking units done from a task's purpose, only while running: test_task_purpose.py
    "campaigns:task_complete",
    # sending a survey response back, only while the survey takes answers: tests/surveys/test_office_and_respondents.py
    "surveys:response_reopen",
}
UNIT_WRITES = [
    # (url name, user, what the unit posts)
    ("campaigns:report", "xining", "report"),
    ("campaigns:request_adjustment", "xining", "adjustment"),
    ("surveys:respond_save", None, "answers"),
    ("surveys:respond_submit", None, "answers"),
    ("surveys:open_submit", None, "answers"),
    ("pairing:agreement", "qhu", "agreement"),
    ("pairing:activity_new", "hnlib", "activity"),
    ("pairing:activity_edit", "qhu", "activity"),
    ("pairing:activity_confirm", "hnlib", "nothing"),
    ("reports:submit_summary", "xining", "summary"),
    ("reports:submit_case", "xining", "case"),
]
COORDINATOR_WRITES = [
    ("campaigns:verify", "review"), ("campaigns:return", "review"), ("campaigns:decide_adjustment", "decision"),
    ("campaigns:import_commit", "nothing"),
    ("surveys:create", "nothing"), ("surveys:settings", "nothing"), ("surveys:questionnaire", "nothing"),
    ("surveys:copy", "nothing"), ("surveys:invite", "nothing"),
    ("pairing:accept", "nothing"), ("pairing:reject", "nothing"), ("pairing:change", "nothing"),
    ("pairing:edit", "nothing"), ("pairing:pairing_new", "nothing"), ("pairing:accept_all", "nothing"),
    ("pairing:suggest", "nothing"), ("pairing:needs", "nothing"), ("pairing:need_edit", "nothing"),
    ("pairing:profile_edit", "nothing"),
]
# Coordinators prepare a draft: these stay open to them on a draft (not on a closed campaign).
SETUP = {"campaigns:import_commit", "surveys:create", "surveys:settings", "surveys:questionnaire", "surveys:copy",
         "surveys:invite", "pairing:accept", "pairing:reject", "pairing:change", "pairing:edit", "pairing:pairing_new",
         "pairing:accept_all", "pairing:suggest", "pairing:needs", "pairing:need_edit", "pairing:profile_edit"}


def _names(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLPattern):
            if entry.name and namespace:
                yield f"{namespace}{entry.name}"
        elif entry.namespace in ("campaigns", "surveys", "pairing", "reports"):
            yield from _names(entry, f"{entry.namespace}:")


def test_every_url_of_every_app_is_classified_as_read_or_write():
    names = set(_names(get_resolver()))
    writes = {n for n, _, _ in UNIT_WRITES} | {n for n, _ in COORDINATOR_WRITES}
    assert not READ_ONLY & writes and not TESTED_ELSEWHERE & (READ_ONLY | writes)
    assert names == READ_ONLY | writes | TESTED_ELSEWHERE


@pytest.fixture
def world(demo):
    """The 2024 plan with a survey (an invitation and an open link), a running pairing with a
    confirmed and an unconfirmed activity, a pending adjustment and a submitted assignment."""
    from pairing.demo import load_demo_extras as load_pairing
    from surveys import services as survey_services
    from surveys.demo import load_baseline_survey

    load_pairing(demo)
    survey = load_baseline_survey(demo)
    open_survey = survey_services.create_survey(
        demo, "开放问卷", {"pages": [{"name": "p", "elements": [{"type": "text", "name": "q"}]}]},
        status=Survey.Status.OPEN, access=Survey.Access.OPEN_LINK)
    User = get_user_model()
    users = {u.username: u for u in User.objects.all()}
    haixi = Assignment.objects.get(task__campaign=demo, task__number=16)
    services.submit_for_verification(haixi, users["haixi"], expected_version=1, text="培训班已举办",
                                     files=[check_upload(photo())])
    xining = Assignment.objects.get(task__campaign=demo, task__number=14)
    adjustment = services.request_adjustment(xining, users["xining"], kind="deadline",
                                             proposed_deadline=xining.task.deadline.replace(day=20), reason="场地")
    pairing = Pairing.objects.get(campaign=demo)
    return {
        "campaign": demo, "users": users, "survey": survey, "open_survey": open_survey, "pairing": pairing,
        "xining": xining, "haixi": haixi, "adjustment": adjustment,
        "invitation": survey.invitations.get(unit__name="西宁市市场监管局"),
        "mentor_activity": pairing.activities.filter(confirmed_at__isnull=True).get(),
    }


def snapshot():
    """Everything a write URL could change."""
    return {
        model.__name__: sorted(map(repr, model.objects.values_list()))
        for model in (Campaign, Task, Assignment, ProgressReport, Evidence, AdjustmentRequest, Survey, SurveyVersion,
                      Invitation, Response, Pairing, MentoringActivity, Need, InstitutionProfile, WrittenSummary,
                      TypicalCase)
    }


def _args(name, w):
    c = w["campaign"]
    return {
        "campaigns:report": [w["xining"].pk], "campaigns:request_adjustment": [w["xining"].pk],
        "campaigns:verify": [w["haixi"].pk], "campaigns:return": [w["haixi"].pk],
        "campaigns:decide_adjustment": [w["adjustment"].pk], "campaigns:import_commit": [c.code],
        "surveys:respond_save": [w["invitation"].token], "surveys:respond_submit": [w["invitation"].token],
        "surveys:open_submit": [w["open_survey"].open_token],
        "surveys:create": [], "surveys:settings": [w["survey"].pk], "surveys:questionnaire": [w["survey"].pk],
        "surveys:copy": [w["survey"].pk], "surveys:invite": [w["survey"].pk],
        "pairing:agreement": [w["pairing"].pk], "pairing:activity_new": [w["pairing"].pk],
        "pairing:activity_edit": [w["mentor_activity"].pk], "pairing:activity_confirm": [w["mentor_activity"].pk],
        "pairing:accept": [w["pairing"].pk], "pairing:reject": [w["pairing"].pk], "pairing:change": [w["pairing"].pk],
        "pairing:edit": [w["pairing"].pk], "pairing:pairing_new": [c.code], "pairing:accept_all": [c.code],
        "pairing:suggest": [c.code], "pairing:needs": [c.code],
        "pairing:need_edit": [c.code, w["xining"].unit_id], "pairing:profile_edit": [c.code, w["xining"].unit_id],
        "reports:submit_summary": [c.code, w["xining"].unit_id], "reports:submit_case": [c.code, w["xining"].unit_id],
    }[name]


def _post(client, name, payload, w):
    url = reverse(name, args=_args(name, w))
    a = Assignment.objects.get(pk=w["xining"].pk)
    if payload == "answers":
        answers = {"q": "有"} if name == "surveys:open_submit" else BASELINE_ANSWERS
        return client.post(url, json.dumps({"answers": answers}), content_type="application/json")
    data = {
        "report": report_data(a, files=[photo()]),
        "adjustment": {"kind": "content", "proposed_title": "改为线上培训班", "reason": "场地调整"},
        "agreement": {"agreement": pdf("帮扶协议.pdf")},
        "activity": {"date": "2024-06-20", "kind": "qa", "participants": 8, "summary": "线上答疑"},
        "summary": {"text": "我局围绕生物医药产业举办专利信息利用培训班，服务企业二十家。"},
        "case": {"title": "案例", "institution": "西宁市市场监管局", "institution_type": "other", "summary": "概述",
                 "actions": "做法", "results": "服务企业 12 家，培训 80 人次"},
        "review": {"version": Assignment.objects.get(pk=w["haixi"].pk).version, "comment": "核验"},
        "decision": {"decision": "approve", "comment": ""},
        "nothing": {},
    }[payload]
    return client.post(url, data)


def _refused(response):
    """A refusal a person can read: the status says no, the text says why (in Chinese)."""
    body = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        body = json.loads(body)["message"]
    if response.status_code in (403, 410):
        return "活动方案" in body and ("已结束" in body or "尚未发布" in body)
    return response.status_code == 404  # a draft is out of a unit's sight


@pytest.mark.parametrize(("name", "username", "payload"), UNIT_WRITES, ids=[n for n, _, _ in UNIT_WRITES])
def test_units_write_on_a_running_campaign(world, client, name, username, payload):
    """The control: the very same request is accepted while the campaign is in progress."""
    if username:
        client.force_login(world["users"][username])
    before = snapshot()
    response = _post(client, name, payload, world)
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    errors = [line for line in response.content.decode().splitlines() if "invalid-feedback" in line]
    assert snapshot() != before, errors


@pytest.mark.parametrize("status", ["draft", "closed"])
@pytest.mark.parametrize(("name", "username", "payload"), UNIT_WRITES, ids=[n for n, _, _ in UNIT_WRITES])
def test_units_cannot_write_on_a_draft_or_closed_campaign(world, client, status, name, username, payload):
    Campaign.objects.filter(pk=world["campaign"].pk).update(status=status)
    if username:
        client.force_login(world["users"][username])
    before = snapshot()
    response = _post(client, name, payload, world)
    assert _refused(response), (response.status_code, response.content.decode()[:300])
    assert snapshot() == before


# Preparing a draft is the coordinator's job: the SETUP URLs are refused on a closed campaign only.
COORDINATOR_CASES = [(status, name, payload) for status in ("draft", "closed") for name, payload in COORDINATOR_WRITES
                     if status == "closed" or name not in SETUP]


@pytest.mark.parametrize(("status", "name", "payload"), COORDINATOR_CASES,
                         ids=[f"{n}-{s}" for s, n, _ in COORDINATOR_CASES])
def test_coordinators_cannot_write_on_a_closed_campaign_nor_decide_on_a_draft(world, client, status, name, payload):
    Campaign.objects.filter(pk=world["campaign"].pk).update(status=status)
    client.force_login(world["users"]["province"])
    before = snapshot()
    response = _post(client, name, payload, world)
    body = response.content.decode()
    assert response.status_code in (200, 400, 403, 404, 409), response.status_code
    # the reason, or (a new survey) no campaign left to choose
    assert any(reason in body for reason in ("已结束", "尚未发布", "选择一个有效的选项", "没有可管理的活动方案")), body[:300]
    assert snapshot() == before


# ---------------------------------------------------------------- what units see


@pytest.mark.parametrize("page", ["plan", "task_list", "task", "dashboard", "assignment", "report", "survey",
                                  "pairing", "pairing_board"])
def test_a_unit_never_sees_a_draft(world, client, page):
    Campaign.objects.filter(pk=world["campaign"].pk).update(status="draft")
    client.force_login(world["users"]["xining"])
    code = world["campaign"].code
    url = {
        "plan": reverse("campaigns:plan", args=[code]), "task_list": reverse("campaigns:task_list", args=[code]),
        "task": reverse("campaigns:task", args=[code, 14]), "dashboard": reverse("campaigns:dashboard", args=[code]),
        "assignment": reverse("campaigns:assignment", args=[world["xining"].pk]),
        "report": reverse("reports:campaign", args=[code]),
        "survey": reverse("surveys:detail", args=[world["survey"].pk]),
        "pairing": reverse("pairing:pairing", args=[world["pairing"].pk]),
        "pairing_board": reverse("pairing:board", args=[code]),
    }[page]
    assert client.get(url).status_code == 404


def test_lists_leave_drafts_out_for_units_and_keep_them_for_coordinators(world, client):
    Campaign.objects.filter(pk=world["campaign"].pk).update(status="draft")
    title = world["campaign"].title
    client.force_login(world["users"]["xining"])
    for url in ("campaigns:list", "campaigns:my_tasks", "campaigns:unit_dashboard", "surveys:list", "pairing:index"):
        assert title not in client.get(reverse(url)).content.decode() or url == "surveys:list", url
    assert world["survey"].title not in client.get(reverse("surveys:list")).content.decode()
    client.force_login(world["users"]["province"])
    assert title in client.get(reverse("campaigns:list")).content.decode()
    assert client.get(reverse("campaigns:plan", args=[world["campaign"].code])).status_code == 200


def test_a_closed_campaign_stays_readable_and_downloadable(world, client):
    Campaign.objects.filter(pk=world["campaign"].pk).update(status="closed")
    code = world["campaign"].code
    client.force_login(world["users"]["haixi"])
    assignment = client.get(reverse("campaigns:assignment", args=[world["haixi"].pk])).content.decode()
    assert "已结束，只能查看和下载" in assignment and 'id="report-form"' not in assignment
    evidence = Evidence.objects.filter(report__assignment=world["haixi"]).first()
    assert client.get(reverse("campaigns:evidence", args=[evidence.pk])).status_code == 200
    assert client.get(reverse("campaigns:plan", args=[code])).status_code == 200
    assert client.get(reverse("campaigns:export", args=[code, "assignments", "xlsx"])).status_code == 200
    client.force_login(world["users"]["province"])
    for url in (reverse("campaigns:dashboard", args=[code]), reverse("reports:campaign", args=[code]),
                reverse("campaigns:export", args=[code, "tasks", "xlsx"]), reverse("surveys:detail",
                                                                               args=[world["survey"].pk])):
        assert client.get(url).status_code == 200, url
