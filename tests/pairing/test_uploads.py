"""Pairing uploads are judged by their content (through campaigns.evidence), not their name."""
import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image

from campaigns.evidence import check_upload
from pairing.forms import ACTIVITY_EVIDENCE_KINDS, AGREEMENT_KINDS, upload_max_bytes
from tests.factories import docx_bytes, pdf_bytes, polyglot_pdf

PDF = pdf_bytes()


def zipped(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def image(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 120, 60)).save(buffer, fmt)
    return buffer.getvalue()


def xlsx():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2040


def check(name, content, kinds=ACTIVITY_EVIDENCE_KINDS):
    return check_upload(SimpleUploadedFile(name, content), kinds=kinds, max_bytes=upload_max_bytes(), label="帮扶协议")


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("whatever.bin", PDF, "pdf"),
        ("whatever.bin", image("PNG"), "png"),
        ("whatever.bin", image("JPEG"), "jpg"),
        ("whatever.bin", docx_bytes(), "docx"),
        ("whatever.bin", xlsx(), "xlsx"),
        ("旧协议.doc", OLE, "doc"),
        ("旧台账.xls", OLE, "xls"),
    ],
)
def test_documents_are_recognised_by_content(name, content, kind):
    assert check(name, content).extension == kind


@pytest.mark.parametrize(
    "name, content",
    [
        ("协议.docx", zipped("payload.exe")),  # a zip that is not an Office document
        ("协议.pdf", b"<script>alert(1)</script>"),
        ("照片.png", b"GIF89a"),
        ("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8),  # a PNG signature with no picture behind it
        ("协议.pdf", b"%PDF-1.7\n..."),  # a PDF header with no end-of-file marker
        ("协议.exe", OLE),  # an OLE container without an Office name
    ],
)
def test_other_content_is_refused_whatever_its_name(name, content):
    with pytest.raises(ValidationError, match="不是可接受的帮扶协议类型"):
        check(name, content)


def test_an_agreement_is_not_a_spreadsheet():
    with pytest.raises(ValidationError, match=r"Excel（\.xlsx），不是可接受的帮扶协议类型"):
        check("协议.xlsx", xlsx(), kinds=AGREEMENT_KINDS)
    assert check("协议.pdf", PDF, kinds=AGREEMENT_KINDS).extension == "pdf"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="空"):
        check("a.pdf", b"")


def test_the_limit_is_20_mb_unless_configured(settings):
    assert upload_max_bytes() == 20 * 1024 * 1024
    settings.PAIRING_MAX_UPLOAD_BYTES = 10
    assert upload_max_bytes() == 10


# ---------------------------------------------------------------- polyglots, stored names, downloads


def _pairing(world):
    from datetime import date

    from pairing.models import Pairing

    return Pairing.objects.create(campaign=world.campaign, task=world.task, mentor=world.mentor, mentee=world.mentee,
                                  status=Pairing.Status.ACTIVE, starts_on=date(2024, 5, 1))


def _state():
    from pairing.models import MentoringActivity, Pairing

    return sorted(Pairing.objects.values_list()), sorted(MentoringActivity.objects.values_list())


def test_a_pdf_html_polyglot_is_refused_as_agreement_and_as_activity_evidence(world, client, media):
    pairing = _pairing(world)
    client.force_login(world.mentor_user)
    before = _state()
    response = client.post(reverse("pairing:agreement", args=[pairing.pk]),
                           {"agreement": SimpleUploadedFile("协议.pdf", polyglot_pdf())})
    assert "文件“协议.pdf”的内容不是可接受的帮扶协议类型，未保存：其中含有网页代码" in response.content.decode()
    response = client.post(reverse("pairing:activity_new", args=[pairing.pk]), {
        "date": "2024-06-01", "kind": "qa", "participants": 1, "summary": "答疑",
        "evidence": SimpleUploadedFile("现场.pdf", polyglot_pdf())})
    assert "文件“现场.pdf”的内容不是可接受的活动佐证材料类型，未保存：其中含有网页代码" in response.content.decode()
    assert _state() == before
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_stored_agreements_and_evidence_get_generated_names_and_download_as_attachments(world, client, media):
    pairing = _pairing(world)
    client.force_login(world.mentor_user)
    client.post(reverse("pairing:agreement", args=[pairing.pk]),
                {"agreement": SimpleUploadedFile("<img src=x onerror=alert(1)>.html", pdf_bytes())})
    client.post(reverse("pairing:activity_new", args=[pairing.pk]), {
        "date": "2024-06-01", "kind": "qa", "participants": 1, "summary": "答疑",
        "evidence": SimpleUploadedFile("../../现场 照片.exe", image("PNG"))})
    pairing.refresh_from_db()
    activity = pairing.activities.get()
    assert re.fullmatch(r"pairing/agreements/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", pairing.agreement.name)
    assert re.fullmatch(r"pairing/evidence/\d{4}/\d{2}/[0-9a-f]{32}\.png", activity.evidence.name)

    for url, content_type, name in (
        (reverse("pairing:agreement", args=[pairing.pk]), "application/pdf", "帮扶协议（测试服务中心—东州市场监管局）.pdf"),
        (reverse("pairing:activity_evidence", args=[activity.pk]), "image/png", "帮扶活动佐证材料（2024-06-01）.png"),
    ):
        response = client.get(url)
        assert response["Content-Type"] == content_type and response["X-Content-Type-Options"] == "nosniff"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;") and unquote(disposition.split("filename*=utf-8''")[1]) == name
