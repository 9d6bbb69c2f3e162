"""Pages bounded by what a person reads: the plan and the dashboard's matrix show one section
with counts for the others; 我的任务 is paginated and filtered."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns import lifecycle
from campaigns.models import Assignment, Membership, Unit
from tests.factories import make_campaign, make_plan, make_section, make_task, make_unit, make_user


def shown_tasks(html):
    return sorted(int(n) for n in re.findall(r'<tr[^>]* data-task="(\d+)"', html))


@pytest.fixture
def world(db):
    """Five sections of 8 tasks (task n in section n % 5 + 1), three bureaus each; some late, some done."""
    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureaus = [make_unit(ordinal=10 + i) for i in range(3)]
    campaign = make_plan(40, office, units=bureaus)
    today = lifecycle.today()
    campaign.tasks.update(deadline=today + timedelta(days=60))
    # Late: tasks 3, 8, 13 (section 4) and 5 (section 1); the deadline day itself is not late.
    campaign.tasks.filter(number__in=[3, 8, 13, 5]).update(deadline=today - timedelta(days=1))
    campaign.tasks.filter(number=18).update(deadline=today)
    # Done: two assignments of task 3 (no longer late), one verified in section 2.
    Assignment.objects.filter(task__campaign=campaign, task__number=3, unit__in=bureaus[:2]).update(
        status=Assignment.Status.SUBMITTED, percent=100)
    Assignment.objects.filter(task__campaign=campaign, task__number=6, unit=bureaus[0]).update(
        status=Assignment.Status.VERIFIED, percent=100)
    coordinator = make_user(office, Membership.Role.COORDINATOR)
    return {"campaign": campaign, "bureaus": bureaus, "coordinator": coordinator, "today": today}


def direct_counts(campaign, today):
    """Per section ordinal: (tasks, overdue assignments, done assignments), counted plainly."""
    result = {}
    for section in campaign.sections.all():
        tasks = list(section.tasks.all())
        assignments = [a for t in tasks for a in t.assignments.all()]
        overdue = sum(1 for a in assignments if a.status in {"not_started", "in_progress", "returned"}
                      and a.task.deadline < today)
        done = sum(1 for a in assignments if a.status in {"submitted", "verified"})
        result[section.ordinal] = (len(tasks), overdue, done)
    return result


def test_the_plan_shows_the_first_section_only_by_default(world, login):
    client = login(world["coordinator"])
    html = client.get(reverse("campaigns:plan", args=[world["campaign"].code])).content.decode()
    assert shown_tasks(html) == [5, 10, 15, 20, 25, 30, 35, 40]


def test_the_plan_shows_the_chosen_section_only(world, login):
    client = login(world["coordinator"])
    response = client.get(reverse("campaigns:plan", args=[world["campaign"].code]), {"section": 4})
    assert response.context["section"].ordinal == 4
    assert shown_tasks(response.content.decode()) == [3, 8, 13, 18, 23, 28, 33, 38]


def test_an_unknown_section_falls_back_to_the_first(world, login):
    client = login(world["coordinator"])
    response = client.get(reverse("campaigns:plan", args=[world["campaign"].code]), {"section": "九"})
    assert response.status_code == 200 and response.context["section"].ordinal == 1


def test_the_tabs_count_tasks_overdue_and_done_of_every_section(world, login):
    client = login(world["coordinator"])
    response = client.get(reverse("campaigns:plan", args=[world["campaign"].code]))
    expected = direct_counts(world["campaign"], world["today"])
    got = {s.ordinal: (s.task_count, s.overdue_count, s.done_count) for s in response.context["sections"]}
    assert got == expected
    assert expected[4] == (8, 7, 2) and expected[1] == (8, 3, 0)  # task 18 is due today: not late
    html = response.content.decode()
    assert "逾期 7" in html and "完成 2/24" in html
    assert 'href="?section=4#sections"' in html


def test_the_plan_still_shows_the_whole_campaigns_progress(world, login):
    Assignment.objects.filter(task__campaign=world["campaign"]).update(percent=50)
    client = login(world["coordinator"])
    response = client.get(reverse("campaigns:plan", args=[world["campaign"].code]), {"section": 2})
    assert response.context["task_count"] == 40
    assert response.context["progress"] == 50


def test_the_dashboard_opens_on_the_section_with_the_most_overdue_work(world, login):
    client = login(world["coordinator"])
    response = client.get(reverse("campaigns:dashboard", args=[world["campaign"].code]))
    assert response.context["section"].ordinal == 4
    assert shown_tasks(response.content.decode()) == [3, 8, 13, 18, 23, 28, 33, 38]
    # The lists still cover the whole campaign.
    assert response.context["overdue_count"] == 10 == len(response.context["overdue"])


def test_the_dashboard_matrix_shows_the_chosen_section(world, login):
    client = login(world["coordinator"])
    response = client.get(reverse("campaigns:dashboard", args=[world["campaign"].code]), {"section": 2})
    assert shown_tasks(response.content.decode()) == [1, 6, 11, 16, 21, 26, 31, 36]
    counts = {s.ordinal: (s.task_count, s.overdue_count, s.done_count) for s in response.context["sections"]}
    assert counts == direct_counts(world["campaign"], world["today"])


def test_without_overdue_work_the_dashboard_opens_on_the_first_section(world, login):
    world["campaign"].tasks.update(deadline=world["today"] + timedelta(days=5))
    client = login(world["coordinator"])
    response = client.get(reverse("campaigns:dashboard", args=[world["campaign"].code]))
    assert response.context["section"].ordinal == 1


def test_the_dashboard_lists_show_fifty_and_count_the_rest(db, login):
    office, bureau = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION), make_unit()
    campaign = make_plan(60, office, units=[bureau])
    campaign.tasks.update(deadline=lifecycle.today() - timedelta(days=3))
    response = login(make_user(office, Membership.Role.COORDINATOR)).get(
        reverse("campaigns:dashboard", args=[campaign.code]))
    assert len(response.context["overdue"]) == 50 and response.context["overdue_count"] == 60
    assert "还有 10 项" in response.content.decode()


@pytest.mark.parametrize("page", ["plan", "dashboard"])
def test_section_pages_make_the_same_number_of_queries_for_20_and_200_tasks(db, page, login):
    counts = []
    for size in (20, 200):
        office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
        campaign = make_plan(size, office, units=[make_unit() for _ in range(3)])
        campaign.tasks.filter(number__lte=size // 3).update(deadline=lifecycle.today() - timedelta(days=1))
        client = login(make_user(office, Membership.Role.COORDINATOR))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(f"campaigns:{page}", args=[campaign.code]), {"section": 3})
        assert len(shown_tasks(response.content.decode())) == size // 5
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- 我的任务


@pytest.fixture
def busy_bureau(db):
    """A bureau with 120 assignments in one campaign (sections 1-5), and one in another campaign."""
    office, bureau = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION), make_unit("甲市局")
    campaign = make_plan(120, office, units=[bureau])
    today = lifecycle.today()
    campaign.tasks.update(deadline=today + timedelta(days=90))
    campaign.tasks.filter(number__lte=7).update(deadline=today - timedelta(days=1))
    campaign.tasks.filter(number__in=[8, 9]).update(deadline=today + timedelta(days=2))
    campaign.tasks.filter(number=10).update(deadline=today)
    Assignment.objects.filter(task__number__in=[11, 12]).update(status=Assignment.Status.RETURNED)
    other = make_campaign(office, title="另一项活动")
    make_task(other, section=make_section(other, 1), number=1, units=[bureau], title="专利导航培训",
              deadline=today + timedelta(days=30))
    return {"bureau": bureau, "reporter": make_user(bureau), "campaign": campaign, "other": other}


def my_numbers(response):
    return sorted((a.task.campaign_id, a.task.number) for a in response.context["page"])


def test_my_tasks_shows_fifty_a_page(busy_bureau, login):
    client = login(busy_bureau["reporter"])
    url = reverse("campaigns:my_tasks")
    pages = [client.get(url, {"page": n}) for n in (1, 2, 3)]
    assert [len(p.context["page"]) for p in pages] == [50, 50, 21]
    seen = [key for p in pages for key in my_numbers(p)]
    assert len(set(seen)) == 121
    assert "第 3 / 3 页" in pages[2].content.decode()


def test_my_tasks_filters_overdue_with_the_deadline_day_not_late(busy_bureau, login):
    response = login(busy_bureau["reporter"]).get(reverse("campaigns:my_tasks"), {"deadline": "overdue"})
    assert [n for _, n in my_numbers(response)] == [1, 2, 3, 4, 5, 6, 7]


def test_my_tasks_filters_due_soon(busy_bureau, login, settings):
    settings.REMINDER_DAYS = 7
    response = login(busy_bureau["reporter"]).get(reverse("campaigns:my_tasks"), {"deadline": "due_soon"})
    assert [n for _, n in my_numbers(response)] == [8, 9, 10]


def test_my_tasks_filters_status_section_and_text(busy_bureau, login):
    client, url = login(busy_bureau["reporter"]), reverse("campaigns:my_tasks")
    assert [n for _, n in my_numbers(client.get(url, {"status": "returned"}))] == [11, 12]
    section = busy_bureau["campaign"].sections.get(ordinal=2)
    in_section = my_numbers(client.get(url, {"section": section.pk}))
    assert [n for _, n in in_section] == list(range(1, 121, 5))
    assert my_numbers(client.get(url, {"q": "专利导航"})) == [(busy_bureau["other"].pk, 1)]
    # Filters and pages combine: the next-page link keeps the filter.
    html = client.get(url, {"status": "not_started"}).content.decode()
    assert "?status=not_started&page=2" in html


def test_my_tasks_filters_never_reach_beyond_the_users_own_units(busy_bureau, login):
    other_bureau = make_unit("乙市局")
    make_task(busy_bureau["campaign"], section=busy_bureau["campaign"].sections.first(), number=500,
              units=[other_bureau], title="专利导航乙")
    response = login(busy_bureau["reporter"]).get(reverse("campaigns:my_tasks"), {"q": "专利导航"})
    assert my_numbers(response) == [(busy_bureau["other"].pk, 1)]
    # A section of a campaign the user has no work in is not offered, and is refused.
    foreign = make_campaign(make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION))
    foreign_section = make_section(foreign, 1)
    response = login(busy_bureau["reporter"]).get(reverse("campaigns:my_tasks"), {"section": foreign_section.pk})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()


def test_my_tasks_says_when_nothing_matches(busy_bureau, login):
    html = login(busy_bureau["reporter"]).get(reverse("campaigns:my_tasks"), {"q": "不存在的任务"}).content.decode()
    assert "没有符合条件的任务" in html


def test_a_large_section_comes_a_page_of_tasks_at_a_time(db, login):
    office, bureau = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION), make_unit()
    campaign = make_plan(120, office, units=[bureau], sections=1)
    client = login(make_user(office, Membership.Role.COORDINATOR))
    plan_url = reverse("campaigns:plan", args=[campaign.code])
    first, third = client.get(plan_url), client.get(plan_url, {"section": 1, "page": 3})
    assert shown_tasks(first.content.decode()) == list(range(1, 51))
    assert shown_tasks(third.content.decode()) == list(range(101, 121))
    assert 'href="?section=1&amp;page=2#sections"' in first.content.decode()
    dashboard_url = reverse("campaigns:dashboard", args=[campaign.code])
    pages = [shown_tasks(client.get(dashboard_url, {"section": 1, "page": n}).content.decode()) for n in (1, 2, 3)]
    assert pages == [list(range(1, 51)), list(range(51, 101)), list(range(101, 121))]
