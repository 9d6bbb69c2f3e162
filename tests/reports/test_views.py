"""Submitting summaries and cases, the coordinator's report page, recommending, downloads
and who may do what (refused requests leave the database unchanged)."""
import io
import os
import subprocess
import zipfile
from datetime import date, datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from campaigns.models import Membership, Task, Unit
from reports import forms as report_forms
from reports.demo import load_demo_extras
from reports.models import CasePhoto, TypicalCase, WrittenSummary
from tests.factories import make_campaign, make_plan, make_task, make_unit, make_user, pdf_bytes, polyglot_jpeg, polyglot_pdf

from .conftest import pdf_text, squash

TZ = ZoneInfo("Asia/Shanghai")
User = get_user_model()
SUMMARY_TEXT = "本单位按照活动方案要求，组织开展专利信息利用培训3场，服务企业45家，圆满完成各项任务。"


def user(name):
    return User.objects.get(username=name)


def unit(name):
    return Unit.objects.get(name=name)


def snapshot():
    return (
        list(WrittenSummary.objects.order_by("pk").values()),
        list(TypicalCase.objects.order_by("pk").values()),
        list(CasePhoto.objects.order_by("pk").values()),
    )


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def gif_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "GIF")
    return buffer.getvalue()


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def case_post(**extra):
    data = {
        "title": "生物医药专利信息利用培训", "institution": "西宁市市场监管局", "institution_type": "other",
        "summary": "面向生物医药企业开展专利信息利用培训。", "actions": "邀请专家授课，现场检索实操。",
        "results": "培训企业23家、86人次。",
    }
    data.update(extra)
    return data


# ------------------------------------------------------------------ written summaries


