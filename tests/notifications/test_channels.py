"""Robots (企业微信, 钉钉 with signing, 飞书) through Apprise against a local endpoint:
the JSON they receive, DingTalk's signature, retries with back-off, nothing marked
delivered that was not, and secrets never shown back in full."""
import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Membership
from notifications import channels, services
from notifications.models import Delivery, Kind, UnitRobot
from tests.factories import make_campaign, make_unit, make_user

WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988"
DING_URL = f"https://oapi.dingtalk.com/robot/send?access_token={DING_TOKEN}"
DING_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
FEISHU_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture
def unit(db):
    return make_unit("海东市市场监督管理局")


def send(unit, title="任务3被退回，请修改后重新提交", body="退回意见：请补充签到表"):
    deliveries = services.notify_units([unit], kind=Kind.RETURNED, title=title, body=body, queue=False)
    return [services.deliver(d.pk) for d in deliveries]


def test_the_wecom_robot_receives_a_text_message_with_title_and_body(unit, robots):
    UnitRobot.objects.create(unit=unit, kind="wecom", webhook_url=WECOM_URL)
    [delivery] = send(unit)
    assert delivery.status == Delivery.Status.SENT and delivery.sent_at is not None
    [request] = robots.requests
    assert request["path"] == "/cgi-bin/webhook/send"
    assert request["query"] == {"key": "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"}
    assert request["json"] == {"msgtype": "text",
                               "text": {"content": "任务3被退回，请修改后重新提交\r\n退回意见：请补充签到表"}}


