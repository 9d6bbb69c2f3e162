"""The coordinator's dashboard and the unit's to-do page."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns import services
from campaigns.evidence import check_upload
from campaigns.models import Assignment, Membership, Unit
from tests.campaigns.progress_helpers import photo
from tests.factories import make_plan, make_unit, make_user


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build(n_tasks):
    """A campaign of n tasks for two bureaus and an institution, with some of everything on it."""
    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    institution = make_unit(kind=Unit.Kind.UNIVERSITY, ordinal=1)
    bureaus = [make_unit(ordinal=50 + i) for i in range(2)]
    campaign = make_plan(n_tasks, office, units=[institution, *bureaus])
    coordinator = make_user(office, Membership.Role.COORDINATOR)
    reporter = make_user(bureaus[0])
    today = timezone.localdate()
    campaign.tasks.update(deadline=today + timedelta(days=60))
    campaign.tasks.filter(number__lte=n_tasks // 4).update(deadline=today - timedelta(days=2))
    campaign.tasks.filter(number__gt=n_tasks - 3).update(deadline=today + timedelta(days=3))
    mine = list(Assignment.objects.filter(task__campaign=campaign, unit=bureaus[0]).order_by("task__number"))
    for a in mine[:: max(1, n_tasks // 10)]:
        services.submit_progress(a, reporter, expected_version=a.version, text=f"进展{a.pk}", percent=50)
        services.request_adjustment(
            a, reporter, kind="deadline", reason="顺延", proposed_deadline=today + timedelta(days=40)
        )
    done = mine[1]
    services.submit_for_verification(
        done, reporter, expected_version=done.version, text="完成", files=[check_upload(photo())]
    )
    return campaign, coordinator, reporter, bureaus


def dashboard_queries(client, campaign):
    url = reverse("campaigns:dashboard", args=[campaign.code])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_dashboard_makes_the_same_number_of_queries_for_20_and_200_tasks(db, login, media):
    small, coordinator_small, _, _ = build(20)
    large, coordinator_large, _, _ = build(200)
    n_small, _ = dashboard_queries(login(coordinator_small), small)
    n_large, response = dashboard_queries(login(coordinator_large), large)
    assert n_small == n_large
    # The matrix shows one section: the one with the most overdue work, all of its tasks.
    section = response.context["section"]
    assert [t.number for t, _ in response.context["rows"]] == list(
        large.tasks.filter(section=section).order_by("number").values_list("number", flat=True)
    )
    assert len(response.context["rows"]) == 40


def test_dashboard_shows_matrix_with_bureaus_first_and_the_lists(db, login, media):
    campaign, coordinator, reporter, bureaus = build(20)
    client = login(coordinator)
    # Task 1 is in the second section (make_plan deals tasks round the five sections).
    response = client.get(reverse("campaigns:dashboard", args=[campaign.code]), {"section": 2})
    context = response.context
    assert [u.kind for u in context["units"]] == ["bureau", "bureau", "university"]
    task, cells = context["rows"][0]
    assert task.number == 1 and [a.unit for a in cells] == [*bureaus, context["units"][2]]
    assert len(context["overdue"]) == 5 * 3 - 1  # tasks 1-5, three units each, one of them submitted
    assert len(context["due_soon"]) == 3 * 3
    assert [a.unit for a in context["waiting"]] == [bureaus[0]]
    assert len(context["adjustments"]) == 10  # every second task of the first bureau
    assert len(context["recent"]) == 11
    html = response.content.decode()
    assert html.count('<tr data-task="') == campaign.tasks.filter(section__ordinal=2).count() == 4
    assert reverse("campaigns:assignment", args=[context["waiting"][0].pk]) in html
    assert "待核验的提交" in html and "待审核的调整报备" in html


def test_dashboard_is_for_the_coordinating_unit_only(db, login, media):
    campaign, _, reporter, _ = build(4)
    assert login(reporter).get(reverse("campaigns:dashboard", args=[campaign.code])).status_code == 403
    stranger = make_user(make_unit())
    assert login(stranger).get(reverse("campaigns:dashboard", args=[campaign.code])).status_code == 404


def test_unit_dashboard_lists_returned_late_and_due(db, login, media):
    campaign, coordinator, reporter, bureaus = build(20)
    submitted = Assignment.objects.get(unit=bureaus[0], status="submitted")
    services.return_assignment(submitted, coordinator, expected_version=submitted.version, comment="照片看不清，请重传")
    response = login(reporter).get(reverse("campaigns:unit_dashboard"))
    context = response.context
    assert [a.pk for a in context["returned"]] == [submitted.pk]
    assert len(context["overdue"]) == 5  # tasks 1-5, the returned one among them (it is open again)
    assert len(context["due_soon"]) == 3
    assert "照片看不清，请重传" in response.content.decode()
    # another unit's work is not on it
    assert all(a.unit_id == bureaus[0].pk for a in context["overdue"] + context["due_soon"])


def test_unit_dashboard_queries_do_not_grow_with_tasks(db, login, media):
    counts = []
    for n in (20, 200):
        _, _, reporter, _ = build(n)
        client = login(reporter)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("campaigns:unit_dashboard")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