def test_bureau_submits_its_summary_and_a_resubmission_keeps_history(demo, login):
    client = login(user("xining"))
    xining = unit("西宁市市场监管局")
    url = reverse("reports:submit_summary", args=[demo.code, xining.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": SUMMARY_TEXT})
    assert response.status_code == 302
    first = WrittenSummary.objects.get(campaign=demo, unit=xining)
    assert first.is_current and first.submitted_by == user("xining") and first.text == SUMMARY_TEXT

    client.post(url, {"text": SUMMARY_TEXT + "（修订）"})
    versions = list(WrittenSummary.objects.filter(campaign=demo, unit=xining).order_by("pk"))
    assert len(versions) == 2
    assert [v.is_current for v in versions] == [False, True]
    assert versions[1].first_submitted_at == first.first_submitted_at
    assert versions[1].text.endswith("（修订）")


def test_summary_with_a_real_pdf_is_kept_and_downloadable_by_its_unit_and_the_coordinator(demo, login):
    xining = unit("西宁市市场监管局")
    client = login(user("xining"))
    doc = SimpleUploadedFile("总结.pdf", pdf_bytes(),
                             content_type="application/pdf")
    client.post(reverse("reports:submit_summary", args=[demo.code, xining.pk]), {"text": SUMMARY_TEXT, "document": doc})
    summary = WrittenSummary.objects.get(unit=xining)
    assert summary.document.name.endswith(".pdf") and summary.document_name == "总结.pdf"
    url = reverse("reports:summary_document", args=[demo.code, summary.pk])
    assert b"".join(client.get(url).streaming_content).startswith(b"%PDF-1.4")
    assert login(user("province")).get(url).status_code == 200
    assert login(user("haidong")).get(url).status_code == 404


def odt_bytes():
    """An OpenDocument text package as LibreOffice writes it: the mimetype member first, stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def test_summary_with_an_opendocument_text_is_kept_under_its_checked_extension(demo, login):
    xining = unit("西宁市市场监管局")
    client = login(user("xining"))
    content = odt_bytes()  # once: a zip records the time it was written
    doc = SimpleUploadedFile("总结.bin", content, content_type="application/octet-stream")
    response = client.post(
        reverse("reports:submit_summary", args=[demo.code, xining.pk]), {"text": SUMMARY_TEXT, "document": doc}
    )
    assert response.status_code == 302
    summary = WrittenSummary.objects.get(unit=xining)
    assert summary.document.name.endswith(".odt") and summary.document_name == "总结.bin"
    url = reverse("reports:summary_document", args=[demo.code, summary.pk])
    assert b"".join(client.get(url).streaming_content) == content


@pytest.mark.parametrize("content,name,error", [
    (b"just some text pretending to be a PDF", "总结.pdf",
     "文件“总结.pdf”的内容不是可接受的总结附件类型，未保存。可上传：PDF、Word（.docx、.doc）或 OpenDocument 文本（.odt）。"),
    (png_bytes(), "总结.docx", "文件“总结.docx”的内容是 PNG 图片，不是可接受的总结附件类型，未保存。"),
    (b"%PDF-1.4\n<html><script>alert(1)</script></html>", "总结.pdf", "不是可接受的总结附件类型"),  # no %%EOF
    (zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}), "总结.odt",
     "文件“总结.odt”的内容不是可接受的总结附件类型"),
])
def test_summary_document_is_checked_by_content_and_nothing_is_written(demo, login, content, name, error):
    client = login(user("xining"))
    before = snapshot()
    response = client.post(
        reverse("reports:submit_summary", args=[demo.code, unit("西宁市市场监管局").pk]),
        {"text": SUMMARY_TEXT, "document": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )
    assert response.status_code == 200 and error in response.content.decode()
    assert snapshot() == before


def test_summary_document_too_large_is_refused(demo, login, monkeypatch):
    monkeypatch.setattr(report_forms, "DOCUMENT_MAX_BYTES", 100)
    client = login(user("xining"))
    before = snapshot()
    response = client.post(
        reverse("reports:submit_summary", args=[demo.code, unit("西宁市市场监管局").pk]),
        {"text": SUMMARY_TEXT, "document": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n" + b"0" * 200)},
    )
    assert "文件“a.pdf”大小为 209 字节，超过了 100 字节 的上限，未保存" in response.content.decode()
    assert snapshot() == before


def test_bureau_cannot_submit_a_summary_for_another_unit(demo, login):
    client = login(user("xining"))
    before = snapshot()
    response = client.post(
        reverse("reports:submit_summary", args=[demo.code, unit("海东市市场监管局").pk]), {"text": SUMMARY_TEXT}
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_viewer_of_a_unit_may_read_but_not_submit(demo, login):
    xining = unit("西宁市市场监管局")
    viewer = make_user(xining, role=Membership.Role.VIEWER)
    client = login(viewer)
    url = reverse("reports:submit_summary", args=[demo.code, xining.pk])
    assert client.get(url).status_code == 200
    before = snapshot()
    assert client.post(url, {"text": SUMMARY_TEXT}).status_code == 403
    assert snapshot() == before


def test_a_unit_without_work_in_the_campaign_cannot_submit(db, login):
    campaign = make_plan(2, units=[make_unit()])
    outsider_unit = make_unit()
    outsider = make_user(outsider_unit)
    before = snapshot()
    response = login(outsider).post(
        reverse("reports:submit_summary", args=[campaign.code, outsider_unit.pk]), {"text": SUMMARY_TEXT}
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_summary_lateness_is_judged_on_the_first_submission(db):
    bureau = make_unit()
    campaign = make_plan(1, units=[bureau])
    on_time = WrittenSummary.objects.create(
        campaign=campaign, unit=bureau, text="x", submitted_at=datetime(2024, 10, 3, tzinfo=TZ),
        first_submitted_at=datetime(2024, 9, 30, 23, 30, tzinfo=TZ),
    )
    assert not on_time.is_late  # 23:30 in Qinghai on the due date is still on time
    on_time.first_submitted_at = datetime(2024, 10, 1, 0, 5, tzinfo=TZ)
    assert on_time.is_late


# ------------------------------------------------------------------ the report page


def test_coordinator_sees_who_has_and_has_not_submitted_with_late_ones_marked(demo, login):
    load_demo_extras(demo)
    response = login(user("province")).get(reverse("reports:campaign", args=[demo.code]))
    html = response.content.decode()
    assert response.status_code == 200
    rows = {r["unit"].name: r for r in response.context["rows"]}
    assert "黄南州市场监管局" in rows and rows["黄南州市场监管局"]["summary"].is_late
    assert rows["西宁市市场监管局"]["summary"] and not rows["西宁市市场监管局"]["summary"].is_late
    assert rows["青海大学"]["summary"] is None
    assert response.context["submitted"] == 5 and response.context["late"] == 1
    assert "逾期报送" in html and "未报送" in html
    # Responsible units are those with assignments in the campaign, no others.
    assert "西宁市教育局" in rows and "黄南州图书馆" not in rows
    assert html.count("已推荐（取消）") == 2 and reverse("reports:pdf", args=[demo.code]) in html


def test_bureau_sees_only_its_own_units_on_the_report_page(demo, login):
    load_demo_extras(demo)
    response = login(user("haixi")).get(reverse("reports:campaign", args=[demo.code]))
    assert [r["unit"].name for r in response.context["rows"]] == ["海西州市场监管局"]
    assert [c.unit.name for c in response.context["cases"]] == ["海西州市场监管局"]


def test_plan_page_links_to_the_report_page(demo, login):
    html = login(user("province")).get(reverse("campaigns:plan", args=[demo.code])).content.decode()
    assert reverse("reports:campaign", args=[demo.code]) in html


def test_report_page_makes_the_same_number_of_queries_for_few_and_many_units(db, login):
    coordinator_unit = make_unit()

    def queries(n_units):
        units = [make_unit() for _ in range(n_units)]
        campaign = make_campaign(coordinator_unit)
        for u in units:
            make_task(campaign, units=[u])
            WrittenSummary.objects.create(campaign=campaign, unit=u, text="x")
            TypicalCase.objects.create(campaign=campaign, unit=u, title="t", institution="i", institution_type="other",
                                       summary="s", actions="a", results="1")
        client = login(make_user(coordinator_unit, role=Membership.Role.COORDINATOR))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:campaign", args=[campaign.code])).status_code == 200
        return len(ctx.captured_queries)

    assert queries(3) == queries(30)


# ------------------------------------------------------------------ typical cases


def test_bureau_submits_a_case_with_photos_and_related_tasks(demo, login):
    client = login(user("xining"))
    xining = unit("西宁市市场监管局")
    task14 = Task.objects.get(campaign=demo, number=14)
    photo = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    response = client.post(reverse("reports:submit_case", args=[demo.code, xining.pk]),
                           case_post(related_tasks=[task14.pk], photos=[photo]))
    case = TypicalCase.objects.get(campaign=demo)
    assert response.status_code == 302 and response["Location"] == reverse("reports:case", args=[demo.code, case.pk])
    assert case.unit == xining and not case.recommended and list(case.related_tasks.all()) == [task14]
    assert case.photos.count() == 1 and case.photos.get().image.name.endswith(".png")
    detail = client.get(response["Location"]).content.decode()
    assert "培训企业23家" in detail and "14. 举办西宁市生物医药领域专利信息利用培训班" in detail
    assert client.get(reverse("reports:photo", args=[demo.code, case.photos.get().pk])).status_code == 200
    assert login(user("haidong")).get(reverse("reports:photo", args=[demo.code, case.photos.get().pk])).status_code == 404


def test_recommended_case_prints_in_full_with_its_photo(demo, login, need_poppler, tmp_path):
    xining = unit("西宁市市场监管局")
    photo = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    login(user("xining")).post(reverse("reports:submit_case", args=[demo.code, xining.pk]), case_post(photos=[photo]))
    case = TypicalCase.objects.get(campaign=demo)
    client = login(user("province"))
    client.post(reverse("reports:recommend", args=[demo.code, case.pk]), {"recommended": "1"})
    out = tmp_path / "r.pdf"
    out.write_bytes(client.get(reverse("reports:pdf", args=[demo.code])).content)
    text = squash(pdf_text(out))
    assert "（一）生物医药专利信息利用培训" in text and "工作成效：培训企业23家、86人次。" in text
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert len(images) == 1 and images[0].split()[3:5] == ["40", "30"]


@pytest.mark.parametrize("extra,error", [
    ({"photos": [SimpleUploadedFile("x.png", b"<?php echo 1; ?>", content_type="image/png")]},
     "文件“x.png”的内容不是可接受的案例照片类型，未保存。可上传：图片（JPG、PNG）。"),
    ({"photos": [SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",
                                    content_type="image/png")]},
     "文件“x.png”的内容不是可接受的案例照片类型，未保存"),  # a PNG signature followed by HTML
    ({"photos": [SimpleUploadedFile("x.gif", gif_bytes(), content_type="image/gif")]},
     "文件“x.gif”的内容是 GIF 图片，不是可接受的案例照片类型，未保存"),
    ({"results": "成效显著，企业满意。"}, "请写明具体数字"),
    ({"institution_type": "bank"}, "选择一个有效的选项"),
])
def test_bad_case_input_gets_a_clear_error_and_writes_nothing(demo, login, extra, error):
    before = snapshot()
    response = login(user("xining")).post(
        reverse("reports:submit_case", args=[demo.code, unit("西宁市市场监管局").pk]), case_post(**extra)
    )
    assert response.status_code == 200 and error in response.content.decode()
    assert snapshot() == before


def test_bureau_cannot_submit_or_read_cases_of_another_unit(demo, login):
    load_demo_extras(demo)
    client = login(user("xining"))
    before = snapshot()
    assert client.post(reverse("reports:submit_case", args=[demo.code, unit("海东市市场监管局").pk]),
                       case_post()).status_code == 404
    assert snapshot() == before
    other = TypicalCase.objects.get(unit__name="海西州市场监管局")
    assert client.get(reverse("reports:case", args=[demo.code, other.pk])).status_code == 404


def test_only_coordinators_mark_cases_recommended(demo, login):
    load_demo_extras(demo)
    case = TypicalCase.objects.get(unit__name="海西州市场监管局")
    url = reverse("reports:recommend", args=[demo.code, case.pk])
    before = snapshot()
    assert login(user("haixi")).post(url, {"recommended": "1"}).status_code == 403
    assert snapshot() == before
    assert login(user("province")).post(url, {"recommended": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.recommended


# ------------------------------------------------------------------ downloads


def test_coordinator_downloads_the_whole_report_and_a_bureau_its_own_work(demo, login, need_poppler, tmp_path):
    load_demo_extras(demo)
    response = login(user("province")).get(reverse("reports:pdf", args=[demo.code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    whole = tmp_path / "whole.pdf"
    whole.write_bytes(response.content)
    text = squash(pdf_text(whole))
    for task in Task.objects.filter(campaign=demo):
        assert f"{task.number}{squash(task.title)}" in text

    response = login(user("xining")).get(reverse("reports:pdf", args=[demo.code]))
    own = tmp_path / "own.pdf"
    own.write_bytes(response.content)
    text = squash(pdf_text(own))
    assert "（西宁市市场监管局）" in text
    numbers = {3, 6, 8, 11, 14}
    for task in Task.objects.filter(campaign=demo):
        assert (f"{task.number}{squash(task.title)}" in text) == (task.number in numbers), task.number
    assert "共部署任务5项" in text
    assert "青海大学尚未报送书面总结" not in text


def test_xlsx_download_for_a_bureau_holds_only_its_rows(demo, login):
    response = login(user("xining")).get(reverse("reports:xlsx", args=[demo.code]))
    wb = load_workbook(io.BytesIO(response.content))
    numbers = sorted(r[0] for ws in wb.worksheets if ws.title.startswith("（")
                     for r in ws.iter_rows(min_row=2, values_only=True))
    assert numbers == [3, 6, 8, 11, 14]


def test_a_user_of_another_campaign_cannot_download(demo, login):
    stranger = make_user(make_unit())
    assert login(stranger).get(reverse("reports:pdf", args=[demo.code])).status_code == 404


def test_report_download_makes_the_same_number_of_queries_for_20_and_200_tasks(db, login):
    coordinator_unit = make_unit()
    units = [make_unit() for _ in range(3)]

    def queries(n):
        campaign = make_plan(n, coordinator_unit, units=units)
        client = login(make_user(coordinator_unit, role=Membership.Role.COORDINATOR))
        counts = []
        for name in ("reports:pdf", "reports:docx", "reports:xlsx"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(name, args=[campaign.code])).status_code == 200
            counts.append(len(ctx.captured_queries))
        return counts

    assert queries(20) == queries(200)


# ------------------------------------------------------------------ demo


def test_seed_demo_adds_summaries_and_cases_once(db):
    call_command("seed_demo", stdout=io.StringIO())
    def counts():
        return (WrittenSummary.objects.count(), TypicalCase.objects.count(),
                TypicalCase.objects.filter(recommended=True).count())

    assert counts() == (5, 3, 2)
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == (5, 3, 2)
    case = TypicalCase.objects.get(unit__name="青海省青藏知识产权服务中心")
    assert sorted(case.related_tasks.values_list("number", flat=True)) == [18, 22]


def test_coordinator_reads_a_units_summary_from_the_report_page_but_cannot_submit_it(demo, login):
    """The report page offers the coordinator 查看 for each submitted summary; it must open
    (it answered 404 because the coordinator is not a member of the unit)."""
    xining = unit("西宁市市场监管局")
    login(user("xining")).post(reverse("reports:submit_summary", args=[demo.code, xining.pk]), {"text": SUMMARY_TEXT})
    client = login(user("province"))
    url = reverse("reports:submit_summary", args=[demo.code, xining.pk])
    assert url in client.get(reverse("reports:campaign", args=[demo.code])).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert SUMMARY_TEXT in body and "提交书面总结</button>" not in body
    before = snapshot()
    assert client.post(url, {"text": "协调人代填"}).status_code in (403, 404)
    assert snapshot() == before


def test_viewer_of_a_unit_sees_the_summary_without_a_form(demo, login):
    xining = unit("西宁市市场监管局")
    login(user("xining")).post(reverse("reports:submit_summary", args=[demo.code, xining.pk]), {"text": SUMMARY_TEXT})
    viewer = make_user(xining, role=Membership.Role.VIEWER)
    body = login(viewer).get(reverse("reports:submit_summary", args=[demo.code, xining.pk])).content.decode()
    assert SUMMARY_TEXT in body and "提交书面总结</button>" not in body


def test_a_bureau_finds_its_submit_buttons_above_the_table_and_the_coordinator_does_not(demo, login):
    """On a phone the table's action column sat off-screen; the unit's two actions lead the page."""
    xining = unit("西宁市市场监管局")
    url = reverse("reports:campaign", args=[demo.code])
    page = login(user("xining")).get(url).content.decode()
    actions = page.split('class="d-flex flex-wrap gap-2 mb-3 unit-actions"', 1)[1].split("</div>", 1)[0]
    assert reverse("reports:submit_summary", args=[demo.code, xining.pk]) in actions and "报送书面总结" in actions
    assert reverse("reports:submit_case", args=[demo.code, xining.pk]) in actions
    assert "unit-actions" not in login(user("province")).get(url).content.decode()


# ------------------------------------------------------------------ upload safety


def test_a_pdf_html_polyglot_summary_document_is_refused_and_nothing_is_written(demo, login):
    client = login(user("xining"))
    before = snapshot()
    response = client.post(
        reverse("reports:submit_summary", args=[demo.code, unit("西宁市市场监管局").pk]),
        {"text": SUMMARY_TEXT, "document": SimpleUploadedFile("总结.pdf", polyglot_pdf())},
    )
    assert "文件“总结.pdf”的内容不是可接受的总结附件类型，未保存：其中含有网页代码" in response.content.decode()
    assert snapshot() == before


def test_a_jpeg_html_polyglot_case_photo_is_refused_and_nothing_is_written(demo, login):
    client = login(user("xining"))
    before = snapshot()
    photo = SimpleUploadedFile("现场.jpg", polyglot_jpeg(), content_type="image/jpeg")
    response = client.post(reverse("reports:submit_case", args=[demo.code, unit("西宁市市场监管局").pk]),
                           case_post(photos=[photo]))
    assert "文件“现场.jpg”的内容不是可接受的案例照片类型，未保存：其中含有网页代码" in response.content.decode()
    assert snapshot() == before


def test_case_photos_and_summary_documents_download_as_attachments(demo, login):
    client = login(user("xining"))
    xining = unit("西宁市市场监管局")
    client.post(reverse("reports:submit_case", args=[demo.code, xining.pk]),
                case_post(photos=[SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")]))
    client.post(reverse("reports:submit_summary", args=[demo.code, xining.pk]),
                {"text": SUMMARY_TEXT, "document": SimpleUploadedFile("西宁 总结.pdf", pdf_bytes())})
    photo = CasePhoto.objects.get(case__unit=xining)
    summary = WrittenSummary.objects.get(unit=xining, is_current=True)
    for url, content_type, name in (
        (reverse("reports:photo", args=[demo.code, photo.pk]), "image/png", f"生物医药专利信息利用培训-照片{photo.pk}.png"),
        (reverse("reports:summary_document", args=[demo.code, summary.pk]), "application/pdf", "西宁 总结.pdf"),
    ):
        response = client.get(url)
        assert response["Content-Type"] == content_type and response["X-Content-Type-Options"] == "nosniff"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;") and unquote(disposition.split("filename*=utf-8''")[1]) == name


# ------------------------------------------------------------------ compile settings, .docx


def test_coordinator_compile_settings_are_remembered_and_used_by_the_downloads(demo, login, tmp_path, need_poppler):
    from docx import Document

    from reports.models import ReportSetting

    client = login(user("province"))
    response = client.post(reverse("reports:settings", args=[demo.code]), {
        "document_number": "青市监〔2024〕88号", "recipients": "国家知识产权局知识产权公共服务司",
        "report_date": "2024-10-15", "with_letterhead": "on"})
    assert response.status_code == 302
    setting = ReportSetting.objects.get(campaign=demo)
    assert (setting.document_number, setting.report_date) == ("青市监〔2024〕88号", date(2024, 10, 15))
    page = client.get(reverse("reports:campaign", args=[demo.code])).content.decode()
    assert 'value="青市监〔2024〕88号"' in page and "下载可编辑版" in page

    pdf_response = client.get(reverse("reports:pdf", args=[demo.code]))
    assert "filename*=utf-8''" in pdf_response["Content-Disposition"]
    assert "%E6%B4%BB%E5%8A%A8%E6%80%BB%E7%BB%93.pdf" in pdf_response["Content-Disposition"]  # 活动总结.pdf
    out = tmp_path / "r.pdf"
    out.write_bytes(pdf_response.content)
    text = squash(pdf_text(out))
    assert "青市监〔2024〕88号" in text and "国家知识产权局知识产权公共服务司：" in text and "2024年10月15日" in text

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(client.get(reverse("reports:pdf", args=[demo.code]) + "?variant=report").content)
    assert "青市监〔2024〕88号" not in squash(pdf_text(plain))

    docx_response = client.get(reverse("reports:docx", args=[demo.code]))
    assert docx_response["Content-Type"].endswith("wordprocessingml.document")
    assert ".docx" in docx_response["Content-Disposition"]
    (tmp_path / "r.docx").write_bytes(docx_response.content)
    paragraphs = [(p.style.name, p.text) for p in Document(tmp_path / "r.docx").paragraphs]
    assert ("发文字号", "青市监〔2024〕88号") in paragraphs


def test_a_bad_document_number_is_refused_and_nothing_is_saved(demo, login):
    from reports.models import ReportSetting

    client = login(user("province"))
    response = client.post(reverse("reports:settings", args=[demo.code]),
                           {"document_number": "八十八", "recipients": "某司", "report_date": ""}, follow=True)
    assert "发文字号应以“××号”结尾" in response.content.decode()
    assert not ReportSetting.objects.filter(campaign=demo).exists()


def test_only_coordinators_choose_the_compile_settings(demo, login):
    from reports.models import ReportSetting

    response = login(user("xining")).post(reverse("reports:settings", args=[demo.code]),
                                          {"document_number": "青市监〔2024〕1号"})
    assert response.status_code == 403
    assert not ReportSetting.objects.filter(campaign=demo).exists()


def test_the_compiled_pdf_prints_a_case_photo_from_a_storage_without_local_paths(demo, login, settings, tmp_path,
                                                                                   need_poppler):
    """S3 and the like have no .path(): the photo is read through the storage API."""
    from django.core.files.storage import default_storage

    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    xining = unit("西宁市市场监管局")
    photo = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    login(user("xining")).post(reverse("reports:submit_case", args=[demo.code, xining.pk]), case_post(photos=[photo]))
    case = TypicalCase.objects.get(campaign=demo)
    stored = case.photos.get().image
    assert not os.path.exists(default_storage.path(stored.name))  # no local file behind the name
    client = login(user("province"))
    client.post(reverse("reports:recommend", args=[demo.code, case.pk]), {"recommended": "1"})
    response = client.get(reverse("reports:pdf", args=[demo.code]))
    assert response.status_code == 200
    out = tmp_path / "r.pdf"
    out.write_bytes(response.content)
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert len(images) == 1 and images[0].split()[3:5] == ["40", "30"]
