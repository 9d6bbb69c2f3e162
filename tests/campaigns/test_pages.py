import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Assignment, Membership, Unit
from tests.factories import make_plan, make_unit, make_user


def test_xining_sees_exactly_its_five_tasks_in_my_tasks(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="xining"))
    response = client.get(reverse("campaigns:my_tasks"))
    rows = [(a.task.number, a.role) for a in response.context["assignments"]]
    assert sorted(rows) == [(3, "co"), (6, "co"), (8, "co"), (11, "lead"), (14, "lead")]
    html = response.content.decode()
    assert "我的任务" in html and "举办西宁市生物医药领域专利信息利用培训班" in html
    assert "逾期" in html  # 2024 deadlines are long past and nothing was reported


def test_province_sees_22_tasks_in_five_sections_on_the_plan(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="province"))
    url = reverse("campaigns:plan", args=["qinghai-2024"])
    response = client.get(url)
    sections = response.context["sections"]
    assert len(sections) == 5
    # One section a page: together the five pages show the 22 tasks, each once.
    shown = []
    for section in sections:
        html = client.get(url, {"section": section.ordinal}).content.decode()
        shown += [int(n) for n in re.findall(r'<tr class="[^"]*" data-task="(\d+)"', html)]
    assert sorted(shown) == list(range(1, 23))
    html = client.get(url, {"section": 3}).content.decode()
    assert "（三）知识产权信息公共服务机构结对帮扶活动" in html
    assert "各市州市场监管局，省局知识产权公共服务处，省局商标品牌处，各知识产权信息公共服务机构" in html


def test_home_sends_coordinator_to_the_plan_and_bureau_to_my_tasks(demo, login, django_user_model):
    client = login(django_user_model.objects.get(username="province"))
    assert client.get("/")["Location"] == reverse("campaigns:plan", args=["qinghai-2024"])
    client = login(django_user_model.objects.get(username="haixi"))
    assert client.get("/")["Location"] == reverse("campaigns:my_tasks")


def test_progress_is_derived_from_assignments_leaving_cancelled_out(db, login):
    office, a, b = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION), make_unit(), make_unit()
    campaign = make_plan(1, office, units=[a, b], sections=1)
    Assignment.objects.filter(unit=a).update(percent=60)
    Assignment.objects.filter(unit=b).update(percent=0, status="cancelled")
    client = login(make_user(office, Membership.Role.COORDINATOR))
    response = client.get(reverse("campaigns:plan", args=[campaign.code]))
    assert response.context["progress"] == 60
    assert response.context["sections"][0].progress == 60


def test_days_left_and_overdue_shown_on_my_tasks(db, login):
    office, bureau = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION), make_unit()
    campaign = make_plan(2, office, units=[bureau], sections=1)
    today = timezone.localdate()
    campaign.tasks.filter(number=1).update(deadline=today + timedelta(days=5))
    campaign.tasks.filter(number=2).update(deadline=today - timedelta(days=3))
    html = login(make_user(bureau)).get(reverse("campaigns:my_tasks")).content.decode()
    assert "剩余 5 天" in html and "逾期 3 天" in html


def test_task_list_filters(db, login):
    office, a, b = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION), make_unit("甲单位"), make_unit("乙单位")
    campaign = make_plan(6, office, units=[a], sections=2)
    today = timezone.localdate()
    campaign.tasks.filter(number=1).update(deadline=today - timedelta(days=1), title="培训讲座")
    campaign.tasks.filter(number=2).update(deadline=today + timedelta(days=3))
    campaign.tasks.filter(number__gte=3).update(deadline=today + timedelta(days=60))
    extra = campaign.tasks.get(number=6)
    Assignment.objects.create(task=extra, unit=b, role="co")
    Assignment.objects.filter(task__number=5).update(status="verified", percent=100)
    client = login(make_user(office, Membership.Role.COORDINATOR))
    url = reverse("campaigns:task_list", args=[campaign.code])

    def numbers(**params):
        return sorted(t.number for t in client.get(url, params).context["page"])

    assert numbers() == [1, 2, 3, 4, 5, 6]
    assert numbers(overdue="true") == [1]
    assert numbers(due_within=7) == [2]
    assert numbers(unit=b.pk) == [6]
    assert numbers(status="verified") == [5]
    assert numbers(q="培训") == [1]
    section = campaign.sections.get(ordinal=1)
    assert numbers(section=section.pk) == sorted(campaign.tasks.filter(section=section).values_list("number", flat=True))


def test_task_list_filter_form_reads_in_chinese_and_survives_absurd_numbers(db, login):
    """“几天内到期” of 3,000,000 days overflowed the date and answered 500; the yes/no filter's
    blank choice read django-filter's 未知."""
    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    campaign = make_plan(3, office, units=[make_unit()])
    client = login(make_user(office, Membership.Role.COORDINATOR))
    url = reverse("campaigns:task_list", args=[campaign.code])
    response = client.get(url, {"due_within": 3000000})
    assert response.status_code == 200
    body = response.content.decode()
    assert "确保该值小于或等于3650" in body
    assert len(response.context["page"]) == 3  # the bad filter is ignored, not applied
    assert '<option value="" selected>全部</option>' in client.get(url).content.decode().split('name="overdue"')[1]
    assert "未知" not in body


def test_task_list_is_paginated(db, login):
    office, bureau = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION), make_unit()
    campaign = make_plan(60, office, units=[bureau])
    client = login(make_user(office, Membership.Role.COORDINATOR))
    first = client.get(reverse("campaigns:task_list", args=[campaign.code]))
    second = client.get(reverse("campaigns:task_list", args=[campaign.code]), {"page": 2})
    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 10


def test_a_filtered_task_list_pages_without_repeating_or_losing_tasks_and_shows_each_task_s_progress(db, login):
    """Each of the 60 tasks matches the status filter through two units: 50 on page 1, 10 on
    page 2, every task once, and the progress on a page is that task's own (loaded for the page)."""
    office, a, b, idle = (make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION), make_unit("甲单位"), make_unit("乙单位"),
                          make_unit("无任务单位"))
    campaign = make_plan(60, office, units=[a, b])
    for task in campaign.tasks.all():
        task.assignments.update(status="in_progress", percent=task.number)
    client = login(make_user(office, Membership.Role.COORDINATOR))
    url = reverse("campaigns:task_list", args=[campaign.code])
    pages = [client.get(url, {"status": "in_progress", "page": n}).context["page"] for n in (1, 2)]
    numbers = [t.number for page in pages for t in page]
    assert numbers == list(range(1, 61))
    assert all(t.progress == t.number for page in pages for t in page)
    # The unit filter offers the units with work in the campaign, and no other.
    choices = {label for _, label in client.get(url).context["filter"].form.fields["unit"].choices}
    assert {"甲单位", "乙单位"} <= choices and "无任务单位" not in choices and idle.name not in choices


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["plan", "task_list", "my_tasks"])
def test_pages_make_the_same_number_of_queries_for_20_and_200_tasks(db, page, login):
    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureaus = [make_unit() for _ in range(3)]
    counts = []
    for size in (20, 200):
        campaign = make_plan(size, office, units=bureaus)
        if page == "my_tasks":
            client, url = login(make_user(bureaus[0])), reverse("campaigns:my_tasks")
            Assignment.objects.exclude(task__campaign=campaign).delete()
        else:
            client = login(make_user(office, Membership.Role.COORDINATOR))
            url = reverse(f"campaigns:{page}", args=[campaign.code])
        counts.append(_queries(client, url))
    assert counts[0] == counts[1], counts
