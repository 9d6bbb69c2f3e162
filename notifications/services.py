"""Named actions of the notifications app: notify people, deliver, retry, chase up.

Whom a message reaches:
- in the site: every active member of the unit (any role), or the campaign's coordinators;
- outside it: each of those people by the channels they chose (email, SMS) and the unit's
  group robots. Every outside message is a Delivery, sent by the task queue and marked
  SENT only when its channel accepted it.
"""
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.access import can_coordinate
from campaigns.models import Membership, Unit

from . import channels
from .models import ChaseUp, ContactPreference, Delivery, Kind, Notification, UnitRobot

log = logging.getLogger(__name__)
User = get_user_model()


class NotificationRefused(Exception):
    """A notifications action was refused; the message is for the user, in Chinese, as is."""


# ---------------------------------------------------------------- who

def unit_people(unit_ids):
    """{unit id: [active users]} of the units' members (any role)."""
    rows = (
        Membership.objects.filter(unit_id__in=unit_ids, user__is_active=True)
        .select_related("user", "user__contact_preference")
        .order_by("unit_id", "user_id")
    )
    people = {}
    for m in rows:
        people.setdefault(m.unit_id, []).append(m.user)
    return people


def coordinators(campaign):
    """Active coordinators of the campaign (coordinator members of its coordinating unit)."""
    return coordinators_of([campaign])[campaign.pk]


def coordinators_of(campaigns):
    """{campaign id: [active coordinators, by pk]} for many campaigns, in one query."""
    campaigns = list(campaigns)
    by_unit = {}
    for m in (Membership.objects.filter(unit_id__in={c.coordinating_unit_id for c in campaigns},
                                        role=Membership.Role.COORDINATOR, user__is_active=True)
              .select_related("user", "user__contact_preference").order_by("user_id")):
        users = by_unit.setdefault(m.unit_id, [])
        if all(u.pk != m.user_id for u in users):
            users.append(m.user)
    return {c.pk: list(by_unit.get(c.coordinating_unit_id, [])) for c in campaigns}


def _preference(user):
    try:
        return user.contact_preference
    except ContactPreference.DoesNotExist:
        return ContactPreference(user=user)


def person_channels(user):
    """[(channel, masked target)] by which this person wants outside messages."""
    pref = _preference(user)
    found = []
    if pref.by_email and user.email:
        found.append((channels.Channel.EMAIL, user.email))
    if pref.by_sms and pref.mobile and settings.NOTIFY_SMS_URL:
        found.append((channels.Channel.SMS, channels.mask_mobile(pref.mobile)))
    return found


def _robots(unit_ids):
    robots = {}
    for robot in UnitRobot.objects.filter(unit_id__in=unit_ids, active=True).order_by("pk"):
        robots.setdefault(robot.unit_id, []).append(robot)
    return robots


# ---------------------------------------------------------------- notify

def _in_app(users, *, kind, title, body, url, unit=None, campaign=None, key=""):
    _in_app_many([(users, dict(kind=kind, title=title, body=body, url=url, unit=unit, campaign=campaign, key=key))])


def _in_app_many(messages):
    """Inbox entries for many messages at once: [(users, fields)], fields as for _in_app.
    A person who already has an entry with the same key gets none. Two queries in all."""
    keys = {fields["key"] for _, fields in messages if fields.get("key")}
    seen = set()
    if keys:
        seen = set(Notification.objects.filter(key__in=keys).values_list("recipient_id", "key"))
    rows = []
    for users, fields in messages:
        key = fields.get("key", "")
        rows += [Notification(recipient=u, unit=fields.get("unit"), campaign=fields.get("campaign"),
                              kind=fields["kind"], title=fields["title"][:200], body=fields["body"],
                              url=fields["url"], key=key)
                 for u in users if not key or (u.pk, key) not in seen]
    Notification.objects.bulk_create(rows, batch_size=500)


def _outside(users, robots, **fields):
    return Delivery.objects.bulk_create(_outside_rows(users, robots, **fields))


