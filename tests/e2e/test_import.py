import pytest

from tests.campaigns.io_helpers import xlsx_bytes
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_coordinator_moves_a_deadline_by_spreadsheet_import(page, demo_site, tmp_path, settings):
    from campaigns.models import Task

    settings.MEDIA_ROOT = tmp_path / "media"
    task = Task.objects.get(campaign__code="qinghai-2024", number=4)
    path = tmp_path / "计划调整.xlsx"
    path.write_bytes(
        xlsx_bytes([["（二）知识产权公共服务基础能力提升活动", 4, task.title, "省局商标品牌处", "7月15日", ""]])
    )

    log_in(page, demo_site, "province")
    page.click("text=导入与导出")
    with page.expect_download() as download:
        page.click("a[href$='/export/tasks.xlsx']")
    assert download.value.suggested_filename.startswith("qinghai-2024-任务总表-")

    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('预览')")
    row = page.locator("tr[data-row='2']")
    assert "变更" in row.inner_text() and "完成时限" in row.inner_text()
    assert Task.objects.get(pk=task.pk).deadline == task.deadline  # the preview wrote nothing

    page.click("button:has-text('确认导入')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/campaigns/qinghai-2024/")
    assert "已导入 计划调整.xlsx" in page.content()
    page.click("[data-section='2']")  # task 4 is in （二）
    assert "7月15日" in page.locator("tr[data-task='4']").inner_text()
    assert str(Task.objects.get(pk=task.pk).deadline) == "2024-07-15"


PLAN_WITH_THREE_UNKNOWN_UNITS = """2025年青海省知识产权宣传周活动方案

一、活动主题

知识产权保护与创新发展

二、重点活动

1.举办宣传周启动仪式暨典型案例发布会。（省知识产权公共服务处，青海日报社）

2.开展知识产权进校园活动，举办青少年创新作品展。（西宁市市场监管局，青海日报社，2025年4月26日前）

3.组织服务机构开展知识产权公益咨询。（海东市知识产权保护中心）
"""


def test_coordinator_fixes_three_unknown_units_from_the_preview_and_commits(page, demo_site, tmp_path, settings):
    from campaigns.models import Campaign, Unit

    settings.MEDIA_ROOT = tmp_path / "media"
    log_in(page, demo_site, "province")
    page.goto(demo_site + "/import/")
    page.fill("input[name=code]", "xcz-2025")
    page.fill("textarea[name=text]", PLAN_WITH_THREE_UNKNOWN_UNITS)
    page.click("button:has-text('预览')")

    panel = page.locator("#unknown-units")
    assert "3 个未知单位" in panel.inner_text()
    assert page.locator("button:has-text('确认导入')").count() == 0
    newspaper = panel.locator("tr[data-unknown='青海日报社']")
    assert "第 " in newspaper.inner_text() and "、" in newspaper.inner_text()  # used by two rows, listed once
    assert not Campaign.objects.filter(code="xcz-2025").exists()

    division = panel.locator("tr[data-unknown='省知识产权公共服务处']")
    division.locator("input[value=map]").check()
    assert division.locator("input[list=known-units]").input_value() == "省局知识产权公共服务处"
    for name, kind in (("青海日报社", "other"), ("海东市知识产权保护中心", "institution")):
        row = panel.locator(f"tr[data-unknown='{name}']")
        row.locator("input[value=create]").check()
        row.locator("select[name^=kind]").select_option(kind)
    page.click("button:has-text('保存到单位目录并重新预览')")

    assert page.locator("#unknown-units").count() == 0
    assert "已更新单位目录：3 个名称" in page.content()
    assert "省知识产权公共服务处" in Unit.objects.get(name="省局知识产权公共服务处").aliases
    assert Unit.objects.get(name="海东市知识产权保护中心").kind == "institution"

    page.click("button:has-text('确认导入')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/campaigns/xcz-2025/edit/")  # a new plan opens in the editor, to finish and publish
    campaign = Campaign.objects.get(code="xcz-2025")
    leads = {t.number: [a.unit.name for a in t.assignments.filter(role="lead")] for t in campaign.tasks.all()}
    assert leads == {1: ["省局知识产权公共服务处"], 2: ["西宁市市场监管局"], 3: ["海东市知识产权保护中心"]}
    assert str(campaign.tasks.get(number=2).deadline) == "2025-04-26"
