"""What a task is for (Task.purpose): the survey and pairing found by the link, not by a
title or the task number; the linked module's progress on the task page; marking done."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Assignment, Membership, Unit
from pairing.models import Pairing
from pairing.services import default_task
from surveys.models import Invitation, Survey
from surveys.results import campaign_survey
from surveys.services import create_survey
from tests.factories import make_campaign, make_task, make_unit, make_user
from tests.surveys.conftest import SIMPLE_SCHEMA


@pytest.fixture
def world(db):
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    xining, haidong = make_unit("西宁市市场监管局"), make_unit("海东市市场监管局")
    mentor = make_unit("青藏知识产权服务中心", kind=Unit.Kind.SERVICE_INSTITUTION)
    campaign = make_campaign(office, code="qh")
    return {"campaign": campaign, "office": office, "xining": xining, "haidong": haidong, "mentor": mentor,
            "coordinator": make_user(office, Membership.Role.COORDINATOR), "bureau": make_user(xining)}


def test_the_pairing_task_is_the_linked_one_not_the_first_title_with_bangfu(world):
    c = world["campaign"]
    make_task(c, number=1, title="开展帮扶需求调查")
    linked = make_task(c, number=2, title="建立服务机构协作机制", purpose="pairing")
    assert default_task(c) == linked


def test_without_a_linked_task_pairings_have_no_task(world):
    make_task(world["campaign"], title="建立帮扶机制")
    assert default_task(world["campaign"]) is None


def test_the_main_survey_is_the_one_serving_the_baseline_task_not_the_earliest_task(world):
    c = world["campaign"]
    early = make_task(c, number=1, title="启动")
    baseline = make_task(c, number=5, title="摸底", purpose="baseline_survey")
    create_survey(c, "启动满意度", SIMPLE_SCHEMA, task=early, status=Survey.Status.OPEN)
    wanted = create_survey(c, "摸底调研问卷", SIMPLE_SCHEMA, task=baseline, status=Survey.Status.OPEN)
    assert campaign_survey(c) == wanted


def survey_for(world, task):
    survey = create_survey(world["campaign"], "摸底调研问卷", SIMPLE_SCHEMA, task=task, status=Survey.Status.OPEN)
    now = timezone.now()
    Invitation.objects.create(survey=survey, unit=world["xining"], sent_at=now, opened_at=now, submitted_at=now)
    Invitation.objects.create(survey=survey, unit=world["haidong"], sent_at=now)
    return survey


def test_the_task_page_shows_the_surveys_response_rate(world, login):
    task = make_task(world["campaign"], title="发放问卷", purpose="baseline_survey",
                     units=[world["xining"], world["haidong"]])
    survey_for(world, task)
    page = login(world["bureau"]).get(reverse("campaigns:task", args=["qh", task.number])).content.decode()
    assert 'data-figure="回收率">50%' in page
    assert 'data-figure="已提交">1<' in page
    assert "确认完成" not in page  # only the coordinator marks it done


def test_the_task_page_shows_pairings_established(world, login):
    task = make_task(world["campaign"], title="结对", purpose="pairing", units=[world["xining"], world["mentor"]])
    Pairing.objects.create(campaign=world["campaign"], task=task, mentor=world["mentor"], mentee=world["xining"],
                           status=Pairing.Status.ACTIVE)
    Pairing.objects.create(campaign=world["campaign"], task=task, mentor=world["mentor"], mentee=world["haidong"])
    page = login(world["coordinator"]).get(reverse("campaigns:task", args=["qh", task.number])).content.decode()
    assert 'data-figure="已建立结对">1<' in page and 'data-figure="待确认结对">1<' in page


def test_the_coordinator_marks_the_units_done_from_the_survey_and_they_see_it(world, login):
    task = make_task(world["campaign"], title="发放问卷", purpose="baseline_survey",
                     units=[world["xining"], world["haidong"]], deadline=date.today() + timedelta(days=3))
    survey_for(world, task)
    xining = task.assignments.get(unit=world["xining"])
    client = login(world["coordinator"])
    page = client.get(reverse("campaigns:task", args=["qh", task.number])).content.decode()
    assert f'value="{xining.pk}" id="complete-{xining.pk}" checked' in page  # offered: its answer is in
    response = client.post(reverse("campaigns:task_complete", args=["qh", task.pk]),
                           {"assignment": [xining.pk], "done_on": date.today().isoformat()})
    assert response.status_code == 302
    xining.refresh_from_db()
    assert (xining.status, xining.percent, xining.completed_late) == ("verified", 100, False)
    assert xining.reports.get().text.startswith("依据摸底调研问卷的完成情况")
    assert task.assignments.get(unit=world["haidong"]).status == "not_started"


def test_marking_done_after_the_deadline_counts_late(world):
    from campaigns import editor

    task = make_task(world["campaign"], purpose="pairing", units=[world["xining"]], deadline=date(2024, 6, 28))
    a = task.assignments.get()
    editor.complete_from_purpose(task, world["coordinator"], assignment_ids=[a.pk], done_on=date(2024, 6, 29))
    a.refresh_from_db()
    assert a.completed_late


def test_marking_done_on_the_deadline_day_is_on_time(world):
    from campaigns import editor

    task = make_task(world["campaign"], purpose="pairing", units=[world["xining"]], deadline=date(2024, 6, 28))
    a = task.assignments.get()
    editor.complete_from_purpose(task, world["coordinator"], assignment_ids=[a.pk], done_on=date(2024, 6, 28))
    a.refresh_from_db()
    assert not a.completed_late


def test_a_unit_cannot_mark_a_task_done_from_its_purpose(world, login):
    task = make_task(world["campaign"], purpose="pairing", units=[world["xining"]])
    a = task.assignments.get()
    response = login(world["bureau"]).post(reverse("campaigns:task_complete", args=["qh", task.pk]),
                                           {"assignment": [a.pk], "done_on": date.today().isoformat()})
    assert response.status_code == 403
    a.refresh_from_db()
    assert (a.status, a.reports.count()) == (Assignment.Status.NOT_STARTED, 0)


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_marking_done_is_refused_unless_the_campaign_is_running(world, login, status):
    task = make_task(world["campaign"], purpose="pairing", units=[world["xining"]])
    a = task.assignments.get()
    world["campaign"].status = status
    world["campaign"].save()
    login(world["coordinator"]).post(reverse("campaigns:task_complete", args=["qh", task.pk]),
                                     {"assignment": [a.pk], "done_on": date(2024, 6, 1).isoformat()})
    a.refresh_from_db()
    assert (a.status, a.reports.count()) == (Assignment.Status.NOT_STARTED, 0)
