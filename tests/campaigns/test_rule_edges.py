"""The edges of the access and deadline rules, each a test of its own: what a viewer of the
coordinating unit may not do, which units are responsible in a campaign, the closing minute
of a survey and the deadline day of an assignment."""
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404
from django.urls import reverse

from campaigns import access
from campaigns.models import Assignment, Membership, Unit
from reports.models import WrittenSummary
from surveys import services as survey_services
from surveys.models import Response, Survey
from tests.factories import make_campaign, make_task, make_unit, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def plan(db):
    office = make_unit("省局处室", kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureau = make_unit("甲市局")
    campaign = make_campaign(office)
    task = make_task(campaign, units=[bureau])
    return type("Plan", (), dict(
        office=office, bureau=bureau, campaign=campaign, task=task, assignment=task.assignments.get(),
        coordinator=make_user(office, Membership.Role.COORDINATOR),
        office_viewer=make_user(office, Membership.Role.VIEWER),
    ))


# ---------------------------------------------------------------- a viewer of the coordinating unit


def test_a_viewer_of_the_coordinating_unit_oversees_but_does_not_coordinate(plan):
    assert access.can_oversee(plan.office_viewer, plan.campaign)
    assert not access.can_coordinate(plan.office_viewer, plan.campaign)
    assert access.can_coordinate(plan.coordinator, plan.campaign)


def test_a_viewer_of_the_coordinating_unit_reads_the_dashboard_but_cannot_verify_or_return(plan, login):
    Assignment.objects.filter(pk=plan.assignment.pk).update(status=Assignment.Status.SUBMITTED, percent=100)
    client = login(plan.office_viewer)
    assert client.get(reverse("campaigns:dashboard", args=[plan.campaign.code])).status_code == 200
    before = list(Assignment.objects.values_list("status", "percent", "version"))
    assert client.post(reverse("campaigns:verify", args=[plan.assignment.pk])).status_code == 403
    assert client.post(reverse("campaigns:return", args=[plan.assignment.pk]), {"comment": "请补充"}).status_code == 403
    assert list(Assignment.objects.values_list("status", "percent", "version")) == before


def test_a_viewer_of_the_coordinating_unit_cannot_import_into_the_plan_or_manage_surveys(plan, login):
    client = login(plan.office_viewer)
    assert client.get(reverse("campaigns:import", args=[plan.campaign.code])).status_code in (403, 404)
    survey = survey_services.create_survey(plan.campaign, "问卷", {"pages": [{"name": "p", "elements": [
        {"type": "text", "name": "a", "title": "甲"}]}]}, task=plan.task)
    assert client.post(reverse("surveys:invite", args=[survey.pk])).status_code in (403, 404)
    assert not survey.invitations.exists()


# ---------------------------------------------------------------- units responsible in the campaign


def test_only_units_with_live_work_are_responsible_in_a_campaign(plan):
    cancelled = make_unit("已取消单位")
    make_task(plan.campaign, units=[cancelled]).assignments.update(status=Assignment.Status.CANCELLED)
    make_unit("无关单位")
    assert access.responsible_unit_ids(plan.campaign) == {plan.bureau.pk}


def test_a_reporter_of_two_units_reports_only_for_the_one_responsible_in_the_campaign(plan, login):
    idle = make_unit("无任务单位")
    reporter = make_user(plan.bureau, Membership.Role.REPORTER)
    Membership.objects.create(user=reporter, unit=idle, role=Membership.Role.REPORTER)
    assert access.reporting_unit_ids(reporter, plan.campaign, write=True) == {plan.bureau.pk}
    with pytest.raises(Http404):
        access.get_reporting_unit_for_user(reporter, plan.campaign, idle.pk, write=True)
    response = login(reporter).post(reverse("reports:submit_summary", args=[plan.campaign.code, idle.pk]),
                                    {"text": "本单位开展培训3场，服务企业45家，圆满完成各项任务。" * 2})
    assert response.status_code == 404
    assert not WrittenSummary.objects.exists()


def test_the_coordinator_overseeing_the_campaign_still_reaches_only_responsible_units(plan):
    idle = make_unit("无任务单位")
    with pytest.raises(Http404):
        access.get_reporting_unit_for_user(plan.coordinator, plan.campaign, idle.pk)
    assert access.get_reporting_unit_for_user(plan.coordinator, plan.campaign, plan.bureau.pk) == plan.bureau


# ---------------------------------------------------------------- the closing minute of a survey

CLOSES = datetime(2024, 5, 20, 18, 0, tzinfo=SHANGHAI)


@pytest.fixture
def closing_survey(plan):
    survey = survey_services.create_survey(plan.campaign, "问卷", {"pages": [{"name": "p", "elements": [
        {"type": "text", "name": "a", "title": "甲"}]}]}, task=plan.task, status=Survey.Status.OPEN, closes_at=CLOSES)
    (invitation,) = survey_services.invite_units(survey, [plan.bureau])
    return survey, invitation


def submit(client, invitation):
    return client.post(reverse("surveys:respond_submit", args=[invitation.token]),
                       data=json.dumps({"answers": {"a": "答"}}), content_type="application/json")


def test_a_survey_accepts_answers_until_the_second_before_its_closing_time(closing_survey):
    survey, _ = closing_survey
    assert survey.is_accepting(now=CLOSES - timedelta(seconds=1))
    assert not survey.is_accepting(now=CLOSES)


def test_a_submit_in_the_closing_minute_itself_is_refused_and_nothing_stored(closing_survey, client):
    _, invitation = closing_survey
    with time_machine.travel(CLOSES, tick=False):
        response = submit(client, invitation)
    assert response.status_code == 410
    assert not Response.objects.exists()


def test_a_submit_the_minute_before_closing_is_stored(closing_survey, client):
    _, invitation = closing_survey
    with time_machine.travel(CLOSES - timedelta(minutes=1), tick=False):
        response = submit(client, invitation)
    assert response.status_code == 200 and Response.objects.filter(status=Response.Status.SUBMITTED).count() == 1


# ---------------------------------------------------------------- the deadline day of an assignment

TODAY = date(2024, 6, 30)


@pytest.mark.parametrize("deadline, overdue", [
    (TODAY - timedelta(days=1), True),   # due yesterday: overdue
    (TODAY, False),                      # due today: not yet
    (TODAY + timedelta(days=1), False),  # due tomorrow: not yet
])
def test_an_assignment_is_overdue_only_after_its_deadline_day(plan, deadline, overdue):
    plan.task.deadline = deadline
    plan.task.save()
    assert Assignment.objects.overdue(today=TODAY).filter(pk=plan.assignment.pk).exists() is overdue
    with time_machine.travel(datetime(2024, 6, 30, 23, 59, tzinfo=SHANGHAI), tick=False):
        # at one minute to midnight, Shanghai time, "today" is still the 30th
        assignment = Assignment.objects.with_deadline_state().get(pk=plan.assignment.pk)
        assert bool(assignment.is_overdue) is overdue
        assert assignment.days_left == (deadline - TODAY).days


def test_the_deadline_day_counts_as_due_soon_not_overdue(plan):
    plan.task.deadline = TODAY
    plan.task.save()
    assert Assignment.objects.due_soon(today=TODAY, days=0).filter(pk=plan.assignment.pk).exists()
    assert not Assignment.objects.due_soon(today=TODAY + timedelta(days=1), days=0).exists()


def test_a_done_assignment_is_never_overdue(plan):
    plan.task.deadline = TODAY - timedelta(days=10)
    plan.task.save()
    Assignment.objects.filter(pk=plan.assignment.pk).update(status=Assignment.Status.VERIFIED)
    assert not Assignment.objects.overdue(today=TODAY).exists()
