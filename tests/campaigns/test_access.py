import pytest
from django.urls import reverse

from campaigns.models import Assignment, Membership, ProgressReport, Unit
from tests.campaigns.progress_helpers import report_data
from tests.factories import make_campaign, make_task, make_unit, make_user


@pytest.fixture
def plan(db):
    office = make_unit("省局处室", kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureau_a, bureau_b = make_unit("甲市局"), make_unit("乙市局")
    campaign = make_campaign(office)
    task = make_task(campaign, units=[bureau_a, bureau_b])
    return {
        "campaign": campaign,
        "task": task,
        "a": task.assignments.get(unit=bureau_a),
        "b": task.assignments.get(unit=bureau_b),
        "coordinator": make_user(office, Membership.Role.COORDINATOR),
        "reporter_a": make_user(bureau_a),
        "viewer_a": make_user(bureau_a, Membership.Role.VIEWER),
    }


def state(assignment):
    assignment.refresh_from_db()
    return (assignment.status, assignment.percent, assignment.version, assignment.reports.count())


def report(client, assignment, **data):
    """Post a progress report (the form that replaced the plain status form)."""
    return client.post(reverse("campaigns:report", args=[assignment.pk]), report_data(assignment, **data))


def test_reporter_cannot_read_another_units_assignment(plan, login):
    client = login(plan["reporter_a"])
    assert client.get(reverse("campaigns:assignment", args=[plan["b"].pk])).status_code == 404
    assert client.get(reverse("campaigns:assignment", args=[plan["a"].pk])).status_code == 200


def test_reporter_cannot_change_another_units_assignment(plan, login):
    before = state(plan["b"])
    client = login(plan["reporter_a"])
    response = report(client, plan["b"], percent=90)
    assert response.status_code == 404
    assert state(plan["b"]) == before


def test_reporter_changes_own_units_assignment(plan, login):
    client = login(plan["reporter_a"])
    response = report(client, plan["a"], percent=30)
    assert response.status_code == 302
    assert state(plan["a"]) == ("in_progress", 30, 2, 1)
    assert ProgressReport.objects.get().author == plan["reporter_a"]


def test_viewer_reads_but_cannot_change(plan, login):
    before = state(plan["a"])
    client = login(plan["viewer_a"])
    assert client.get(reverse("campaigns:assignment", args=[plan["a"].pk])).status_code == 200
    response = report(client, plan["a"], percent=50)
    assert response.status_code == 403
    assert state(plan["a"]) == before


def test_reporter_cannot_mark_verified_through_the_report_form(plan, login):
    before = state(plan["a"])
    client = login(plan["reporter_a"])
    response = report(client, plan["a"], status="verified", percent=100)
    assert response.status_code == 200  # the form is shown again with its error
    assert state(plan["a"]) == before


def test_reporter_cannot_verify_or_return_even_its_own_assignment(plan, login):
    Assignment.objects.filter(pk=plan["a"].pk).update(status="submitted", percent=100)
    before = state(plan["a"])
    client = login(plan["reporter_a"])
    for name in ("verify", "return"):
        url = reverse(f"campaigns:{name}", args=[plan["a"].pk])
        assert client.post(url, {"version": before[2], "comment": "自己核验"}).status_code == 403
    assert state(plan["a"]) == before


def test_assignment_page_no_longer_accepts_a_plain_status_post(plan, login):
    before = state(plan["a"])
    client = login(plan["reporter_a"])
    response = client.post(reverse("campaigns:assignment", args=[plan["a"].pk]), {"status": "verified", "percent": 100})
    assert response.status_code == 405
    assert state(plan["a"]) == before


def test_coordinator_sees_and_changes_everything_in_the_campaign(plan, login):
    client = login(plan["coordinator"])
    for assignment in (plan["a"], plan["b"]):
        url = reverse("campaigns:assignment", args=[assignment.pk])
        assert client.get(url).status_code == 200
        assert report(client, assignment, percent=10).status_code == 302
        assert state(assignment)[:2] == ("in_progress", 10)
    assert client.get(reverse("campaigns:task_list", args=[plan["campaign"].code])).status_code == 200


def test_reporter_sees_the_plan_but_not_the_coordinators_task_list(plan, login):
    client = login(plan["reporter_a"])
    assert client.get(reverse("campaigns:plan", args=[plan["campaign"].code])).status_code == 200
    assert client.get(reverse("campaigns:task_list", args=[plan["campaign"].code])).status_code == 403


def test_coordinator_of_another_campaign_has_no_rights_here(plan, login):
    other_office = make_unit("外省处室", kind=Unit.Kind.PROVINCIAL_DIVISION)
    make_campaign(other_office)
    outsider = make_user(other_office, Membership.Role.COORDINATOR)
    client = login(outsider)
    code = plan["campaign"].code
    before = state(plan["a"])
    assert client.get(reverse("campaigns:plan", args=[code])).status_code == 404
    assert client.get(reverse("campaigns:task_list", args=[code])).status_code == 404
    assert client.get(reverse("campaigns:task", args=[code, plan["task"].number])).status_code == 404
    assert client.get(reverse("campaigns:assignment", args=[plan["a"].pk])).status_code == 404
    response = report(client, plan["a"], percent=70)
    assert response.status_code == 404
    for name in ("verify", "return", "request_adjustment"):
        assert client.post(reverse(f"campaigns:{name}", args=[plan["a"].pk]), {"version": 1}).status_code == 404
    assert client.get(reverse("campaigns:dashboard", args=[code])).status_code == 404
    assert state(plan["a"]) == before


def test_user_without_any_unit_sees_no_campaign(plan, login):
    client = login(make_user())
    assert client.get(reverse("campaigns:plan", args=[plan["campaign"].code])).status_code == 404
    assert plan["campaign"].title not in client.get(reverse("campaigns:list")).content.decode()


def test_task_page_links_only_the_assignments_the_user_may_open(plan, login):
    client = login(plan["reporter_a"])
    html = client.get(reverse("campaigns:task", args=[plan["campaign"].code, plan["task"].number])).content.decode()
    assert reverse("campaigns:assignment", args=[plan["a"].pk]) in html
    assert reverse("campaigns:assignment", args=[plan["b"].pk]) not in html


def test_assignment_unique_per_task(plan):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(task=plan["task"], unit=plan["a"].unit, role="co")