def _outside_rows(users, robots, *, kind, title, body, unit=None, campaign=None, reminder_items=()):
    """The (unsaved) deliveries of one message: each person's chosen channels, each robot."""
    rows = []
    for user in users:
        for channel, target in person_channels(user):
            rows.append(Delivery(channel=channel, user=user, unit=unit, campaign=campaign, target=target,
                                 kind=kind, subject=title[:200], body=body, reminder_items=list(reminder_items)))
    for robot in robots:
        rows.append(Delivery(channel=robot.kind, robot=robot, unit=unit, campaign=campaign,
                             target=robot.masked_url, kind=kind, subject=title[:200], body=body,
                             reminder_items=list(reminder_items)))
    return rows


def full_url(path):
    return settings.SITE_URL.rstrip("/") + path if path else settings.SITE_URL


def notify_units(units, *, kind, title, body="", url="", campaign=None, key="", queue=True):
    """Tell the people of each unit: an inbox entry for every member, and a Delivery for
    each channel they chose and each group robot of the unit (sent by the queue).

    Returns the deliveries created (not yet sent).
    """
    return notify_each([(unit, dict(title=title, body=body, url=url)) for unit in units], kind=kind,
                       campaign=campaign, key=key, queue=queue)


@transaction.atomic
def notify_each(messages, *, kind, campaign=None, key="", queue=True):
    """notify_units with a message of its own for each unit: [(unit, {title, body, url})].
    The same few queries however many units (a national plan's publication tells hundreds).

    Returns the deliveries created (not yet sent).
    """
    messages = list(messages)
    unit_ids = [unit.pk for unit, _ in messages]
    people = unit_people(unit_ids)
    robots = _robots(unit_ids)
    _in_app_many([(people.get(unit.pk, []), dict(kind=kind, title=m["title"], body=m.get("body", ""),
                                                 url=m.get("url", ""), unit=unit, campaign=campaign,
                                                 key=f"{key}:{unit.pk}" if key else ""))
                  for unit, m in messages])
    rows = []
    for unit, m in messages:
        body, url = m.get("body", ""), m.get("url", "")
        text = f"{body}\n{full_url(url)}".strip() if url else body
        rows += _outside_rows(people.get(unit.pk, []), robots.get(unit.pk, []), kind=kind, title=m["title"],
                              body=text, unit=unit, campaign=campaign)
    created = Delivery.objects.bulk_create(rows, batch_size=500)
    if queue:
        queue_deliveries(created)
    return created


@transaction.atomic
def notify_coordinators(campaign, *, kind, title, body="", url="", key="", queue=True):
    """Tell the campaign's coordinators (inbox, and their own chosen channels)."""
    users = coordinators(campaign)
    _in_app(users, kind=kind, title=title, body=body, url=url, campaign=campaign, key=key)
    text = f"{body}\n{full_url(url)}".strip() if url else body
    created = _outside(users, [], kind=kind, title=title, body=text, campaign=campaign)
    if queue:
        queue_deliveries(created)
    return created


def queue_deliveries(deliveries):
    """Put the deliveries on the task queue once the current transaction commits."""
    ids = [d.pk for d in deliveries]
    if not ids:
        return

    def enqueue():
        from .tasks import deliver_task

        try:
            deliver_task.enqueue(ids)
        except Exception:
            # The queue is unreachable: the rows stay PENDING and retry_due() picks them up.
            log.exception("could not queue deliveries %s", ids[:5])

    transaction.on_commit(enqueue)


# ---------------------------------------------------------------- deliver, retry

def retry_delay(attempts):
    """How long after the `attempts`-th failure the next try comes, or None to give up."""
    minutes = settings.NOTIFY_RETRY_MINUTES
    return timedelta(minutes=minutes[attempts - 1]) if attempts <= len(minutes) else None


# Deliveries sent per claim: their bookkeeping (claim, load, outcomes, reminder logs) is a
# handful of queries per batch whatever the batch holds. A worker that dies mid-batch leaves
# at most this many claimed, sent again once their lease (an hour) runs out.
SEND_BATCH = 100


