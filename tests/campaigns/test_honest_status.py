"""Returned work reads as returned, and progress is shown as two figures: what the units
reported and what the coordinator verified."""
import pytest
from django.urls import reverse

from campaigns import services
from campaigns.evidence import check_upload
from campaigns.models import Membership
from tests.factories import make_campaign, make_task, make_unit, make_user

from .progress_helpers import photo


@pytest.fixture
def world(db):
    office = make_unit(kind="division")
    units = [make_unit(name=name) for name in ("甲局", "乙局", "丙局")]
    campaign = make_campaign(office)
    task = make_task(campaign, units=units, title="举办培训班")
    coordinator = make_user(office, role=Membership.Role.COORDINATOR)
    a, b, c = task.assignments.order_by("position")
    for assignment in (a, b):
        services.submit_for_verification(assignment, make_user(assignment.unit), expected_version=1, text="已完成",
                                         files=[check_upload(photo())])
    services.verify_assignment(a, coordinator, expected_version=2)
    services.return_assignment(b, coordinator, expected_version=2, comment="请补充签到表")
    services.submit_progress(c, make_user(c.unit), expected_version=1, text="筹备中", percent=40)
    return campaign, task, coordinator


def test_the_plan_shows_verified_and_reported_progress_and_the_returned_work(world, client):
    campaign, task, coordinator = world
    client.force_login(coordinator)
    page = client.get(reverse("campaigns:plan", args=[campaign.code])).content.decode()
    row = page.split(f'data-task="{task.number}"')[1].split("</tr>")[0]
    # reported: (100 + 100 + 40) / 3 = 80; verified: one of three units = 33 %
    assert 'data-reported="80" data-verified="33"' in row
    assert "已核验 33% · 已填报 80%" in row
    assert 'returned-badge">退回 1</span>' in row


def test_a_task_whose_only_unit_was_returned_is_not_a_green_full_bar(db, client):
    office = make_unit(kind="division")
    campaign = make_campaign(office)
    task = make_task(campaign, units=[make_unit()])
    coordinator = make_user(office, role=Membership.Role.COORDINATOR)
    a = task.assignments.get()
    services.submit_for_verification(a, make_user(a.unit), expected_version=1, text="已完成",
                                     files=[check_upload(photo())])
    services.return_assignment(a, coordinator, expected_version=2, comment="材料不全")
    client.force_login(coordinator)
    plan = client.get(reverse("campaigns:plan", args=[campaign.code])).content.decode()
    assert 'data-reported="100" data-verified="0"' in plan and 'returned-badge">退回 1</span>' in plan
    detail = client.get(reverse("campaigns:task", args=[campaign.code, task.number])).content.decode()
    assert 'data-status="returned"' in detail and "已退回（曾报 100%）" in detail
    assert "bg-success" not in detail.split("<table")[1]


def test_the_dashboard_matrix_and_figures_read_returned_work_as_returned(world, client):
    campaign, task, coordinator = world
    client.force_login(coordinator)
    page = client.get(reverse("campaigns:dashboard", args=[campaign.code])).content.decode()
    matrix = page.split('id="matrix"')[1]
    assert ">退回</a>" in matrix and matrix.count(">100%</a>") == 1  # the verified unit only
    overall = page.split('id="overall-progress"')[1][:1500]
    assert 'data-reported="80" data-verified="33"' in overall and 'returned-badge">退回 1</span>' in overall


def test_the_unit_sees_its_returned_assignment_as_returned(world, client):
    campaign, task, _ = world
    b = task.assignments.get(unit__name="乙局")
    client.force_login(b.unit.memberships.first().user)
    page = client.get(reverse("campaigns:assignment", args=[b.pk])).content.decode()
    assert "已退回（曾报 100%）" in page and "请补充签到表" in page
