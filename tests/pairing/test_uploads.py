"""Pairing uploads are judged by their content (through campaigns.evidence), not their name."""
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image

from campaigns.evidence import check_upload
from pairing.forms import ACTIVITY_EVIDENCE_KINDS, AGREEMENT_KINDS, upload_max_bytes

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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
        ("whatever.bin", zipped("[Content_Types].xml", "word/document.xml"), "docx"),
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
