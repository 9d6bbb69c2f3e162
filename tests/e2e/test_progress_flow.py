"""In the real browser: a bureau reports with a photo and a PDF and marks done; the coordinator
returns it; the bureau fixes it; the coordinator verifies it."""
import io

import pytest
from PIL import Image

from campaigns.models import Assignment, Evidence
from tests.e2e.conftest import log_in
from tests.factories import pdf_bytes

pytestmark = pytest.mark.e2e

PDF = pdf_bytes()


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def log_out(page):
    page.click("nav form button")
    page.wait_for_url("**/accounts/login/")


def open_task_11(page):
    page.click("#my-tasks a[data-task='11']")
    page.wait_for_selector("#report-form")


def test_report_return_fix_verify(page, demo_site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    assignment = Assignment.objects.get(task__number=11, unit__memberships__user__username="xining")

    # 1. the bureau reports progress with a photo and a PDF
    log_in(page, demo_site, "xining")
    open_task_11(page)
    page.fill("#id_text", "5月18日在西宁市举办专利信息利用培训班，企业代表60人参加。")
    page.fill("#id_percent", "60")
    page.fill("#id_events_held", "1")
    page.fill("#id_participants", "60")
    page.set_input_files("#id_files", [
        {"name": "培训现场.jpg", "mimeType": "image/jpeg", "buffer": photo()},
        {"name": "签到表.pdf", "mimeType": "application/pdf", "buffer": PDF},
    ])
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("text=进度已填报。")
    assert page.locator(".evidence-list li").count() == 2
    assert "培训现场.jpg" in page.content() and "签到表.pdf" in page.content()

    # ... and marks it done
    page.fill("#id_text", "培训班已全部完成，材料见上次报告。")
    page.select_option("#id_status", "submitted")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("text=已提交核验，等待协调人核验。")
    assert page.locator("#assignment-status").inner_text() == "待核验"
    log_out(page)

    # 2. the coordinator finds it on the dashboard and returns it
    log_in(page, demo_site, "province")
    page.click("text=协调看板")
    page.wait_for_selector("#matrix")
    page.click("#waiting a:has-text('任务11')")
    page.fill("#id_comment", "请补充培训班的新闻报道截图。")
    page.click("#review-form button:has-text('退回修改')")
    page.wait_for_selector("text=已退回，单位将看到退回意见。")
    log_out(page)

    # 3. the bureau sees why and fixes it
    log_in(page, demo_site, "xining")
    page.click("nav >> text=单位待办")
    page.click("#todo-kinds a[data-kind=returned]")
    assert "请补充培训班的新闻报道截图。" in page.locator("#todo").inner_text()
    page.click("#todo a:has-text('任务11')")
    assert "请补充培训班的新闻报道截图。" in page.locator("#return-notice").inner_text()
    page.fill("#id_text", "已补充新闻报道截图。")
    page.select_option("#id_status", "submitted")
    page.set_input_files("#id_files", [{"name": "新闻报道.png", "mimeType": "image/png", "buffer": _png()}])
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("text=已提交核验，等待协调人核验。")
    log_out(page)

    # 4. the coordinator verifies
    log_in(page, demo_site, "province")
    page.goto(f"{demo_site}/assignments/{assignment.pk}/")
    page.click("#review-form button:has-text('核验通过')")
    page.wait_for_selector("text=已核验通过。")
    assert page.locator("#assignment-status").inner_text() == "已核验"
    statuses = page.locator(".timeline > li").evaluate_all("items => items.map(i => i.dataset.status)")
    assert statuses == ["verified", "submitted", "returned", "submitted", "in_progress"]

    assignment.refresh_from_db()
    assert assignment.status == "verified" and assignment.completed_at is not None
    assert Evidence.objects.filter(report__assignment=assignment).count() == 3

    # the evidence downloads as an attachment, never shown inline
    with page.expect_download() as download:
        page.click(".evidence-list a:has-text('签到表.pdf')")
    assert download.value.suggested_filename == "签到表.pdf"


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (100, 60), (240, 240, 240)).save(buffer, "PNG")
    return buffer.getvalue()
