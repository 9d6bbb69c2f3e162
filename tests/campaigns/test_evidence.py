"""Evidence files are checked by content and size; refused files leave nothing behind."""
import io
import zipfile
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook

from campaigns.evidence import check_upload, safe_download_name
from campaigns.models import Evidence, Membership, Unit
from tests.campaigns.progress_helpers import (
    PDF_BYTES,
    counts,
    jpeg_bytes,
    png_bytes,
    report_data,
    stored_files,
    upload,
)
from tests.factories import docx_bytes, make_campaign, make_task, make_unit, make_user, polyglot_pdf


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def assignment(db, media):
    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureau = make_unit()
    task = make_task(make_campaign(office), units=[bureau])
    assignment = task.assignments.get()
    assignment.reporter = make_user(bureau, Membership.Role.REPORTER)
    return assignment


DOCX_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def zip_of(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(name, text)
    return buffer.getvalue()


def xlsx_bytes():
    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "签到表"
    book.save(buffer)
    return buffer.getvalue()


def ole_bytes():
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2040


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    "name, content, content_type, extension",
    [
        ("现场.png", png_bytes(), "image/png", "png"),
        ("现场.jpg", jpeg_bytes(), "image/jpeg", "jpg"),
        ("名字是假的.pdf", png_bytes(), "image/png", "png"),  # the content decides, not the name
        ("签到表.pdf", PDF_BYTES, "application/pdf", "pdf"),
        ("总结.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        ("台账.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("旧版总结.doc", ole_bytes(), "application/msword", "doc"),
    ],
)
def test_accepted_kinds_are_recognised_by_content(name, content, content_type, extension):
    checked = check_upload(upload(name, content))
    assert (checked.content_type, checked.extension, checked.original_name) == (content_type, extension, name)


REFUSED = [
    ("page.html", HTML),
    ("logo.svg", SVG),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + HTML),  # a PNG signature followed by HTML
    ("photo.png", HTML),  # HTML renamed to .png
    ("photo.jpg", b"\xff\xd8\xff\xe0" + HTML),  # a JPEG signature followed by HTML
    ("report.pdf", b"%PDF-1.4\n" + HTML),  # a PDF header with no PDF behind it
    ("archive.docx", b"PK\x03\x04" + HTML),  # a ZIP signature that is no ZIP
    ("empty.docx", b""),
    ("program.exe", b"MZ\x90\x00" + b"\x00" * 100),
    ("notes.txt", "这是纯文本".encode()),
    ("oldfile.exe", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2040),  # OLE, but not an Office name
]


def plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("index.html", HTML)
    return buffer.getvalue()


