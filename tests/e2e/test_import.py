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
    assert download.value.suggested_filename.startswith("qinghai-2024-tasks-")

    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('预览')")
    row = page.locator("tr[data-row='2']")
    assert "变更" in row.inner_text() and "完成时限" in row.inner_text()
    assert Task.objects.get(pk=task.pk).deadline == task.deadline  # the preview wrote nothing

    page.click("button:has-text('确认导入')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/campaigns/qinghai-2024/")
    assert "已导入 计划调整.xlsx" in page.content()
    assert "7月15日" in page.locator("tr[data-task='4']").inner_text()
    assert str(Task.objects.get(pk=task.pk).deadline) == "2024-07-15"
