"""The report's survey chapter picks the same survey on SQLite and PostgreSQL."""
from datetime import UTC, datetime, timedelta

from surveys.models import Survey
from surveys.results import campaign_survey
from tests.factories import make_campaign, make_task, make_unit

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def survey(campaign, title, task=None, minutes=0):
    s = Survey.objects.create(campaign=campaign, title=title, task=task, status=Survey.Status.OPEN)
    Survey.objects.filter(pk=s.pk).update(created_at=T0 + timedelta(minutes=minutes))
    return s


def test_a_survey_serving_a_task_comes_before_an_older_survey_without_one(db):
    campaign = make_campaign(make_unit())
    survey(campaign, "无任务的问卷", minutes=0)
    baseline = survey(campaign, "摸底问卷", task=make_task(campaign, number=5), minutes=10)
    assert campaign_survey(campaign) == baseline


def test_the_earliest_task_wins_then_the_oldest_then_the_first_made(db):
    campaign = make_campaign(make_unit())
    late = survey(campaign, "任务9", task=make_task(campaign, number=9), minutes=0)
    task2 = make_task(campaign, number=2)
    second = survey(campaign, "任务2（后）", task=task2, minutes=5)
    first = survey(campaign, "任务2（先）", task=task2, minutes=1)
    assert campaign_survey(campaign) == first
    Survey.objects.filter(pk=second.pk).update(created_at=T0 + timedelta(minutes=1))
    assert campaign_survey(campaign) == min(first, second, key=lambda s: s.pk)
    assert late != campaign_survey(campaign)


def test_without_any_task_the_oldest_survey_is_the_campaigns(db):
    campaign = make_campaign(make_unit())
    survey(campaign, "新", minutes=9)
    oldest = survey(campaign, "旧", minutes=1)
    assert campaign_survey(campaign) == oldest
