"""催报: the coordinator chases silent units from the dashboard, a survey's results and the
summary page; one notification per unit, at most once a day, every chase-up kept."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Membership, Unit
from notifications.models import ChaseUp, Delivery, Notification
from tests.factories import make_campaign, make_task, make_unit, make_user


@pytest.fixture
def world(db):
    today = timezone.localdate()
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    silent = [make_unit(name, ordinal=i) for i, name in enumerate(["西宁市市场监督管理局", "海东市市场监督管理局",
                                                                  "海北州市场监督管理局"])]
    busy = make_unit("黄南州市场监督管理局", ordinal=9)
    campaign = make_campaign(office, title="知识产权公共服务市州行")
    make_task(campaign, units=[*silent, busy], deadline=today - timedelta(days=3), title="举办专利培训班")
    done = busy.assignments.get()
    done.status = "submitted"
    done.save()
    coordinator = make_user(office, Membership.Role.COORDINATOR)
    members = {u.pk: make_user(u, email=f"u{u.pk}@example.cn") for u in [*silent, busy]}
    return type("W", (), dict(campaign=campaign, silent=silent, busy=busy, coordinator=coordinator, members=members,
                              office=office))


def chase_url(world, source="progress", ref=""):
    url = reverse("notifications:chase", args=[world.campaign.code, source])
    return f"{url}?ref={ref}" if ref else url


def db_state():
    return (list(ChaseUp.objects.values_list("pk", "unit_id", "sent_on")),
            list(Notification.objects.values_list("pk", "recipient_id")), Delivery.objects.count())


def test_the_dashboard_chase_lists_only_the_silent_units_checked(world, login):
    page = login(world.coordinator).get(chase_url(world)).content.decode()
    table = page[page.index('id="silent-units"'):page.index("</table>")]
    for unit in world.silent:
        assert unit.name in table and f'value="{unit.pk}" id="unit-{unit.pk}" checked' in table
    assert world.busy.name not in table and "逾期 1 项" in table


def test_a_chase_up_to_three_silent_units_makes_one_notification_each_and_a_second_is_refused(
        world, login, django_capture_on_commit_callbacks):
    client = login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(chase_url(world), {"units": [u.pk for u in world.silent],
                                                  "message": "请于本周五前填报培训班进展。"})
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:dashboard", args=[world.campaign.code])
    chased = Notification.objects.filter(kind="chase_up")
    assert sorted(n.recipient_id for n in chased) == sorted(world.members[u.pk].pk for u in world.silent)
    assert all(n.body == "请于本周五前填报培训班进展。" and "任务进度" in n.title for n in chased)
    assert ChaseUp.objects.count() == 3
    assert Delivery.objects.filter(kind="chase_up", channel="email").count() == 3
    before = db_state()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(chase_url(world), {"units": [world.silent[0].pk], "message": "再催一次"})
    assert response.status_code == 400
    assert "今天已经催报过，每个单位每天最多催报一次：西宁市市场监督管理局" in response.content.decode()
    assert db_state() == before


def test_one_already_chased_unit_refuses_the_whole_chase(world):
    from notifications import services

    today = date(2024, 6, 20)
    services.send_chase_up(world.campaign, world.coordinator, world.silent[:1], message="催", about="任务进度",
                           today=today)
    before = db_state()
    xining, haidong = world.silent[0], world.silent[1]
    with pytest.raises(services.NotificationRefused, match="最多催报一次：西宁市市场监督管理局。本次没有发送任何催报"):
        services.send_chase_up(world.campaign, world.coordinator, [haidong, xining], message="催", about="任务进度",
                               today=today)
    assert db_state() == before
    # The next day is another day.
    services.send_chase_up(world.campaign, world.coordinator, world.silent[:1], message="催", about="任务进度",
                           today=today + timedelta(days=1))
    assert ChaseUp.objects.filter(unit=world.silent[0]).count() == 2


def test_a_unit_outside_the_silent_list_cannot_be_slipped_in(world, login):
    before = db_state()
    response = login(world.coordinator).post(chase_url(world), {"units": [world.busy.pk], "message": "催"})
    assert response.status_code == 400 and "不在本次可催报的范围内" in response.content.decode()
    assert db_state() == before


def test_only_coordinators_chase(world, login):
    reporter = world.members[world.silent[0].pk]
    before = db_state()
    response = login(reporter).post(chase_url(world), {"units": [world.silent[1].pk], "message": "催"})
    assert response.status_code in (403, 404)
    assert db_state() == before


def test_every_chase_up_is_shown_on_the_units_record(world, login):
    from notifications import services

    services.send_chase_up(world.campaign, world.coordinator, world.silent[:1], message="请尽快报送", about="书面总结",
                           today=date(2024, 9, 25))
    services.send_chase_up(world.campaign, world.coordinator, world.silent[:1], message="最后一次提醒", about="书面总结",
                           today=date(2024, 9, 29))
    page = login(world.members[world.silent[0].pk]).get(
        reverse("notifications:unit", args=[world.silent[0].pk])).content.decode()
    table = page[page.index('id="chase-ups"'):]
    assert "请尽快报送" in table and "最后一次提醒" in table and "书面总结" in table


def test_the_survey_chase_lists_invited_units_that_have_not_submitted(db, login, django_capture_on_commit_callbacks):
    from surveys import services as survey_services
    from surveys.models import Survey

    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    answered, silent = make_unit("果洛州市场监督管理局"), make_unit("玉树州市场监督管理局")
    campaign = make_campaign(office)
    coordinator = make_user(office, Membership.Role.COORDINATOR)
    member = make_user(silent)
    survey = survey_services.create_survey(campaign, "摸底调研问卷", {"pages": [{"name": "p", "elements": [
        {"type": "text", "name": "q"}]}]}, status=Survey.Status.OPEN)
    inv_answered, _ = survey_services.invite_units(survey, [answered, silent])
    survey_services.submit_response(survey, {"q": "已填"}, invitation=inv_answered)
    client = login(coordinator)
    results = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    url = reverse("notifications:chase", args=[campaign.code, "survey"]) + f"?ref={survey.pk}"
    assert url in results
    page = client.get(url).content.decode()
    table = page[page.index('id="silent-units"'):page.index("</table>")]
    assert "玉树州" in table and "果洛州" not in table
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"units": [silent.pk], "message": "请尽快提交问卷", "ref": survey.pk})
    assert response.status_code == 302 and response["Location"] == reverse("surveys:results", args=[survey.pk])
    assert Notification.objects.get(kind="chase_up").recipient == member


def test_the_summary_chase_lists_units_without_a_written_summary(world, login):
    page = login(world.coordinator).get(reverse("reports:campaign", args=[world.campaign.code])).content.decode()
    url = reverse("notifications:chase", args=[world.campaign.code, "summary"])
    assert url in page
    page = login(world.coordinator).get(url).content.decode()
    table = page[page.index('id="silent-units"'):page.index("</table>")]
    for unit in [*world.silent, world.busy]:
        assert unit.name in table
    assert "书面总结" in page
