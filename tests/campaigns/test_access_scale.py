"""Access decisions cost the same few queries for a campaign of 20 or 2,000 assignments
(issue 17: a coordinator of a national campaign pays no access check that walks every
assignment). The time at 16,000 assignments is in bench/access_checks.py."""
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from campaigns import access
from campaigns.models import Assignment, Membership, Section, Task, Unit
from tests.factories import make_campaign, make_unit, make_user


def build(n_assignments):
    """A campaign whose tasks go to 20 bureaus (n_assignments / 20 tasks), a coordinator,
    a reporter of the first bureau, and a unit with work only in another campaign."""
    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureaus = [make_unit() for _ in range(20)]
    campaign = make_campaign(office)
    section = Section.objects.create(campaign=campaign, ordinal=1, title="活动安排")
    tasks = Task.objects.bulk_create(
        [Task(campaign=campaign, section=section, number=n, title=f"任务{n}") for n in range(1, n_assignments // 20 + 1)]
    )
    Assignment.objects.bulk_create(
        [Assignment(task=t, unit=u, role="lead", position=i) for t in tasks for i, u in enumerate(bureaus)]
    )
    elsewhere = make_unit()
    other = make_campaign(make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION))
    other_task = Task.objects.create(campaign=other, section=Section.objects.create(campaign=other, ordinal=1, title="安排"),
                                     number=1, title="别的任务")
    Assignment.objects.create(task=other_task, unit=elsewhere, role="lead")
    return {
        "campaign": campaign,
        "coordinator": make_user(office, Membership.Role.COORDINATOR),
        "reporter": make_user(bureaus[0]),
        "stranger": make_user(elsewhere),
        "bureau": bureaus[0],
        "own": Assignment.objects.filter(task__campaign=campaign, unit=bureaus[0]).last(),
        "others": Assignment.objects.filter(task__campaign=campaign, unit=bureaus[1]).last(),
        "elsewhere": elsewhere,
    }


def fresh(user):
    """A new user object, as a new request loads (the per-request caches start empty)."""
    return get_user_model().objects.get(pk=user.pk)


def decisions(world):
    """What the pages of a campaign ask about a coordinator and a reporter, with the queries it took."""
    campaign, answers = world["campaign"], {}
    with CaptureQueriesContext(connection) as ctx:
        coordinator = fresh(world["coordinator"])
        seen = access.get_campaign_for_user(coordinator, campaign.code)
        answers["coordinate"] = access.can_coordinate(coordinator, seen) and access.can_oversee(coordinator, seen)
        answers["coordinator_writes"] = access.get_assignment_for_user(coordinator, world["others"].pk, write=True).pk
        answers["coordinator_reports_for"] = access.reporting_unit_ids(coordinator, seen, write=True)
        answers["coordinator_reads_unit"] = access.get_reporting_unit_for_user(coordinator, seen, world["bureau"].pk).pk

        reporter = fresh(world["reporter"])
        seen = access.get_campaign_for_user(reporter, campaign.code)
        answers["reporter_coordinates"] = access.can_coordinate(reporter, seen) or access.can_oversee(reporter, seen)
        answers["reporter_writes"] = access.get_assignment_for_user(reporter, world["own"].pk, write=True).pk
        answers["reporter_reports_for"] = access.reporting_unit_ids(reporter, seen, write=True)
        answers["reporter_unit"] = access.get_reporting_unit_for_user(reporter, seen, world["bureau"].pk, write=True).pk
        with pytest.raises(Http404):
            access.get_assignment_for_user(reporter, world["others"].pk)
        with pytest.raises(Http404):
            access.get_reporting_unit_for_user(reporter, seen, world["elsewhere"].pk)

        stranger = fresh(world["stranger"])
        with pytest.raises(Http404):
            access.get_campaign_for_user(stranger, campaign.code)
        with pytest.raises(Http404):
            access.get_reporting_unit_for_user(coordinator, campaign, world["elsewhere"].pk)
    return answers, len(ctx.captured_queries)


def test_access_decisions_take_the_same_few_queries_at_20_and_2000_assignments(db):
    small, large = build(20), build(2000)
    assert Assignment.objects.filter(task__campaign=large["campaign"]).count() == 2000
    answers_small, queries_small = decisions(small)
    answers_large, queries_large = decisions(large)
    assert queries_small == queries_large <= 20
    for world, answers in ((small, answers_small), (large, answers_large)):
        assert answers["coordinate"] is True and answers["reporter_coordinates"] is False
        assert answers["coordinator_writes"] == world["others"].pk and answers["reporter_writes"] == world["own"].pk
        # The coordinating office has no assignment: it reports for no unit itself.
        assert answers["coordinator_reports_for"] == set()
        assert answers["reporter_reports_for"] == {world["bureau"].pk} == {answers["reporter_unit"]}
        assert answers["coordinator_reads_unit"] == world["bureau"].pk


def test_a_unit_whose_only_work_was_cancelled_is_not_responsible(db):
    world = build(20)
    Assignment.objects.filter(unit=world["bureau"]).update(status=Assignment.Status.CANCELLED)
    campaign = world["campaign"]
    reporter = fresh(world["reporter"])
    assert access.reporting_unit_ids(reporter, campaign) == set()
    assert world["bureau"].pk not in access.responsible_unit_ids(campaign)
    with pytest.raises(Http404):
        access.get_reporting_unit_for_user(reporter, campaign, world["bureau"].pk)
    # Still visible (it has an assignment, if cancelled), still answering 404 on reports.
    assert access.get_campaign_for_user(reporter, campaign.code) == campaign


def test_a_viewer_reads_but_does_not_report(db):
    world = build(20)
    viewer = make_user(world["bureau"], Membership.Role.VIEWER)
    campaign = world["campaign"]
    assert access.reporting_unit_ids(fresh(viewer), campaign) == {world["bureau"].pk}
    assert access.reporting_unit_ids(fresh(viewer), campaign, write=True) == set()
    with pytest.raises(PermissionDenied):
        access.get_reporting_unit_for_user(fresh(viewer), campaign, world["bureau"].pk, write=True)
