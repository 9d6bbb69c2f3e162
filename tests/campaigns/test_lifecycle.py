"""The lifecycle rules pinned at their boundaries: every status against a deadline of
yesterday, today and tomorrow, read through the queryset annotations every page uses."""
from datetime import date, timedelta

import pytest

from campaigns import lifecycle, services
from campaigns.evidence import check_upload
from campaigns.models import Assignment, Membership
from tests.factories import make_campaign, make_task, make_unit, make_user

from .progress_helpers import photo

TODAY = lifecycle.today()
DAYS = {"yesterday": TODAY - timedelta(days=1), "today": TODAY, "tomorrow": TODAY + timedelta(days=1)}

# (status, deadline) -> (overdue?, due soon?, completed late?), for work done (done_on) today.
# Written out by hand, not computed: the deadline day itself is neither overdue nor late.
EXPECTED = {
    ("not_started", "yesterday"): (True, False, False),
    ("not_started", "today"): (False, True, False),
    ("not_started", "tomorrow"): (False, True, False),
    ("in_progress", "yesterday"): (True, False, False),
    ("in_progress", "today"): (False, True, False),
    ("in_progress", "tomorrow"): (False, True, False),
    ("returned", "yesterday"): (True, False, False),
    ("returned", "today"): (False, True, False),
    ("returned", "tomorrow"): (False, True, False),
    ("submitted", "yesterday"): (False, False, True),
    ("submitted", "today"): (False, False, False),
    ("submitted", "tomorrow"): (False, False, False),
    ("verified", "yesterday"): (False, False, True),
    ("verified", "today"): (False, False, False),
    ("verified", "tomorrow"): (False, False, False),
    ("cancelled", "yesterday"): (False, False, False),
    ("cancelled", "today"): (False, False, False),
    ("cancelled", "tomorrow"): (False, False, False),
}


def test_the_table_covers_every_status():
    assert {status for status, _ in EXPECTED} == set(Assignment.Status.values)


@pytest.fixture
def world(db):
    coordinator_unit = make_unit(kind="division")
    campaign = make_campaign(coordinator_unit, starts_on=TODAY - timedelta(days=60))
    return campaign, make_user(coordinator_unit, role=Membership.Role.COORDINATOR)


def bring_to(status, assignment, coordinator):
    """Walk the assignment to `status` through the services, as users would."""
    reporter = make_user(assignment.unit)
    if status == "in_progress":
        services.submit_progress(assignment, reporter, expected_version=1, text="开展中", percent=50)
    if status in ("submitted", "verified", "returned"):
        services.submit_for_verification(assignment, reporter, expected_version=1, text="已完成",
                                         files=[check_upload(photo())], done_on=TODAY)
    if status == "verified":
        services.verify_assignment(assignment, coordinator, expected_version=2)
    if status == "returned":
        services.return_assignment(assignment, coordinator, expected_version=2, comment="请补充材料")
    if status == "cancelled":
        Assignment.objects.filter(pk=assignment.pk).update(status="cancelled")


@pytest.mark.parametrize(("status", "when"), sorted(EXPECTED))
def test_boundary_table(world, status, when):
    campaign, coordinator = world
    task = make_task(campaign, units=[make_unit()], deadline=DAYS[when])
    assignment = task.assignments.get()
    bring_to(status, assignment, coordinator)

    row = Assignment.objects.with_deadline_state(TODAY).get(pk=assignment.pk)

    assert row.status == status
    assert (row.is_overdue, row.is_due_soon, row.is_completed_late) == EXPECTED[(status, when)]
    assert row.days_left == {"yesterday": -1, "today": 0, "tomorrow": 1}[when]
    # the queryset filters agree with the annotations
    assert Assignment.objects.overdue(TODAY).filter(pk=assignment.pk).exists() == EXPECTED[(status, when)][0]
    assert Assignment.objects.due_soon(TODAY).filter(pk=assignment.pk).exists() == EXPECTED[(status, when)][1]


@pytest.mark.parametrize(("ahead", "due_soon"), [(6, True), (7, True), (8, False)])
def test_due_soon_ends_reminder_days_after_today(world, settings, ahead, due_soon):
    settings.REMINDER_DAYS = 7
    campaign, _ = world
    task = make_task(campaign, units=[make_unit()], deadline=TODAY + timedelta(days=ahead))
    row = Assignment.objects.with_deadline_state(TODAY).get(task=task)
    assert row.is_due_soon is due_soon


def test_due_soon_follows_the_reminder_days_setting(world, settings):
    settings.REMINDER_DAYS = 3
    campaign, _ = world
    task = make_task(campaign, units=[make_unit()], deadline=TODAY + timedelta(days=5))
    assert not Assignment.objects.with_deadline_state(TODAY).get(task=task).is_due_soon
    settings.REMINDER_DAYS = 5
    assert Assignment.objects.with_deadline_state(TODAY).get(task=task).is_due_soon


def test_a_task_without_deadline_is_never_overdue_or_due(world):
    campaign, _ = world
    task = make_task(campaign, units=[make_unit()], deadline=None)
    row = Assignment.objects.with_deadline_state(TODAY).get(task=task)
    assert (row.days_left, row.is_overdue, row.is_due_soon) == (None, False, False)


def test_days_left_counts_across_months_and_years(world):
    campaign, _ = world
    task = make_task(campaign, units=[make_unit()], deadline=date(2025, 3, 1))
    assert Assignment.objects.with_deadline_state(date(2024, 12, 31)).get(task=task).days_left == 60
    assert Assignment.objects.with_deadline_state(date(2025, 3, 31)).get(task=task).days_left == -30


# ---------------------------------------------------------------- transitions

ALLOWED = {
    "report": {"not_started", "in_progress", "returned"},
    "submit": {"not_started", "in_progress", "returned"},
    "verify": {"submitted"},
    "return": {"submitted", "verified"},
    "cancel": {"not_started", "in_progress", "submitted", "verified", "returned"},
    "reopen": {"cancelled"},
}


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_each_action_is_allowed_from_exactly_these_statuses(action):
    allowed = {status for status in Assignment.Status.values if lifecycle.can(action, status)}
    assert allowed == ALLOWED[action]
    for status in set(Assignment.Status.values) - allowed:
        assert "“" in lifecycle.refusal(action, status)  # a Chinese sentence naming the status


def test_verifying_twice_is_refused_and_changes_nothing(world):
    campaign, coordinator = world
    task = make_task(campaign, units=[make_unit()], deadline=TODAY)
    assignment = task.assignments.get()
    bring_to("verified", assignment, coordinator)
    assignment.refresh_from_db()
    before = (assignment.status, assignment.version, assignment.reports.count())
    with pytest.raises(services.ActionRefused, match="只有“待核验”的任务分工可以核验"):
        services.verify_assignment(assignment, coordinator, expected_version=assignment.version)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.version, assignment.reports.count()) == before
