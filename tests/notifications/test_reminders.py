"""Daily reminders: due-soon and overdue to units through their channels, a digest to
coordinators, recorded only when a channel accepted them, never twice, and units that
nothing reaches shown as 无法送达."""
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from campaigns.models import Campaign, Membership, ReminderLog, Unit
from notifications import reminders, services
from notifications.models import Delivery, Notification, UnitRobot
from tests.factories import make_campaign, make_task, make_unit, make_user

TODAY = date(2024, 6, 20)
WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=haibei-robot-key"


@pytest.fixture
def plan(db, settings):
    settings.REMINDER_DAYS = 7
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    xining, haidong = make_unit("西宁市市场监督管理局"), make_unit("海东市市场监督管理局")
    campaign = make_campaign(office)
    late = make_task(campaign, units=[xining, haidong], deadline=TODAY - timedelta(days=4), title="举办专利培训班")
    soon = make_task(campaign, units=[xining], deadline=TODAY + timedelta(days=5), title="开展商标品牌指导")
    later = make_task(campaign, units=[xining], deadline=TODAY + timedelta(days=30), title="编制典型案例")
    make_user(office, Membership.Role.COORDINATOR, email="coordinator@example.cn")
    make_user(xining, email="xining@example.cn")
    make_user(haidong, email="haidong@example.cn")
    return {"campaign": campaign, "late": late, "soon": soon, "later": later, "xining": xining, "haidong": haidong}


def by_recipient():
    return {tuple(m.to): m for m in mail.outbox}


def test_units_get_due_and_overdue_reminders_and_the_coordinator_a_digest(plan):
    run = reminders.send_reminders(today=TODAY)
    assert (run.reminders, run.units, run.digests, run.unreachable) == (3, 2, 1, [])
    sent = by_recipient()
    assert set(sent) == {("xining@example.cn",), ("haidong@example.cn",), ("coordinator@example.cn",)}
    xining = sent[("xining@example.cn",)].body
    assert "举办专利培训班" in xining and "已逾期 4 天" in xining
    assert "开展商标品牌指导" in xining and "还剩 5 天" in xining
    assert "编制典型案例" not in xining  # 30 days away
    haidong = sent[("haidong@example.cn",)].body
    assert "举办专利培训班" in haidong and "开展商标品牌指导" not in haidong
    digest = sent[("coordinator@example.cn",)]
    assert "每日提醒汇总" in digest.subject and "已提醒逾期 2 项" in digest.body and "7 天内到期 1 项" in digest.body
    assert ReminderLog.objects.count() == 3


def test_the_deadline_day_itself_is_due_soon_and_the_day_after_overdue(plan):
    plan["soon"].deadline = TODAY
    plan["soon"].save()
    reminders.send_reminders(today=TODAY)
    assert "今天到期" in by_recipient()[("xining@example.cn",)].body
    assert ReminderLog.objects.get(assignment__task=plan["soon"]).kind == ReminderLog.Kind.DUE_SOON
    mail.outbox.clear()
    reminders.send_reminders(today=TODAY + timedelta(days=1))
    assert "已逾期 1 天" in by_recipient()[("xining@example.cn",)].body
    assert set(ReminderLog.objects.filter(assignment__task=plan["soon"]).values_list("kind", flat=True)) == {
        "due_soon", "overdue"}


def test_running_twice_sends_nothing_the_second_time(plan):
    reminders.send_reminders(today=TODAY)
    first, logs = len(mail.outbox), ReminderLog.objects.count()
    run = reminders.send_reminders(today=TODAY)
    assert len(mail.outbox) == first and ReminderLog.objects.count() == logs
    assert (run.reminders, run.skipped) == (0, 3)


