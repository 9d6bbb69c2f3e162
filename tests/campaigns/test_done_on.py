"""实际完成日期: the day the work was done decides whether it was late, against the deadline
in force on that day; the submission time is kept beside it."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from campaigns import services
from campaigns.demo import demo_clock
from campaigns.evidence import check_upload
from campaigns.models import AdjustmentRequest, Assignment, Membership, ProgressReport
from tests.factories import make_campaign, make_task, make_unit, make_user

from .progress_helpers import photo, report_data

TZ = ZoneInfo("Asia/Shanghai")
AUGUST_5 = datetime(2024, 8, 5, 10, 0, tzinfo=TZ)


@pytest.fixture
def world(db):
    office = make_unit(kind="division")
    bureau = make_unit()
    campaign = make_campaign(office, starts_on=date(2024, 4, 1))
    task = make_task(campaign, units=[bureau], deadline=date(2024, 7, 31))
    return {
        "campaign": campaign, "task": task, "assignment": task.assignments.get(),
        "reporter": make_user(bureau), "coordinator": make_user(office, role=Membership.Role.COORDINATOR),
    }


def report_done(world, done_on, when=AUGUST_5):
    a = Assignment.objects.get(pk=world["assignment"].pk)
    with demo_clock(when):
        services.submit_for_verification(a, world["reporter"], expected_version=a.version, text="活动已举办",
                                         files=[check_upload(photo())], done_on=done_on)
    a.refresh_from_db()
    return a


@pytest.mark.parametrize(("done_on", "late"), [
    (date(2024, 7, 25), False),   # held a week before the deadline, reported in August
    (date(2024, 7, 31), False),   # the deadline day itself is on time
    (date(2024, 8, 1), True),     # the day after is late
    (date(2024, 8, 2), True),
])
def test_lateness_follows_the_day_the_work_was_done_not_the_report(world, done_on, late):
    a = report_done(world, done_on)
    assert (a.completed_on, a.completed_late) == (done_on, late)
    assert a.completed_at == AUGUST_5  # the submission time is kept separately


def test_a_unit_reports_in_august_work_done_on_25_july_through_the_form(world, client):
    client.force_login(world["reporter"])
    a = world["assignment"]
    data = report_data(a, status="submitted", percent=100, done_on="2024-07-25", files=[photo()])
    with demo_clock(AUGUST_5):
        response = client.post(reverse("campaigns:report", args=[a.pk]), data)
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.completed_on, a.completed_late) == ("submitted", date(2024, 7, 25), False)
    assert ProgressReport.objects.get(assignment=a).done_on == date(2024, 7, 25)
    page = client.get(reverse("campaigns:assignment", args=[a.pk])).content.decode()
    assert "实际完成 2024年7月25日（2024-08-05 10:00 提交）" in page
    assert "逾期完成" not in page


def test_the_done_date_defaults_to_today(world, client):
    client.force_login(world["reporter"])
    a = world["assignment"]
    data = report_data(a, status="submitted", percent=100, files=[photo()])
    with demo_clock(AUGUST_5):
        client.post(reverse("campaigns:report", args=[a.pk]), data)
    a.refresh_from_db()
    assert (a.completed_on, a.completed_late) == (date(2024, 8, 5), True)


@pytest.mark.parametrize(("done_on", "message"), [
    ("2024-08-06", "不能晚于今天"),
    ("2024-03-31", "不能早于活动开始日期"),
])
def test_an_impossible_done_date_is_refused_and_nothing_is_written(world, client, done_on, message):
    client.force_login(world["reporter"])
    a = world["assignment"]
    data = report_data(a, status="submitted", percent=100, done_on=done_on, files=[photo()])
    with demo_clock(AUGUST_5):
        response = client.post(reverse("campaigns:report", args=[a.pk]), data)
    assert response.status_code == 200 and message in response.content.decode()
    a.refresh_from_db()
    assert (a.status, a.version, a.completed_on) == ("not_started", 1, None)
    assert not ProgressReport.objects.exists()


def test_the_service_refuses_a_future_date_too(world):
    with pytest.raises(services.ActionRefused, match="不能晚于今天"):
        report_done(world, date(2024, 8, 6))
    assert Assignment.objects.get(pk=world["assignment"].pk).status == "not_started"


def _move_deadline(world, new, when):
    with demo_clock(when):
        request = services.request_adjustment(world["assignment"], world["reporter"], kind="deadline",
                                              proposed_deadline=new, reason="场地调整")
        services.approve_adjustment(request, world["coordinator"])
    assert AdjustmentRequest.objects.get(pk=request.pk).status == "approved"


def test_work_done_after_an_extension_was_granted_is_judged_by_the_new_deadline(world):
    _move_deadline(world, date(2024, 8, 20), datetime(2024, 7, 20, 9, tzinfo=TZ))
    a = report_done(world, date(2024, 8, 2))
    assert a.completed_late is False


def test_work_done_before_a_later_extension_is_judged_by_the_deadline_in_force_that_day(world):
    _move_deadline(world, date(2024, 8, 20), datetime(2024, 8, 4, 9, tzinfo=TZ))
    a = report_done(world, date(2024, 8, 2))
    assert a.completed_late is True


def test_verification_may_correct_the_date_with_a_comment(world):
    a = report_done(world, date(2024, 8, 2))
    assert a.completed_late is True
    with demo_clock(datetime(2024, 8, 7, 10, tzinfo=TZ)):
        services.verify_assignment(a, world["coordinator"], expected_version=a.version,
                                   comment="签到表显示活动于7月30日举办", done_on=date(2024, 7, 30))
    a.refresh_from_db()
    assert (a.status, a.completed_on, a.completed_late) == ("verified", date(2024, 7, 30), False)
    entry = a.reports.get(status="verified")
    assert entry.done_on == date(2024, 7, 30)
    assert "实际完成日期由 2024-08-02 更正为 2024-07-30" in entry.text and "签到表显示" in entry.text
    # the unit's own report keeps the date it gave
    assert a.reports.get(status="submitted").done_on == date(2024, 8, 2)


def test_correcting_the_date_without_a_comment_is_refused(world):
    a = report_done(world, date(2024, 8, 2))
    with pytest.raises(services.ActionRefused, match="写明更正理由"), demo_clock(AUGUST_5):
        services.verify_assignment(a, world["coordinator"], expected_version=a.version, done_on=date(2024, 7, 30))
    a.refresh_from_db()
    assert (a.status, a.completed_on, a.completed_late) == ("submitted", date(2024, 8, 2), True)


def test_returning_clears_the_completion_dates(world):
    a = report_done(world, date(2024, 7, 25))
    with demo_clock(AUGUST_5):
        services.return_assignment(a, world["coordinator"], expected_version=a.version, comment="请补充签到表")
    a.refresh_from_db()
    assert (a.status, a.completed_at, a.completed_on, a.completed_late) == ("returned", None, None, False)
