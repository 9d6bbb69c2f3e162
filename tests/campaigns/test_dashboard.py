"""The coordinator's dashboard and the unit's to-do page."""
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns import services
from campaigns.evidence import check_upload
from campaigns.models import Assignment, Membership, ProgressReport, Unit
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


def todo_numbers(response):
    return [a.task.number for a in response.context["todo"]]


def test_unit_dashboard_lists_returned_first_then_late_then_due(db, login, media):
    campaign, coordinator, reporter, bureaus = build(20)
    submitted = Assignment.objects.get(unit=bureaus[0], status="submitted")
    services.return_assignment(submitted, coordinator, expected_version=submitted.version, comment="照片看不清，请重传")
    client = login(reporter)
    response = client.get(reverse("campaigns:unit_dashboard"))
    # Task 2 was returned (it is late too), tasks 1-5 are late, 18-20 due in three days.
    assert todo_numbers(response) == [2, 1, 3, 4, 5, 18, 19, 20]
    assert response.context["todo"][0].last_return.text == "照片看不清，请重传"
    counts = response.context["counts"]
    assert (counts["todo"], counts["returned"], counts["overdue"], counts["due_soon"], counts["waiting"]) == (8, 1, 5, 3, 0)
    assert counts["total"] == 20
    html = response.content.decode()
    assert "照片看不清，请重传" in html
    # another unit's work is not on it
    assert all(a.unit_id == bureaus[0].pk for a in response.context["todo"])
    # The kinds are filters of the same list.
    assert todo_numbers(client.get(reverse("campaigns:unit_dashboard"), {"status": "returned"})) == [2]
    assert todo_numbers(client.get(reverse("campaigns:unit_dashboard"), {"deadline": "due_soon"})) == [18, 19, 20]
    assert todo_numbers(client.get(reverse("campaigns:unit_dashboard"), {"q": "19"})) == [19]


def test_unit_dashboard_keeps_work_waiting_for_verification_and_activities_to_confirm(db, login, media):
    from pairing.models import MentoringActivity, Pairing

    campaign, coordinator, reporter, bureaus = build(20)
    waiting = Assignment.objects.get(unit=bureaus[0], status="submitted")
    mentor = make_unit(ordinal=80)
    pairing = Pairing.objects.create(campaign=campaign, mentor=mentor, mentee=bureaus[0], status=Pairing.Status.ACTIVE)
    MentoringActivity.objects.create(pairing=pairing, date=timezone.localdate(), kind="training", participants=5,
                                     summary="检索培训", logged_by_unit=mentor)
    response = login(reporter).get(reverse("campaigns:unit_dashboard"), {"status": "submitted"})
    assert [a.pk for a in response.context["todo"]] == [waiting.pk]
    html = response.content.decode()
    assert "待本单位确认" in html[html.index('id="activities-to-confirm"'):]


def test_unit_dashboard_comes_fifty_a_page(db, login, media):
    campaign, _, reporter, bureaus = build(200)
    # Tasks 1-50 are late (one of them submitted, waiting), 198-200 due soon: 53 to do.
    expected = set(
        Assignment.objects.filter(unit=bureaus[0]).filter(
            Q(task__number__lte=50) | Q(task__number__gt=197)
        ).values_list("pk", flat=True)
    )
    client = login(reporter)
    first = client.get(reverse("campaigns:unit_dashboard"))
    assert first.context["counts"]["todo"] == 53
    assert len(first.context["todo"]) == 50
    assert first.context["page"].has_next()
    html = first.content.decode()
    assert "page=2#todo" in html
    second = client.get(reverse("campaigns:unit_dashboard"), {"page": 2})
    assert len(second.context["todo"]) == 3
    # The 49 late ones first, then due soon (198 ends page 1), the submitted one waiting last.
    assert todo_numbers(first)[-2:] == [50, 198]
    assert todo_numbers(second) == [199, 200, 2]
    assert {a.pk for a in first.context["todo"]} | {a.pk for a in second.context["todo"]} == expected
    # A filter is kept on the next page's link.
    campaign.tasks.filter(number__range=(101, 170)).update(deadline=timezone.localdate() + timedelta(days=2))
    soon = client.get(reverse("campaigns:unit_dashboard"), {"deadline": "due_soon"})
    assert soon.context["page"].paginator.count == 73 and len(soon.context["todo"]) == 50
    assert "deadline=due_soon&amp;page=2#todo" in soon.content.decode()
    rest = client.get(reverse("campaigns:unit_dashboard"), {"deadline": "due_soon", "page": 2})
    assert todo_numbers(rest)[-3:] == [198, 199, 200] and len(rest.context["todo"]) == 23


