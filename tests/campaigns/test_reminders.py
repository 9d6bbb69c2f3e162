"""`send_reminders`: due-soon and overdue emails to units, a digest to coordinators, never twice."""
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from campaigns import services
from campaigns.models import Campaign, Membership, ReminderLog, Unit
from tests.factories import make_campaign, make_task, make_unit, make_user

TODAY = date(2024, 6, 20)


@pytest.fixture
def plan(db, settings):
    settings.REMINDER_DAYS = 7
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    xining, haidong = make_unit("西宁市市场监督管理局"), make_unit("海东市市场监督管理局")
    campaign = make_campaign(office)
    late = make_task(campaign, units=[xining, haidong], deadline=TODAY - timedelta(days=4), title="举办专利培训班")
    soon = make_task(campaign, units=[xining], deadline=TODAY + timedelta(days=5), title="开展商标品牌指导")
    later = make_task(campaign, units=[xining], deadline=TODAY + timedelta(days=30), title="编制典型案例")
    make_user(office, Membership.Role.COORDINATOR, email="coordinator@example.cn")
    make_user(xining, email="xining@example.cn")
    make_user(xining, Membership.Role.VIEWER, email="viewer@example.cn")  # viewers get no reminders
    make_user(haidong, email="haidong@example.cn")
    return {"campaign": campaign, "late": late, "soon": soon, "later": later, "xining": xining, "haidong": haidong}


def by_recipient():
    return {tuple(m.to): m for m in mail.outbox}


def test_units_get_due_and_overdue_reminders_and_the_coordinator_a_digest(plan):
    run = services.send_reminders(today=TODAY)
    assert (run.reminders, run.unit_emails, run.digests) == (3, 2, 1)
    sent = by_recipient()
    assert set(sent) == {("xining@example.cn",), ("haidong@example.cn",), ("coordinator@example.cn",)}
    xining = sent[("xining@example.cn",)].body
    assert "举办专利培训班" in xining and "已逾期 4 天" in xining
    assert "开展商标品牌指导" in xining and "还剩 5 天" in xining
    assert "编制典型案例" not in xining  # 30 days away
    haidong = sent[("haidong@example.cn",)].body
    assert "举办专利培训班" in haidong and "开展商标品牌指导" not in haidong
    digest = sent[("coordinator@example.cn",)]
    assert "每日提醒汇总" in digest.subject and "新逾期 2 项" in digest.body and "7 天内到期 1 项" in digest.body


def test_running_twice_sends_nothing_the_second_time(plan):
    services.send_reminders(today=TODAY)
    first = len(mail.outbox)
    logs = ReminderLog.objects.count()
    run = services.send_reminders(today=TODAY)
    assert len(mail.outbox) == first
    assert ReminderLog.objects.count() == logs
    assert (run.reminders, run.skipped) == (0, 3)
    # the next day only what is newly due is sent
    services.send_reminders(today=TODAY + timedelta(days=1))
    assert len(mail.outbox) == first


def test_the_command_runs_twice_and_sends_once(plan):
    call_command("send_reminders", "--date", TODAY.isoformat())
    first = len(mail.outbox)
    assert first == 3
    call_command("send_reminders", "--date", TODAY.isoformat())
    assert len(mail.outbox) == first


def test_a_moved_deadline_earns_a_new_reminder(plan):
    services.send_reminders(today=TODAY)
    soon = plan["soon"]
    soon.deadline = TODAY + timedelta(days=6)
    soon.save()
    mail.outbox.clear()
    services.send_reminders(today=TODAY)
    assert [m.to for m in mail.outbox if "开展商标品牌指导" in m.body] == [["xining@example.cn"], ["coordinator@example.cn"]]


def test_done_work_and_draft_campaigns_get_no_reminders(plan):
    plan["late"].assignments.update(status="submitted")
    plan["soon"].assignments.update(status="verified")
    services.send_reminders(today=TODAY)
    assert mail.outbox == []
    Campaign.objects.update(status=Campaign.Status.DRAFT)
    plan["late"].assignments.update(status="in_progress")
    services.send_reminders(today=TODAY)
    assert mail.outbox == []


def test_a_failed_send_is_retried_next_time(plan, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(services, "send_mail", broken)
    with pytest.raises(CommandError, match="2 封邮件发送失败"):
        call_command("send_reminders", "--date", TODAY.isoformat())
    assert ReminderLog.objects.count() == 0
    monkeypatch.undo()
    services.send_reminders(today=TODAY)
    assert ReminderLog.objects.count() == 3 and len(mail.outbox) == 3
