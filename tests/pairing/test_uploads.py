"""Uploads are judged by their content, not their name."""
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pairing.uploads import check_document


def zipped(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, kind",
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 8, "jpeg"),
        (zipped("[Content_Types].xml", "word/document.xml"), "docx"),
        (zipped("[Content_Types].xml", "xl/workbook.xml"), "xlsx"),
    ],
)
def test_documents_are_recognised_by_content(content, kind):
    assert check_document(SimpleUploadedFile("whatever.bin", content)) == kind


@pytest.mark.parametrize(
    "name, content",
    [
        ("协议.docx", zipped("payload.exe")),  # a zip that is not an Office document
        ("协议.pdf", b"<script>alert(1)</script>"),
        ("照片.png", b"GIF89a"),
    ],
)
def test_other_content_is_refused_whatever_its_name(name, content):
    with pytest.raises(ValidationError, match="文件类型不支持"):
        check_document(SimpleUploadedFile(name, content))


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="空"):
        check_document(SimpleUploadedFile("a.pdf", b""))