def test_a_unit_nobody_can_be_reached_at_is_not_recorded_and_is_listed_unreachable(plan):
    """The demo's case: accounts without addresses. Nothing is marked sent, so once an
    address is set the next run sends them."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(email="haidong@example.cn").update(email="")
    run = reminders.send_reminders(today=TODAY)
    assert [u.name for u, _, _ in run.unreachable] == ["海东市市场监督管理局"]
    assert not ReminderLog.objects.filter(assignment__unit=plan["haidong"]).exists()
    digest = by_recipient()[("coordinator@example.cn",)].body
    assert "无法送达 1 个单位" in digest and "海东市市场监督管理局（1 项提醒）：没有任何可用的联系渠道" in digest
    # The unit's people still find it in their inbox.
    assert Notification.objects.filter(unit=plan["haidong"], kind="overdue").count() == 1
    # Once the unit has a channel, the next run delivers what was missed.
    get_user_model().objects.filter(username__in=Membership.objects.filter(unit=plan["haidong"]).values(
        "user__username")).update(email="haidong@example.cn")
    mail.outbox.clear()
    run = reminders.send_reminders(today=TODAY)
    assert (run.reminders, run.unreachable) == (1, [])
    assert "举办专利培训班" in by_recipient()[("haidong@example.cn",)].body
    # ... and the inbox is not told twice about the same reminders.
    assert Notification.objects.filter(unit=plan["haidong"], kind="overdue").count() == 1


def test_a_failing_channel_is_retried_and_logs_the_reminder_only_when_accepted(plan, monkeypatch, settings):
    from notifications import channels

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(channels, "send_mail", smtp_down)
    run = reminders.send_reminders(today=TODAY)
    assert run.reminders == 0 and run.failed >= 2
    assert ReminderLog.objects.count() == 0
    waiting = Delivery.objects.filter(kind="reminder", status=Delivery.Status.RETRYING)
    assert waiting.count() == 2 and all("SMTP down" in d.last_error for d in waiting)
    # While those are being retried, the next daily run does not send them again.
    again = reminders.send_reminders(today=TODAY)
    assert (again.reminders, again.skipped) == (0, 3)
    assert Delivery.objects.filter(kind="reminder").count() == 2
    monkeypatch.undo()
    for d in waiting:
        services.deliver(d.pk, now=d.next_attempt_at + timedelta(seconds=1))
    assert ReminderLog.objects.count() == 3
    assert {tuple(m.to) for m in mail.outbox if "任务提醒" in m.subject} == {("xining@example.cn",), ("haidong@example.cn",)}


def test_a_unit_robot_carries_the_reminder(plan, settings):
    from tests.notifications.robots import RobotServer

    haidong = plan["haidong"]
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(email="haidong@example.cn").update(email="")
    UnitRobot.objects.create(unit=haidong, kind="wecom", webhook_url=WECOM_URL)
    with RobotServer() as server:
        settings.NOTIFY_ROBOT_BASE_URLS = {"wecom": server.url}
        run = reminders.send_reminders(today=TODAY)
    assert run.unreachable == []
    [request] = server.requests
    assert "举办专利培训班" in request["json"]["text"]["content"]
    assert ReminderLog.objects.filter(assignment__unit=haidong).count() == 1
    assert "qyapi.weixin.qq.com" in ReminderLog.objects.get(assignment__unit=haidong).recipients
    assert "haibei-robot-key" not in ReminderLog.objects.get(assignment__unit=haidong).recipients


def test_a_moved_deadline_earns_a_new_reminder(plan):
    reminders.send_reminders(today=TODAY)
    soon = plan["soon"]
    soon.deadline = TODAY + timedelta(days=6)
    soon.save()
    mail.outbox.clear()
    reminders.send_reminders(today=TODAY)
    assert sorted(m.to for m in mail.outbox if "开展商标品牌指导" in m.body) == [["coordinator@example.cn"],
                                                                              ["xining@example.cn"]]


def test_done_work_and_draft_campaigns_get_no_reminders(plan):
    plan["late"].assignments.update(status="submitted")
    plan["soon"].assignments.update(status="verified")
    reminders.send_reminders(today=TODAY)
    assert mail.outbox == []
    Campaign.objects.update(status=Campaign.Status.DRAFT)
    plan["late"].assignments.update(status="in_progress")
    reminders.send_reminders(today=TODAY)
    assert mail.outbox == []


def test_the_command_prints_what_it_could_not_deliver(plan, capsys):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(email="haidong@example.cn").update(email="")
    call_command("send_reminders", "--date", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "提醒 2 项已送达" in out and "无法送达：海东市市场监督管理局" in out
    call_command("send_reminders", "--date", TODAY.isoformat())
    assert "提醒 0 项已送达" in capsys.readouterr().out


def test_the_dashboard_shows_unreachable_units_with_what_to_fix(plan, login):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(email="haidong@example.cn").update(email="")
    coordinator = get_user_model().objects.get(email="coordinator@example.cn")
    page = login(coordinator).get(f"/campaigns/{plan['campaign'].code}/dashboard/").content.decode()
    assert "无法送达" in page
    section = page[page.index('id="unreachable"'):]
    assert "海东市市场监督管理局" in section[:2000] and "群机器人" in section[:2000]
    assert "西宁市市场监督管理局" not in section[:section.index("</ul>")]
