"""Events of the lower apps become inbox entries for the right people, with an unread
count in the navigation bar, read state per person, and a link to the thing itself."""
from datetime import date

import pytest
from django.urls import reverse

from campaigns import services as campaign_services
from campaigns import signals as campaign_signals
from campaigns.models import Assignment, Membership, Unit
from notifications.models import Notification
from tests.factories import make_campaign, make_task, make_unit, make_user


@pytest.fixture
def world(db):
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureau, other = make_unit("海东市市场监督管理局"), make_unit("海北州市场监督管理局")
    campaign = make_campaign(office)
    task = make_task(campaign, units=[bureau, other], title="举办专利培训班", deadline=date(2024, 6, 30))
    assignment = task.assignments.get(unit=bureau)
    assignment.status = Assignment.Status.SUBMITTED
    assignment.save()
    return type("W", (), dict(
        campaign=campaign, task=task, bureau=bureau, other=other, assignment=assignment,
        coordinator=make_user(office, Membership.Role.COORDINATOR),
        reporter=make_user(bureau), viewer=make_user(bureau, Membership.Role.VIEWER), outsider=make_user(other),
    ))


def test_a_returned_assignment_reaches_every_member_of_the_unit_and_nobody_else(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        campaign_services.return_assignment(world.assignment, world.coordinator, expected_version=world.assignment.version,
                                            comment="请补充签到表")
    rows = Notification.objects.filter(kind="returned")
    assert sorted(n.recipient_id for n in rows) == sorted([world.reporter.pk, world.viewer.pk])
    n = rows.first()
    assert "请补充签到表" in n.body and n.url == reverse("campaigns:assignment", args=[world.assignment.pk])


def test_nothing_is_notified_when_the_action_is_rolled_back(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            campaign_services.return_assignment(world.assignment, world.coordinator,
                                                expected_version=world.assignment.version, comment="请补充")
            raise RuntimeError("rolled back")
    assert Notification.objects.count() == 0


def test_verified_and_adjustment_events_reach_the_unit_and_the_coordinators(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        campaign_services.verify_assignment(world.assignment, world.coordinator, expected_version=world.assignment.version)
    assert Notification.objects.filter(kind="verified", recipient=world.reporter).exists()
    other = world.task.assignments.get(unit=world.other)
    with django_capture_on_commit_callbacks(execute=True):
        request = campaign_services.request_adjustment(other, world.outsider, kind="deadline", reason="场地冲突",
                                                       proposed_deadline=date(2024, 7, 15))
    filed = Notification.objects.get(kind="adjustment_filed")
    assert filed.recipient == world.coordinator and "海北州" in filed.title
    with django_capture_on_commit_callbacks(execute=True):
        campaign_services.reject_adjustment(request, world.coordinator, "请按原计划完成")
    decided = Notification.objects.get(kind="adjustment_decided")
    assert decided.recipient == world.outsider and "未批准" in decided.title and "请按原计划完成" in decided.body


def _publish(campaign, capture):
    with capture(execute=True):
        campaign_signals.send_on_commit(campaign_signals.campaign_published, type(campaign), campaign=campaign)


def test_publishing_tells_each_unit_its_tasks(world, django_capture_on_commit_callbacks):
    _publish(world.campaign, django_capture_on_commit_callbacks)
    mine = Notification.objects.get(kind="task_assigned", recipient=world.reporter)
    assert "本单位承担 1 项任务" in mine.title and "举办专利培训班" in mine.body and "牵头" in mine.body
    assert Notification.objects.filter(kind="task_assigned", recipient=world.outsider).exists()


def test_publishing_a_large_plan_costs_the_same_queries_and_lists_a_unit_s_first_tasks(
        db, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.receivers import ANNOUNCED_TASKS

    def plan(n_units, n_tasks):
        units = [make_unit(f"测试单位{n_units}-{i}") for i in range(n_units)]
        for unit in units:
            make_user(unit)
        campaign = make_campaign(make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION))
        for number in range(1, n_tasks + 1):
            make_task(campaign, number=number, units=units, title=f"第{number}项工作")
        return campaign, units

    counted = []
    for n_units, n_tasks in ((2, 3), (8, ANNOUNCED_TASKS + 5)):
        campaign, units = plan(n_units, n_tasks)
        with CaptureQueriesContext(connection) as queries:
            _publish(campaign, django_capture_on_commit_callbacks)
        counted.append(len(queries))
        assert Notification.objects.filter(kind="task_assigned", campaign=campaign).count() == n_units
    assert counted[0] == counted[1]
    # A unit with more tasks than an announcement lists: the first ones, and how many more.
    long = Notification.objects.filter(kind="task_assigned", recipient__memberships__unit=units[0]).get()
    assert f"本单位承担 {ANNOUNCED_TASKS + 5} 项任务" in long.title
    assert "第1项工作" in long.body and f"第{ANNOUNCED_TASKS}项工作" in long.body
    assert f"第{ANNOUNCED_TASKS + 1}项工作" not in long.body and "另有 5 项" in long.body


def test_the_nav_bar_shows_the_unread_count_and_opening_marks_read(world, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        campaign_services.return_assignment(world.assignment, world.coordinator, expected_version=world.assignment.version,
                                            comment="请补充签到表")
    client = login(world.reporter)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'id="nav-unread">1<' in page and "任务1被退回" in page
    n = Notification.objects.get(recipient=world.reporter)
    response = client.get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:assignment",
                                                                            args=[world.assignment.pk])
    n.refresh_from_db()
    assert n.read_at is not None
    assert 'id="nav-unread"' not in client.get(reverse("notifications:inbox")).content.decode()
    # Read state is per person: the viewer's copy is still unread.
    assert Notification.objects.get(recipient=world.viewer).read_at is None


def test_nobody_opens_another_persons_notification(world, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        campaign_services.return_assignment(world.assignment, world.coordinator, expected_version=world.assignment.version,
                                            comment="请补充签到表")
    n = Notification.objects.get(recipient=world.reporter)
    response = login(world.outsider).get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_the_inbox_makes_the_same_number_of_queries_for_5_and_50_notifications(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.reporter)

    def count(n):
        Notification.objects.bulk_create([Notification(recipient=world.reporter, unit=world.bureau,
                                                       campaign=world.campaign, kind="chase_up", title=f"催报{i}")
                                          for i in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("notifications:inbox")).status_code == 200
        return len(ctx.captured_queries)

    assert count(5) == count(45)


def test_survey_invitations_reach_the_invited_unit(db, django_capture_on_commit_callbacks):
    from surveys import services as survey_services
    from surveys.models import Survey

    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureau = make_unit("玉树州市场监督管理局")
    reporter = make_user(bureau)
    campaign = make_campaign(office)
    survey = survey_services.create_survey(campaign, "摸底调研问卷", {"pages": [{"name": "p", "elements": [
        {"type": "text", "name": "q"}]}]}, status=Survey.Status.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = survey_services.invite_units(survey, [bureau])
    n = Notification.objects.get(recipient=reporter)
    assert n.kind == "survey_invitation" and n.url == reverse("surveys:respond", args=[invitation.token])


def test_an_activity_waiting_for_confirmation_is_in_the_mentees_inbox_and_to_do(
        db, login, django_capture_on_commit_callbacks):
    from pairing import services as pairing_services
    from pairing.models import Pairing

    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    mentor = make_unit("青海省知识产权公共服务中心", kind=Unit.Kind.SERVICE_INSTITUTION)
    mentee = make_unit("海南州市场监督管理局")
    campaign = make_campaign(office)
    make_task(campaign, units=[mentee, mentor])
    mentor_user, mentee_user = make_user(mentor), make_user(mentee)
    pairing = Pairing.objects.create(campaign=campaign, mentor=mentor, mentee=mentee, status=Pairing.Status.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        pairing_services.log_activity(pairing, mentor_user, date=date(2024, 6, 1), kind="training",
                                      participants=20, summary="专利检索培训")
    n = Notification.objects.get(recipient=mentee_user)
    assert n.kind == "activity_to_confirm" and n.url == reverse("pairing:pairing", args=[pairing.pk])
    assert not Notification.objects.filter(recipient=mentor_user).exists()
    page = login(mentee_user).get(reverse("campaigns:unit_dashboard")).content.decode()
    waiting = page[page.index('id="activities-to-confirm"'):]
    assert "2024-06-01" in waiting[:600] and "待本单位确认" in waiting[:600]