def test_the_dingtalk_robot_gets_its_json_and_a_valid_signature(unit, robots):
    UnitRobot.objects.create(unit=unit, kind="dingtalk", webhook_url=DING_URL, secret=DING_SECRET)
    before = int(timezone.now().timestamp() * 1000)
    [delivery] = send(unit)
    after = int(timezone.now().timestamp() * 1000)
    assert delivery.status == Delivery.Status.SENT
    [request] = robots.requests
    assert request["path"] == "/robot/send"
    query = request["query"]
    assert query["access_token"] == DING_TOKEN
    assert before - 1000 <= int(query["timestamp"]) <= after + 1000
    # DingTalk's rule: base64(HMAC-SHA256(key=secret, msg="timestamp\nsecret"))
    expected = base64.b64encode(
        hmac.new(DING_SECRET.encode(), f"{query['timestamp']}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected
    assert request["json"]["msgtype"] == "text"
    assert request["json"]["text"]["content"] == "任务3被退回，请修改后重新提交\r\n退回意见：请补充签到表"


def test_a_dingtalk_robot_without_signing_sends_no_signature(unit, robots):
    UnitRobot.objects.create(unit=unit, kind="dingtalk", webhook_url=DING_URL)
    send(unit)
    assert set(robots.requests[0]["query"]) == {"access_token"}


def test_the_feishu_robot_receives_its_text_message(unit, robots):
    UnitRobot.objects.create(unit=unit, kind="feishu", webhook_url=FEISHU_URL)
    [delivery] = send(unit, title="问卷邀请", body="请填写")
    assert delivery.status == Delivery.Status.SENT
    [request] = robots.requests
    assert request["path"] == "/open-apis/bot/v2/hook/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d/"
    assert request["json"] == {"msg_type": "text", "content": {"text": "问卷邀请\r\n请填写"}}


def test_a_failing_endpoint_is_retried_with_back_off_then_shown_failed(unit, robots):
    robots.status = 500
    UnitRobot.objects.create(unit=unit, kind="wecom", webhook_url=WECOM_URL)
    [delivery] = send(unit)
    assert delivery.status == Delivery.Status.RETRYING and delivery.sent_at is None
    assert delivery.attempts == 1 and "500" in delivery.last_error
    first_retry = delivery.next_attempt_at
    assert timedelta(seconds=50) < first_retry - timezone.now() <= timedelta(minutes=1)
    # Not due yet: nothing is sent.
    assert services.deliver(delivery.pk) is None and len(robots.requests) == 1
    delivery = services.deliver(delivery.pk, now=first_retry + timedelta(seconds=1))
    assert delivery.status == Delivery.Status.RETRYING and delivery.attempts == 2
    assert delivery.next_attempt_at - first_retry > timedelta(minutes=4)  # the next step is longer
    delivery = services.deliver(delivery.pk, now=delivery.next_attempt_at + timedelta(seconds=1))
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3 and delivery.sent_at is None
    assert len(robots.requests) == 3
    # The coordinator sees the unit as unreachable, with what failed.
    [(shown, problem, fix)] = services.unreachable_units([unit.pk])
    assert shown == unit and "发送失败" in problem and "500" in problem


def test_a_later_success_clears_the_failure(unit, robots):
    robots.status = 500
    UnitRobot.objects.create(unit=unit, kind="wecom", webhook_url=WECOM_URL)
    [delivery] = send(unit)
    robots.status = 200
    delivery = services.deliver(delivery.pk, now=delivery.next_attempt_at)
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert services.unreachable_units([unit.pk]) == []


def test_an_unreachable_host_is_not_marked_delivered(unit, settings):
    settings.NOTIFY_ROBOT_BASE_URLS = {"wecom": "http://127.0.0.1:9"}  # nothing listens on the discard port
    UnitRobot.objects.create(unit=unit, kind="wecom", webhook_url=WECOM_URL)
    [delivery] = send(unit)
    assert delivery.status == Delivery.Status.RETRYING and delivery.sent_at is None and delivery.last_error


def test_production_robots_post_to_the_vendors_own_hosts(unit, settings):
    settings.NOTIFY_ROBOT_BASE_URLS = {}
    robot = UnitRobot(unit=unit, kind="dingtalk", webhook_url=DING_URL, secret=DING_SECRET)
    assert channels.robot_plugin(robot).notify_url.startswith("https://oapi.dingtalk.com/robot/send")
    robot = UnitRobot(unit=unit, kind="wecom", webhook_url=WECOM_URL)
    assert channels.robot_plugin(robot).api_url.startswith("https://qyapi.weixin.qq.com/")


def test_secrets_in_webhook_urls_are_masked(unit):
    robot = UnitRobot.objects.create(unit=unit, kind="dingtalk", webhook_url=DING_URL, secret=DING_SECRET)
    assert robot.masked_url == "https://oapi.dingtalk.com/robot/send?access_token=1f2e****"
    assert DING_TOKEN not in robot.masked_url
    feishu = UnitRobot(unit=unit, kind="feishu", webhook_url=FEISHU_URL)
    assert "0a1b2c3d-4e5f" not in feishu.masked_url and feishu.masked_url.endswith("/hook/0a1b****")


def test_the_unit_page_never_shows_a_webhook_secret_in_full(unit, login, robots):
    reporter = make_user(unit)
    client = login(reporter)
    response = client.post(f"/notifications/units/{unit.pk}/robots/",
                           {"kind": "dingtalk", "webhook_url": DING_URL, "secret": DING_SECRET})
    assert response.status_code == 302
    page = client.get(f"/notifications/units/{unit.pk}/").content.decode()
    assert "access_token=1f2e****" in page and "已设置加签密钥" in page
    assert DING_TOKEN not in page and DING_SECRET not in page
    delivery = send(unit)[0]
    assert DING_TOKEN not in delivery.target


def test_a_wrong_webhook_url_is_refused_with_a_chinese_message(unit, login):
    client = login(make_user(unit))
    response = client.post(f"/notifications/units/{unit.pk}/robots/",
                           {"kind": "wecom", "webhook_url": "https://example.com/hook?key=abc"}, follow=True)
    assert "Webhook 地址应以 https://qyapi.weixin.qq.com/ 开头" in response.content.decode()
    assert UnitRobot.objects.count() == 0


def test_another_units_member_cannot_add_a_robot(unit, login):
    other = make_unit()
    client = login(make_user(other))
    response = client.post(f"/notifications/units/{unit.pk}/robots/", {"kind": "wecom", "webhook_url": WECOM_URL})
    assert response.status_code == 404 and UnitRobot.objects.count() == 0
    viewer = make_user(unit, Membership.Role.VIEWER)
    response = login(viewer).post(f"/notifications/units/{unit.pk}/robots/", {"kind": "wecom", "webhook_url": WECOM_URL})
    assert response.status_code == 403 and UnitRobot.objects.count() == 0


def test_people_get_email_only_when_they_chose_it(unit, robots):
    from django.core import mail

    from notifications.models import ContactPreference

    wants = make_user(unit, email="a@example.cn")
    declines = make_user(unit, email="b@example.cn")
    ContactPreference.objects.create(user=declines, by_email=False)
    make_user(unit)  # no address: inbox only
    results = send(unit)
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]
    assert [d.user for d in results] == [wants]
    assert make_campaign  # factories imported for the module's other tests


def test_the_scheduler_queues_only_the_deliveries_whose_retry_time_has_come(unit, robots):
    from django_tasks_db.models import DBTaskResult

    robots.status = 500
    UnitRobot.objects.create(unit=unit, kind="wecom", webhook_url=WECOM_URL)
    UnitRobot.objects.create(unit=unit, kind="feishu", webhook_url=FEISHU_URL)
    first, second = send(unit)
    Delivery.objects.filter(pk=second.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=30))
    now = first.next_attempt_at + timedelta(seconds=1)
    assert services.retry_due(now=now) == 1
    [queued] = DBTaskResult.objects.all()
    assert queued.args_kwargs["args"] == [[first.pk]]
