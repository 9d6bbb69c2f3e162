"""Reminders over a national set: one message per unit and channel listing all its items,
and a number of queries that does not grow with the units or their assignments: a fixed
handful per campaign digest, per batch of services.SEND_BATCH deliveries and per INSERT
batch (the database's parameter limit), never per unit or per assignment."""
from datetime import date, timedelta

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign, Membership, ReminderLog, Unit
from notifications import reminders, services
from notifications.models import Delivery, Notification, UnitRobot
from tests.factories import make_campaign, make_task, make_unit, make_user

TODAY = date(2024, 6, 20)
TITLES = ["举办专利培训班", "开展商标品牌指导", "走访服务企业"]


def national(prefix, n_units, robots_every=4):
    """A campaign whose three tasks (one overdue, two due soon) go to `n_units` units, each
    with one person by email; every `robots_every`-th unit also has a 企业微信 robot."""
    office = make_unit(f"{prefix}省局公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    make_user(office, Membership.Role.COORDINATOR, email=f"{prefix}-coordinator@example.cn")
    units = [make_unit(f"{prefix}第{i}市市场监管局") for i in range(n_units)]
    for i, unit in enumerate(units):
        make_user(unit, email=f"{prefix}-{i}@example.cn")
        if robots_every and i % robots_every == 0:
            UnitRobot.objects.create(unit=unit, kind="wecom",
                                     webhook_url=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={prefix}{i}")
    campaign = make_campaign(office, code=prefix)
    for title, offset in zip(TITLES, (-3, 2, 5), strict=True):
        make_task(campaign, units=units, deadline=TODAY + timedelta(days=offset), title=title)
    return campaign, units


def measured_run():
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as queries:
        run = reminders.send_reminders(today=TODAY, days=7)
    return run, len(queries)


def test_ten_times_the_units_and_assignments_cost_the_same_queries(db, robots):
    small, small_units = national("small", 4)
    small_run, small_queries = measured_run()
    assert (small_run.units, small_run.reminders, small_run.digests) == (4, 12, 1)
    Campaign.objects.filter(pk=small.pk).update(status=Campaign.Status.CLOSED)

    large, large_units = national("large", 40)
    robots.requests.clear()
    large_run, large_queries = measured_run()
    assert (large_run.units, large_run.reminders, large_run.digests) == (40, 120, 1)
    assert Delivery.objects.filter(campaign=large, kind="reminder").count() == 40 + 10
    # The same queries (SQLite inserts at most 999 parameters at a time: 50 deliveries, 150
    # reminder logs fit in one statement each; a larger run adds one INSERT per such batch).
    assert large_queries == small_queries

    # Each unit: one email to its person and one robot message, each listing its three items.
    for i, unit in enumerate(large_units):
        [message] = [m for m in mail.outbox if m.to == [f"large-{i}@example.cn"]]
        assert all(title in message.body for title in TITLES) and message.body.startswith(unit.name)
        assert "1 项逾期，2 项即将到期" in message.subject
        [entry] = Notification.objects.filter(unit=unit)
        assert all(title in entry.body for title in TITLES)
    assert len(robots.requests) == 10
    for request in robots.requests:
        assert all(title in request["json"]["text"]["content"] for title in TITLES)
    assert ReminderLog.objects.filter(assignment__task__campaign=large).count() == 120


def test_past_one_send_batch_each_further_batch_adds_a_fixed_handful(db, robots, monkeypatch):
    national("one", 10, robots_every=0)  # emails only: 10 deliveries, one batch
    _, one_batch = measured_run()
    Campaign.objects.update(status=Campaign.Status.CLOSED)
    monkeypatch.setattr(services, "SEND_BATCH", 10)
    national("five", 50, robots_every=0)  # 50 deliveries: five batches of ten
    run, five_batches = measured_run()
    assert run.units == 50 and len([m for m in mail.outbox if "任务提醒" in m.subject]) == 50
    # Per batch: claim, read back, savepoint, mark sent, log the reminders, release.
    assert one_batch < five_batches <= one_batch + 4 * 6


def test_three_campaigns_digest_in_the_same_queries_as_one(db, robots):
    national("solo", 3, robots_every=0)
    _, one_campaign = measured_run()
    assert len([m for m in mail.outbox if "每日提醒汇总" in m.subject]) == 1
    Campaign.objects.update(status=Campaign.Status.CLOSED)
    for prefix in ("trio-a", "trio-b", "trio-c"):
        national(prefix, 1, robots_every=0)
    run, three_campaigns = measured_run()
    digests = {tuple(m.to): m for m in mail.outbox if "每日提醒汇总" in m.subject}
    assert run.digests == 3 and set(digests) == {(f"{p}-coordinator@example.cn",) for p in ("trio-a", "trio-b", "trio-c")}
    assert "trio-b第0市市场监管局" in digests[("trio-b-coordinator@example.cn",)].body
    assert "trio-a第0市市场监管局" not in digests[("trio-b-coordinator@example.cn",)].body
    assert three_campaigns == one_campaign
