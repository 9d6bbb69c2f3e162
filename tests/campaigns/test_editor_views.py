"""The editor's pages: only the campaign's coordinators reach them; what they post goes
through the editor services; refused requests leave the database unchanged."""
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign, Membership, Task, Unit, UnitGroup
from tests.campaigns.test_editor import snapshot
from tests.factories import make_campaign, make_section, make_task, make_unit, make_user


@pytest.fixture
def world(db):
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    other_office = make_unit("外省公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    xining = make_unit("西宁市市场监管局", ordinal=1)
    haidong = make_unit("海东市市场监管局", ordinal=2)
    group = UnitGroup.objects.create(name="各市州市场监管局")
    group.members.set([xining, haidong])
    campaign = make_campaign(office, code="qh", status=Campaign.Status.ACTIVE)
    section = make_section(campaign, 1, "活动启动")
    task = make_task(campaign, section=section, units=[office, xining], deadline=date(2024, 6, 28))
    return {
        "campaign": campaign, "section": section, "task": task, "office": office, "xining": xining,
        "coordinator": make_user(office, Membership.Role.COORDINATOR),
        "viewer": make_user(office, Membership.Role.VIEWER),
        "bureau": make_user(xining),
        "stranger": make_user(make_unit("果洛州市场监管局")),
        "other_coordinator": make_user(other_office, Membership.Role.COORDINATOR),
    }


def write_urls(w):
    code, task, section = w["campaign"].code, w["task"], w["section"]
    return [
        (reverse("campaigns:editor_header", args=[code]), {"title": "改", "starts_on": "2024-04-01",
                                                           "ends_on": "2024-09-30", "summary_due": "2024-09-30"}),
        (reverse("campaigns:editor_section_add", args=[code]), {"title": "新安排"}),
        (reverse("campaigns:editor_section", args=[code, section.pk]), {"action": "rename", "title": "改名"}),
        (reverse("campaigns:editor_task_add", args=[code]), {"section": section.pk, "title": "新任务",
                                                             "units": "西宁市市场监管局"}),
        (reverse("campaigns:editor_task", args=[code, task.pk]), {"section": section.pk, "title": "改",
                                                                  "units": "西宁市市场监管局"}),
        (reverse("campaigns:editor_task_change", args=[code, task.pk]), {"action": "remove"}),
        (reverse("campaigns:editor_deadlines", args=[code]), {"action": "shift", "task": [task.pk], "shift_days": 3}),
        (reverse("campaigns:close", args=[code]), {}),
        (reverse("campaigns:copy", args=[code]), {"title": "x", "code": "copied", "interval": "year"}),
    ]


@pytest.mark.parametrize("who, status", [("bureau", 403), ("viewer", 403), ("stranger", 404), ("other_coordinator", 404)])
def test_only_the_campaigns_coordinators_may_edit_and_refusals_change_nothing(world, login, who, status):
    client = login(world[who])
    before = snapshot(world["campaign"])
    assert client.get(reverse("campaigns:editor", args=["qh"])).status_code == status
    for url, data in write_urls(world):
        assert client.post(url, data).status_code == status, url
    assert snapshot(world["campaign"]) == before
    assert Campaign.objects.count() == 1


def test_a_unit_sees_no_editor_buttons_on_the_plan(world, login):
    page = login(world["bureau"]).get(reverse("campaigns:plan", args=["qh"])).content.decode()
    assert "编辑方案" not in page and "结束活动" not in page and "复制为新方案" not in page


def test_the_coordinator_sees_the_lifecycle_buttons_on_the_plan(world, login):
    page = login(world["coordinator"]).get(reverse("campaigns:plan", args=["qh"])).content.decode()
    assert "编辑方案" in page and "结束活动" in page and "复制为新方案" in page


def test_the_editor_page_costs_a_fixed_number_of_queries(world, login):
    client = login(world["coordinator"])
    url = reverse("campaigns:editor", args=["qh"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(20):
        make_task(world["campaign"], section=world["section"], units=[world["office"], world["xining"]])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_a_task_added_in_the_editor_takes_units_written_as_in_the_notice(world, login):
    client = login(world["coordinator"])
    response = client.post(reverse("campaigns:editor_task_add", args=["qh"]), {
        "section": world["section"].pk, "title": "开展实地调研", "units": "省局知识产权公共服务处，各市州市场监管局",
        "deadline": "2024-07-31", "purpose": "", "reason": "",
    })
    assert response.status_code == 302
    task = Task.objects.for_plan().get(campaign=world["campaign"], title="开展实地调研")
    assert task.responsible_display() == "省局知识产权公共服务处，各市州市场监管局"
    assert task.deadline == date(2024, 7, 31)


def test_an_unknown_unit_in_the_form_is_shown_with_a_suggestion_and_nothing_is_added(world, login):
    client = login(world["coordinator"])
    before = snapshot(world["campaign"])
    response = client.post(reverse("campaigns:editor_task_add", args=["qh"]), {
        "section": world["section"].pk, "title": "x", "units": "西宁市市场监督局",
    })
    assert response.status_code == 400
    assert "是否为“西宁市市场监管局”" in response.content.decode()
    assert snapshot(world["campaign"]) == before


def test_inline_deadlines_save_only_what_changed(world, login):
    w = world
    other = make_task(w["campaign"], section=w["section"], units=[w["office"]], deadline=date(2024, 8, 1))
    client = login(w["coordinator"])
    response = client.post(reverse("campaigns:editor_deadlines", args=["qh"]), {
        "action": "inline", f"deadline-{w['task'].pk}": "2024-07-05", f"deadline-{other.pk}": "2024-08-01",
        "reason": "统一调整",
    })
    assert response.status_code == 302
    assert Task.objects.get(pk=w["task"].pk).deadline == date(2024, 7, 5)
    assert Task.objects.get(pk=other.pk).history.count() == 1  # untouched


def test_a_malformed_date_is_refused_in_chinese_and_nothing_changes(world, login):
    client = login(world["coordinator"])
    before = snapshot(world["campaign"])
    response = client.post(reverse("campaigns:editor_deadlines", args=["qh"]),
                           {"action": "inline", f"deadline-{world['task'].pk}": "2024-13-40"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["日期“2024-13-40”格式不正确，应为 年-月-日。"]
    assert snapshot(world["campaign"]) == before


def test_publishing_a_draft_with_gaps_lists_them_on_the_page(world, login):
    w = world
    draft = make_campaign(w["office"], code="draft", status=Campaign.Status.DRAFT)
    make_task(draft, title="缺时限", units=[w["office"]], deadline=None)
    client = login(w["coordinator"])
    response = client.post(reverse("campaigns:publish", args=["draft"]), follow=True)
    assert "任务1“缺时限”缺少完成时限" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_closing_then_reopening_from_the_plan_page(world, login):
    client = login(world["coordinator"])
    client.post(reverse("campaigns:close", args=["qh"]))
    world["campaign"].refresh_from_db()
    assert world["campaign"].status == "closed"
    page = client.get(reverse("campaigns:editor", args=["qh"])).content.decode()
    assert "已结束，只能查看和下载" in page and "deadlines-form" not in page
    client.post(reverse("campaigns:reopen", args=["qh"]), {"reason": ""})
    world["campaign"].refresh_from_db()
    assert world["campaign"].status == "closed"
    client.post(reverse("campaigns:reopen", args=["qh"]), {"reason": "补报材料"})
    world["campaign"].refresh_from_db()
    assert world["campaign"].status == "active"


def test_a_closed_campaign_stays_viewable_and_downloadable(world, login):
    world["campaign"].status = Campaign.Status.CLOSED
    world["campaign"].save()
    client = login(world["bureau"])
    assert client.get(reverse("campaigns:plan", args=["qh"])).status_code == 200
    assert client.get(reverse("campaigns:task", args=["qh", world["task"].number])).status_code == 200
    export = client.get(reverse("campaigns:export", args=["qh", "assignments", "xlsx"]))
    assert export.status_code == 200


def test_copy_to_next_year_from_the_page(world, login):
    client = login(world["coordinator"])
    form = client.get(reverse("campaigns:copy", args=["qh"])).content.decode()
    assert "qh-2025" in form
    response = client.post(reverse("campaigns:copy", args=["qh"]), {
        "title": "2025年方案", "code": "qh-2025", "document_number": "青市监函〔2025〕1号", "interval": "year",
    })
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:editor", args=["qh-2025"])
    new = Campaign.objects.get(code="qh-2025")
    assert new.status == "draft"
    assert new.tasks.get().deadline == date(2025, 6, 28)


def test_copy_by_a_chosen_number_of_days(world, login):
    client = login(world["coordinator"])
    client.post(reverse("campaigns:copy", args=["qh"]), {"title": "t", "code": "qh-b", "interval": "days", "days": 7})
    assert Campaign.objects.get(code="qh-b").tasks.get().deadline == date(2024, 7, 5)


def test_a_coordinator_creates_a_campaign_without_the_admin(world, login):
    client = login(world["coordinator"])
    response = client.post(reverse("campaigns:campaign_new"), {
        "title": "2025年市州行", "code": "qh-new", "coordinating_unit": world["office"].pk,
        "starts_on": "2025-04-01", "ends_on": "2025-09-30", "summary_due": "2025-09-30",
    })
    assert response.status_code == 302
    assert Campaign.objects.get(code="qh-new").status == "draft"


def test_a_unit_reporter_cannot_create_a_campaign(world, login):
    client = login(world["bureau"])
    assert client.get(reverse("campaigns:campaign_new")).status_code == 403
    assert client.post(reverse("campaigns:campaign_new"), {
        "title": "x", "code": "qh-x", "coordinating_unit": world["xining"].pk,
        "starts_on": "2025-04-01", "ends_on": "2025-09-30", "summary_due": "2025-09-30",
    }).status_code == 403
    assert not Campaign.objects.filter(code="qh-x").exists()


def test_the_unit_sees_on_its_page_that_a_removed_task_was_cancelled_and_why(world, login, client):
    from campaigns import services

    w = world
    mine = w["task"].assignments.get(unit=w["xining"])
    services.submit_progress(mine, w["bureau"], expected_version=mine.version, text="已筹备", percent=30)
    login(w["coordinator"]).post(reverse("campaigns:editor_task_change", args=["qh", w["task"].pk]),
                                 {"action": "remove", "reason": "并入任务5"})
    assert Task.objects.filter(pk=w["task"].pk).exists()
    client.logout()
    page = login(w["bureau"]).get(reverse("campaigns:assignment", args=[mine.pk])).content.decode()
    assert "协调人取消了本单位在该任务中的分工" in page and "并入任务5" in page and "已筹备" in page


def test_saving_a_demo_task_form_unchanged_changes_nothing(demo, login, django_user_model):
    from campaigns.models import Assignment, Task

    task = Task.objects.get(campaign=demo, number=11)
    before = list(Assignment.objects.filter(task=task).order_by("pk").values_list(
        "pk", "unit_id", "role", "via_group_id", "position", "status"))
    history = Assignment.history.filter(task_id=task.pk).count()
    client = login(django_user_model.objects.get(username="province"))
    url = reverse("campaigns:editor_task", args=[demo.code, task.pk])
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["deadline"] = task.deadline.isoformat()
    assert 'value="2024-06-28"' in client.get(url).content.decode()  # the date picker shows the deadline
    assert client.post(url, data).status_code == 302
    after = list(Assignment.objects.filter(task=task).order_by("pk").values_list(
        "pk", "unit_id", "role", "via_group_id", "position", "status"))
    assert after == before
    assert Assignment.history.filter(task_id=task.pk).count() == history
    assert Task.objects.get(pk=task.pk).history.count() == 1


def test_the_header_form_saves_content_areas_written_one_per_line(world, login):
    client = login(world["coordinator"])
    response = client.post(reverse("campaigns:editor_header", args=["qh"]), {
        "title": "2024年市州行", "document_number": "青市监函〔2024〕144号", "issuing_authority": "青海省市场监督管理局",
        "starts_on": "2024-04-01", "ends_on": "2024-09-30", "summary_due": "2024-09-30", "theme": "服务到市州",
        "content_areas": "摸清底数：开展摸底调研\n\n结对帮扶:共同服务", "reason": "按正式印发稿",
    })
    assert response.status_code == 302
    campaign = Campaign.objects.get(code="qh")
    assert campaign.content_areas == [{"title": "摸清底数", "text": "开展摸底调研"},
                                      {"title": "结对帮扶", "text": "共同服务"}]
    assert campaign.history.first().history_change_reason == "修改活动方案信息：按正式印发稿"
    form = client.get(reverse("campaigns:editor_header", args=["qh"])).content.decode()
    assert "摸清底数：开展摸底调研" in form and 'value="2024-04-01"' in form


def test_a_task_moves_to_another_section_and_sections_reorder_from_the_page(world, login):
    w = world
    later = make_section(w["campaign"], 2, "宣传推广")
    client = login(w["coordinator"])
    client.post(reverse("campaigns:editor_task_change", args=["qh", w["task"].pk]),
                {"action": "move", "section": later.pk})
    assert Task.objects.get(pk=w["task"].pk).section == later
    client.post(reverse("campaigns:editor_section", args=["qh", later.pk]), {"action": "up"})
    assert list(w["campaign"].sections.order_by("ordinal").values_list("title", flat=True)) == ["宣传推广", "活动启动"]


def test_a_section_of_another_campaign_cannot_be_reached_from_this_one(world, login):
    other = make_campaign(world["office"], code="other")
    foreign = make_section(other, 1, "别处")
    client = login(world["coordinator"])
    before = snapshot(world["campaign"])
    assert client.post(reverse("campaigns:editor_task_change", args=["qh", world["task"].pk]),
                       {"action": "move", "section": foreign.pk}).status_code == 404
    assert client.post(reverse("campaigns:editor_section", args=["qh", foreign.pk]),
                       {"action": "remove"}).status_code == 404
    assert snapshot(world["campaign"]) == before
    assert other.sections.count() == 1
