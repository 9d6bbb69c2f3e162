"""Checking uploaded agreements and evidence by their content (not their name) and size."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = getattr(settings, "PAIRING_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)


def sniff(head, file):
    """The document kind from the file's first bytes (and, for zip files, its members), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ms-office-97"  # .doc / .xls
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    return None


def check_document(file, allowed=("pdf", "png", "jpeg", "docx", "xlsx", "ms-office-97")):
    """Raise a ValidationError in Chinese unless `file` is an allowed kind and small enough."""
    if file is None:
        return None
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"文件过大：不能超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB。")
    if file.size == 0:
        raise ValidationError("文件是空的。")
    file.seek(0)
    head = file.read(16)
    kind = sniff(head, file)
    file.seek(0)
    if kind not in allowed:
        raise ValidationError("文件类型不支持：请上传 PDF、Word、Excel 或 JPG/PNG 图片（按文件内容判断，不看扩展名）。")
    return kind