def test_unit_dashboard_queries_do_not_grow_with_tasks(db, login, media):
    counts = []
    for n in (20, 200):
        _, _, reporter, _ = build(n)
        client = login(reporter)
        for query in ({}, {"page": 2}):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("campaigns:unit_dashboard"), query).status_code == 200
            counts.append(len(ctx.captured_queries))
    # Page 2 of the small unit's to-do is its (only) first page again.
    assert counts[0] == counts[1] == counts[2] == counts[3]


def test_the_latest_reports_are_the_campaigns_newest_and_only_its_own(db, login, media):
    campaign, coordinator, reporter, bureaus = build(20)
    other, other_coordinator, other_reporter, _ = build(4)
    mine = Assignment.objects.filter(task__campaign=campaign, unit=bureaus[0]).order_by("task__number")
    newest = []
    for a in mine.exclude(status="submitted")[:16]:
        a.refresh_from_db()
        newest.append(services.submit_progress(a, reporter, expected_version=a.version, text=f"最新{a.pk}", percent=60))
    elsewhere = Assignment.objects.filter(task__campaign=other).first()
    services.submit_progress(elsewhere, other_reporter, expected_version=elsewhere.version, text="别的活动", percent=10)
    recent = login(coordinator).get(reverse("campaigns:dashboard", args=[campaign.code])).context["recent"]
    assert [r.pk for r in recent] == [r.pk for r in reversed(newest)][:15]
    assert {r.campaign_id for r in recent} == {campaign.pk}


def test_a_report_keeps_its_campaign_however_it_is_written(db, media):
    campaign, coordinator, reporter, bureaus = build(4)
    a = Assignment.objects.filter(task__campaign=campaign).first()
    saved = ProgressReport.objects.create(assignment_id=a.pk, author=reporter, text="直接写入", status="in_progress")
    bulk = ProgressReport.objects.bulk_create(
        [ProgressReport(assignment=a, author=reporter, text="批量", status="in_progress")]
    )
    assert saved.campaign_id == bulk[0].campaign_id == campaign.pk
    assert ProgressReport.objects.filter(campaign=campaign).count() == ProgressReport.objects.filter(
        assignment__task__campaign=campaign).count()


def test_the_dashboard_lists_the_first_50_pending_adjustments_and_counts_them_all(db, login, media):
    campaign, coordinator, _, bureaus = build(60)
    second = make_user(bureaus[1])
    for a in Assignment.objects.filter(task__campaign=campaign, unit=bureaus[1]):
        services.request_adjustment(a, second, kind="deadline", reason="顺延",
                                    proposed_deadline=timezone.localdate() + timedelta(days=40))
    response = login(coordinator).get(reverse("campaigns:dashboard", args=[campaign.code]))
    assert response.context["adjustment_count"] == 70  # every sixth task of the first bureau (10), all 60 of the second's
    assert len(response.context["adjustments"]) == 50
    html = response.content.decode()
    assert "还有 20 项（较晚提交的），审核完以上各项后依次显示。" in html
    # The oldest first: the first bureau's (filed in build) lead the list.
    assert [r.assignment.unit_id for r in response.context["adjustments"][:11]] == [bureaus[0].pk] * 10 + [bureaus[1].pk]


def test_work_without_a_deadline_comes_after_dated_work_of_its_kind(db, login, media):
    campaign, _, reporter, bureaus = build(20)
    undated = Assignment.objects.get(task__campaign=campaign, unit=bureaus[0], task__number=10)
    undated.task.deadline = None
    undated.task.save()
    Assignment.objects.filter(pk=undated.pk).update(status=Assignment.Status.SUBMITTED)
    response = login(reporter).get(reverse("campaigns:unit_dashboard"), {"status": "submitted"})
    assert todo_numbers(response) == [2, 10]