def deliver(delivery_id, now=None):
    """Send one Delivery (PENDING or due RETRYING) and record the outcome.

    Accepted: SENT, and the reminders it carries are logged (ReminderLog) now. Refused:
    attempts + 1 and RETRYING at the next back-off step, or FAILED after the last one.
    Returns the Delivery, or None if it was not due (already sent, or taken by another worker).
    """
    return deliver_many([delivery_id], now=now)[0]


def deliver_many(ids, now=None):
    """Deliver each id (one failing channel does not hold up the others), SEND_BATCH at a
    time, in a fixed number of queries per batch. Returns, for each id in order, its
    Delivery, or None if it was not due."""
    ids = list(ids)
    done = {}
    for start in range(0, len(ids), SEND_BATCH):
        done.update(_deliver_batch(ids[start:start + SEND_BATCH], now))
    return [done.get(pk) for pk in ids]


def _deliver_batch(ids, now=None):
    import secrets

    from django.db.models import F, Q

    from campaigns.models import ReminderLog

    now = now or timezone.now()
    # Claim them with a lease no other worker can hold (a unique time an hour ahead): a
    # second worker given the same ids finds nothing due, and this one reads back its own.
    lease = now + timedelta(hours=1, microseconds=1 + secrets.randbelow(10**9))
    Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk__in=ids, status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
    ).update(next_attempt_at=lease)
    claimed = list(Delivery.objects.filter(pk__in=ids, next_attempt_at=lease)
                   .select_related("user__contact_preference", "robot"))
    sent, refused = [], []
    for delivery in claimed:
        ok, error = channels.send(delivery)
        delivery.attempts += 1
        if ok:
            sent.append(delivery)
            continue
        delay = retry_delay(delivery.attempts)
        delivery.last_error = error[:500]
        if delay is None:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        else:
            delivery.status, delivery.next_attempt_at = Delivery.Status.RETRYING, now + delay
        refused.append(delivery)
    sent_at = timezone.now()
    for delivery in sent:
        delivery.status, delivery.sent_at, delivery.next_attempt_at, delivery.last_error = (
            Delivery.Status.SENT, sent_at, None, "")
    with transaction.atomic():
        if sent:
            # One UPDATE for all accepted ones (sent_at: when the batch was sent).
            Delivery.objects.filter(pk__in=[d.pk for d in sent]).update(
                status=Delivery.Status.SENT, sent_at=sent_at, next_attempt_at=None, last_error="",
                attempts=F("attempts") + 1)
            ReminderLog.objects.bulk_create(
                [ReminderLog(assignment_id=a, kind=k, threshold=t, recipients=d.target[:500])
                 for d in sent for a, k, t in d.reminder_items],
                ignore_conflicts=True,
            )
        if refused:
            Delivery.objects.bulk_update(refused, ["status", "next_attempt_at", "last_error", "attempts"])
    return {d.pk: d for d in claimed}


def retry_due(now=None):
    """Queue the deliveries whose retry time has come (and PENDING ones the queue never took).

    Run every minute by the scheduler (jobs.schedule). Returns how many were queued.
    """
    from .tasks import deliver_task

    now = now or timezone.now()
    # Due retries, and sends whose worker died mid-way (their lease has run out).
    ids = list(
        Delivery.objects.filter(status__in=[Delivery.Status.RETRYING, Delivery.Status.PENDING],
                                next_attempt_at__lte=now).values_list("pk", flat=True)
    )
    ids += list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__isnull=True,
                                created_at__lte=now - timedelta(minutes=5)).values_list("pk", flat=True)
    )
    if ids:
        deliver_task.enqueue(ids)
    return len(ids)


# ---------------------------------------------------------------- reachability