@pytest.mark.parametrize("name, content", [*REFUSED, ("bundle.docx", plain_zip())])
def test_refused_kinds_leave_nothing_behind(assignment, login, media, name, content):
    client = login(assignment.reporter)
    before = counts()
    data = report_data(assignment, files=[upload(name, content, "image/png")])
    response = client.post(reverse("campaigns:report", args=[assignment.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "未保存" in html and name in html
    assert counts() == before
    assert stored_files(media) == []


def test_one_bad_file_refuses_the_whole_report(assignment, login, media):
    client = login(assignment.reporter)
    before = counts()
    files = [upload("good.png", png_bytes()), upload("bad.svg", SVG)]
    response = client.post(reverse("campaigns:report", args=[assignment.pk]), report_data(assignment, files=files))
    assert response.status_code == 200 and "bad.svg" in response.content.decode()
    assert counts() == before
    assert stored_files(media) == []


def test_an_oversized_file_gets_a_clear_message_and_nothing_is_kept(assignment, login, media, settings):
    settings.EVIDENCE_MAX_BYTES = 50 * 1024
    big = png_bytes(size=(800, 800))
    big += b"\x00" * max(0, 2 * settings.EVIDENCE_MAX_BYTES - len(big))
    client = login(assignment.reporter)
    before = counts()
    data = report_data(assignment, files=[upload("大照片.png", big, "image/png")])
    response = client.post(reverse("campaigns:report", args=[assignment.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "文件“大照片.png”大小为 100 KB，超过了 50 KB 的上限，未保存" in html
    assert counts() == before
    assert stored_files(media) == []


def test_the_size_limit_defaults_to_20_mb(settings):
    from config import settings as project_settings

    assert project_settings.EVIDENCE_MAX_BYTES == 20 * 1024 * 1024


def test_a_decompression_bomb_is_refused():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, "PNG")  # small file, 144 megapixels
    with pytest.raises(ValidationError):
        check_upload(upload("bomb.png", buffer.getvalue()))


def odt_bytes(mimetype="application/vnd.oasis.opendocument.text"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def test_callers_name_the_kinds_they_accept_and_messages_list_them():
    summary_kinds = {"pdf", "docx", "doc", "odt"}
    checked = check_upload(upload("总结.odt", odt_bytes()), kinds=summary_kinds, max_bytes=1024 * 1024, label="总结附件")
    assert (checked.content_type, checked.extension) == ("application/vnd.oasis.opendocument.text", "odt")
    with pytest.raises(ValidationError) as refused:
        check_upload(upload("表格.odt", odt_bytes("application/vnd.oasis.opendocument.spreadsheet")), kinds=summary_kinds)
    assert refused.value.messages == [
        "文件“表格.odt”的内容不是可接受的佐证材料类型，未保存。"
        "可上传：PDF、Word（.docx、.doc）或 OpenDocument 文本（.odt）。"
    ]
    with pytest.raises(ValidationError) as refused:
        check_upload(upload("现场.pdf", PDF_BYTES), kinds={"jpg", "png"}, label="案例照片")
    assert refused.value.messages == [
        "文件“现场.pdf”的内容是 PDF，不是可接受的案例照片类型，未保存。可上传：图片（JPG、PNG）。"
    ]
    with pytest.raises(ValidationError, match="超过了 1 KB 的上限"):
        check_upload(upload("现场.png", png_bytes(size=(200, 200)) + b"\x00" * 2048), max_bytes=1024)


def test_evidence_by_default_takes_the_kinds_it_always_took():
    with pytest.raises(ValidationError, match="可上传：图片（JPG、PNG、GIF、WebP）、PDF、Word"):
        check_upload(upload("总结.odt", odt_bytes()))


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        check_upload(upload("a.pdf", PDF_BYTES), kinds={"pdf", "jpeg"})


# ---------------------------------------------------------------- structure, markup, downloads


def test_a_pdf_html_polyglot_is_refused_as_evidence_and_nothing_is_written(assignment, login, media):
    client = login(assignment.reporter)
    before = counts()
    data = report_data(assignment, files=[upload("签到表.pdf", polyglot_pdf(), "application/pdf")])
    response = client.post(reverse("campaigns:report", args=[assignment.pk]), data)
    assert response.status_code == 200
    assert "文件“签到表.pdf”的内容不是可接受的佐证材料类型，未保存：其中含有网页代码" in response.content.decode()
    assert counts() == before and stored_files(media) == []


@pytest.mark.parametrize("name, content", [
    ("签到表.pdf", b"%PDF-1.7\n<< /Type /Catalog >>\n%%EOF\n"),  # header and trailer, no PDF between
    ("总结.docx", zip_of({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})),  # parts undeclared
    ("总结.docx", zip_of({"[Content_Types].xml": "<<not xml", "word/document.xml": "<w:document/>"})),
])
def test_files_that_only_look_like_pdf_or_word_from_outside_are_refused(name, content):
    with pytest.raises(ValidationError, match="不是可接受的佐证材料类型"):
        check_upload(upload(name, content))


def test_an_office_file_that_inflates_out_of_proportion_is_refused():
    small = zip_of({"[Content_Types].xml": DOCX_TYPES, "word/document.xml": "<w:document/>"})
    assert check_upload(upload("总结.docx", small)).extension == "docx"
    bomb = zip_of({"[Content_Types].xml": DOCX_TYPES, "word/document.xml": "<w:document/>" + " " * 20_000_000})
    with pytest.raises(ValidationError, match="疑似压缩炸弹，已拒绝，未保存"):
        check_upload(upload("总结.docx", bomb))


def test_evidence_downloads_as_an_attachment_with_a_safe_chinese_name_and_type(assignment, login, media):
    client = login(assignment.reporter)
    data = report_data(assignment, files=[upload('现场"签到"/表.pdf', PDF_BYTES, "text/html")])
    client.post(reverse("campaigns:report", args=[assignment.pk]), data)
    evidence = Evidence.objects.get()
    assert evidence.file.name.endswith(".pdf") and "签到" not in evidence.file.name
    response = client.get(reverse("campaigns:evidence", args=[evidence.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition and '"' not in disposition.split("filename*=")[1]
    assert unquote(disposition.split("filename*=utf-8''")[1]) == "表.pdf"


@pytest.mark.parametrize("name, extension, expected", [
    ("现场照片.png", "png", "现场照片.png"),
    ("报告.html", "pdf", "报告.pdf"),  # the checked kind decides the extension
    ('a"b;c\r\nd.pdf', "pdf", "a_b_c_d.pdf"),
    ("", "pdf", "附件.pdf"),
    ("帮扶协议（青海大学—海东市 v1.2）", "pdf", "帮扶协议（青海大学—海东市 v1.2）.pdf"),
])
def test_download_names_keep_chinese_and_lose_what_could_break_a_header(name, extension, expected):
    assert safe_download_name(name, extension) == expected
