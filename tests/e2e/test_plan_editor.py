"""The office runs its own plan in the browser: from nothing to published, closed and copied."""
from datetime import date

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def add_task(page, title, units, pick=None):
    page.fill("#id_title", title)
    page.fill("#id_units", units)
    if pick:
        page.select_option("#unit-picker", pick)  # picked from the directory, appended by plan-editor.js
    page.click("button[name=another]")
    page.wait_for_load_state("networkidle")
    assert "已新增任务" in page.content()


def test_province_authors_publishes_closes_and_copies_a_plan_without_the_admin(page, browser, demo_site):
    from campaigns.models import Campaign, Task

    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, demo_site, "province")
    page.goto(f"{demo_site}/campaigns/")
    page.click("text=新建活动方案 >> nth=0")
    page.fill("#id_title", "2025年知识产权公共服务市州行活动方案")
    page.fill("#id_code", "qinghai-2025")
    page.fill("#id_document_number", "青市监函〔2025〕18号")
    page.fill("#id_starts_on", "2025-04-01")
    page.fill("#id_ends_on", "2025-09-30")
    page.fill("#id_summary_due", "2025-09-30")
    page.click("button:has-text('新建（草稿）')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/campaigns/qinghai-2025/edit/")

    for title in ("活动启动", "宣传推广"):
        page.fill("#new-section", title)
        page.click("button:has-text('添加活动安排')")
        page.wait_for_load_state("networkidle")

    page.click("section[data-section='活动启动'] >> text=添加任务")
    add_task(page, "发布活动方案并正式启动", "省局知识产权公共服务处")
    add_task(page, "向各市州发放基础摸底调研问卷", "省局知识产权公共服务处，各市州市场监管局")
    page.select_option("#id_section", label="（二）宣传推广")
    add_task(page, "在西宁市开展知识产权宣传周活动", "省局知识产权保护处", pick="西宁市市场监管局")
    page.goto(f"{demo_site}/campaigns/qinghai-2025/edit/")

    campaign = Campaign.objects.get(code="qinghai-2025")
    third = Task.objects.for_plan().get(campaign=campaign, number=3)
    assert third.responsible_display() == "省局知识产权保护处，西宁市市场监管局"
    assert Task.objects.get(campaign=campaign, number=2).assignments.count() == 9  # the office and eight bureaus

    # Publishing before deadlines are set is refused, saying what is missing.
    page.click("[data-lifecycle] button:has-text('发布')")
    page.wait_for_load_state("networkidle")
    assert "任务1“发布活动方案并正式启动”缺少完成时限" in page.content()
    campaign.refresh_from_db()
    assert campaign.status == "draft"

    # A unit sees none of it while it is a draft.
    xining = browser.new_context(locale="zh-CN").new_page()
    log_in(xining, demo_site, "xining")
    xining.goto(f"{demo_site}/my/")
    assert "向各市州发放基础摸底调研问卷" not in xining.content()
    xining.goto(f"{demo_site}/campaigns/")
    assert campaign.title not in xining.content()
    response = xining.goto(f"{demo_site}/campaigns/{campaign.code}/")
    assert response.status == 404

    # Deadlines in bulk: all three tasks, one date; then the last one shifted by a week.
    page.check("[data-select-all]")
    page.fill("#bulk-deadline", "2025-06-30")
    page.fill("#edit-reason", "按厅务会安排")
    page.click("button[name=action][value=set]")
    page.wait_for_load_state("networkidle")
    assert "已修改 3 项任务的完成时限" in page.content()
    page.check(f"input[data-task-check][value='{third.pk}']")
    page.fill("#shift-days", "7")
    page.click("button[name=action][value=shift]")
    page.wait_for_load_state("networkidle")
    deadlines = dict(Task.objects.filter(campaign=campaign).values_list("number", "deadline"))
    assert deadlines == {1: date(2025, 6, 30), 2: date(2025, 6, 30), 3: date(2025, 7, 7)}

    page.click("[data-lifecycle] button:has-text('发布')")
    page.wait_for_load_state("networkidle")
    assert "已发布" in page.content()
    campaign.refresh_from_db()
    assert campaign.status == "active"

    xining.goto(f"{demo_site}/my/")
    assert "向各市州发放基础摸底调研问卷" in xining.content()
    assert "在西宁市开展知识产权宣传周活动" in xining.content()
    xining.goto(f"{demo_site}/campaigns/qinghai-2025/")
    assert "编辑方案" not in xining.content()
    xining.context.close()

    # Closing makes the plan read-only for the editor too.
    page.click("[data-lifecycle] button:has-text('结束活动')")
    page.wait_for_load_state("networkidle")
    campaign.refresh_from_db()
    assert campaign.status == "closed"
    page.goto(f"{demo_site}/campaigns/qinghai-2025/edit/")
    assert "已结束，只能查看和下载" in page.content()
    assert page.locator("#deadlines-form").count() == 0

    # Next year's plan: a draft with the same tasks and units, deadlines one year on.
    page.click("text=复制为新方案")
    page.fill("#id_code", "qinghai-2026")
    page.fill("#id_document_number", "青市监函〔2026〕3号")
    page.click("button:has-text('复制为新方案（草稿）')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/campaigns/qinghai-2026/edit/")
    copy = Campaign.objects.get(code="qinghai-2026")
    assert (copy.status, copy.title, copy.document_number) == ("draft", "2026年知识产权公共服务市州行活动方案",
                                                              "青市监函〔2026〕3号")
    assert dict(Task.objects.filter(campaign=copy).values_list("number", "deadline")) == {
        1: date(2026, 6, 30), 2: date(2026, 6, 30), 3: date(2026, 7, 7)}
    campaign.refresh_from_db()
    assert campaign.status == "closed"
    assert dict(Task.objects.filter(campaign=campaign).values_list("number", "deadline")) == deadlines