def reachability(unit_ids, people=None, robots=None):
    """{unit id: (reachable?, what is wrong, what to fix)} from the channels the units have
    and how their latest outside messages fared. `people` and `robots` (as unit_people and
    _robots give them) when the caller has them already."""
    unit_ids = list(unit_ids)
    people = unit_people(unit_ids) if people is None else people
    robots = _robots(unit_ids) if robots is None else robots
    latest = {}
    for d in (Delivery.objects.filter(unit_id__in=unit_ids)
              .exclude(status=Delivery.Status.PENDING).order_by("created_at", "pk")
              .only("unit_id", "channel", "target", "status", "last_error", "user_id", "robot_id")):
        latest[(d.unit_id, d.channel, d.user_id, d.robot_id)] = d
    result = {}
    for unit_id in unit_ids:
        targets = [(c, u.pk, None) for u in people.get(unit_id, []) for c, _ in person_channels(u)]
        targets += [(r.kind, None, r.pk) for r in robots.get(unit_id, [])]
        if not targets:
            result[unit_id] = (False, "没有任何可用的联系渠道",
                               "请为该单位添加企业微信/钉钉/飞书群机器人，或请该单位人员在“接收设置”中填写邮箱或手机号并选择接收方式")
            continue
        outcomes = [latest.get((unit_id, c, u, r)) for c, u, r in targets]
        failing = [d for d in outcomes if d is not None and d.status in (Delivery.Status.FAILED, Delivery.Status.RETRYING)]
        if len(failing) == len(targets):
            what = "；".join(f"{d.get_channel_display()}（{d.target}）：{d.last_error}" for d in failing[:3])
            result[unit_id] = (False, f"所有渠道最近都发送失败：{what}",
                               "请核对群机器人地址和加签密钥、邮箱或手机号是否有效")
        else:
            result[unit_id] = (True, "", "")
    return result


def unreachable_units(unit_ids):
    """[(unit, problem, fix)] of the units no message can reach now."""
    problems = {pk: r for pk, r in reachability(unit_ids).items() if not r[0]}
    units = Unit.objects.filter(pk__in=problems).order_by("ordinal", "name")
    return [(u, problems[u.pk][1], problems[u.pk][2]) for u in units]


# ---------------------------------------------------------------- chase-ups (催报)

def chased_today(campaign, unit_ids, today):
    return set(ChaseUp.objects.filter(campaign=campaign, unit_id__in=unit_ids, sent_on=today)
               .values_list("unit_id", flat=True))


def send_chase_up(campaign, coordinator, units, *, message, about, url="", today=None):
    """催报: chase each of `units` once, by inbox and their channels, with `message`.

    Only the campaign's coordinators may; each unit at most once a day per campaign. If any
    unit was already chased today, nothing is sent and NotificationRefused names them.
    The caller has checked that the units are ones this chase-up is about. Returns the ChaseUps.
    """
    if not can_coordinate(coordinator, campaign):
        raise NotificationRefused("只有本活动的协调人可以催报。")
    units = list(units)
    message = (message or "").strip()
    if not units:
        raise NotificationRefused("请至少选择一个要催报的单位。")
    if not message:
        raise NotificationRefused("请填写催报内容。")
    if len(message) > 1000:
        raise NotificationRefused("催报内容请控制在 1000 字以内。")
    today = today or timezone.localdate()
    refusal = None
    try:
        with transaction.atomic():
            already = chased_today(campaign, [u.pk for u in units], today)
            if already:
                names = "、".join(u.name for u in units if u.pk in already)
                refusal = (f"以下单位今天已经催报过，每个单位每天最多催报一次：{names}。"
                           "本次没有发送任何催报，请取消勾选这些单位后再发送，或明天再催。")
                raise IntegrityError
            rows = ChaseUp.objects.bulk_create([
                ChaseUp(campaign=campaign, unit=u, about=about[:100], message=message, sent_by=coordinator,
                        sent_on=today)
                for u in units
            ])
            title = f"【催报】{campaign.title}：{about}"
            notify_units(units, kind=Kind.CHASE_UP, title=title, body=message, url=url, campaign=campaign)
    except IntegrityError:
        raise NotificationRefused(refusal or "刚才已有人催报了其中的单位，本次没有发送，请刷新页面后再试。") from None
    return rows
