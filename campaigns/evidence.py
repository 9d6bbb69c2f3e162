"""Checking evidence files by what they contain, never by their names.

A file is accepted only when its bytes are one of the kinds below, checked through its
whole structure where that is cheap: images are opened and decoded with Pillow (so a PNG
signature followed by HTML fails), PDFs must start with the PDF header and end with an
end-of-file marker, Office files must be a readable ZIP with the parts Word, Excel or
PowerPoint write, or an OLE compound document (the older .doc/.xls/.ppt and WPS formats).
"""
import hashlib
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED_DESCRIPTION = "照片（JPG、PNG、GIF、WebP）、PDF、Word、Excel、PowerPoint 或 WPS 文件"

IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}

OOXML_PARTS = [
    ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
]

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An OLE container does not say cheaply which program wrote it; the name's extension picks
# the label among these, and nothing else is accepted.
OLE_TYPES = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "wps": "application/vnd.ms-works",
    "et": "application/vnd.ms-excel",
    "dps": "application/vnd.ms-powerpoint",
}


@dataclass
class CheckedFile:
    upload: object
    original_name: str
    content_type: str
    extension: str
    size: int
    sha256: str


def human_size(n):
    """1536 -> “1.5 KB”, 20971520 -> “20 MB” (plain spaces, one decimal where it matters)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= factor:
            value = n / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} 字节"


def max_bytes():
    return getattr(settings, "EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)


def _read_all(upload):
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _image_kind(data, upload):
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as img:
                fmt = img.format
                img.verify()
            upload.seek(0)
            # verify() checks the chunks; load() decodes the pixels, so truncated or
            # foreign data after a valid header fails too.
            with Image.open(upload) as img:
                img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        return None
    finally:
        upload.seek(0)
    return IMAGE_FORMATS.get(fmt)


def _pdf_kind(data):
    if not data.startswith(b"%PDF-"):
        return None
    if b"%%EOF" not in data[-2048:]:
        return None
    return ("application/pdf", "pdf")


def _ooxml_kind(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            for part, content_type, extension in OOXML_PARTS:
                if part in names:
                    return (content_type, extension)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def _ole_kind(data, original_name):
    if not data.startswith(OLE_SIGNATURE) or len(data) < 1024:
        return None
    extension = PurePath(original_name).suffix.lower().lstrip(".")
    if extension in OLE_TYPES:
        return (OLE_TYPES[extension], extension)
    return None


def detect_kind(data, upload, original_name=""):
    """(content type, extension) of an accepted file, or None."""
    head = data[:16]
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return _image_kind(data, upload)
    if head.startswith(b"%PDF-"):
        return _pdf_kind(data)
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_kind(upload)
    if head.startswith(OLE_SIGNATURE):
        return _ole_kind(data, original_name)
    return None


def check_upload(upload):
    """Check one uploaded file; return a CheckedFile or raise a ValidationError in Chinese."""
    name = PurePath(upload.name or "").name[:255] or "未命名文件"
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            f"文件“{name}”大小为 {human_size(upload.size)}，超过了 {human_size(limit)} 的上限，未保存。"
            "请压缩照片或拆分文件后再上传。"
        )
    if upload.size == 0:
        raise ValidationError(f"文件“{name}”是空文件，未保存。")
    data = _read_all(upload)
    kind = detect_kind(data, upload, name)
    if kind is None:
        raise ValidationError(
            f"文件“{name}”的内容不是可接受的佐证材料类型，未保存。可上传：{ALLOWED_DESCRIPTION}。"
        )
    content_type, extension = kind
    return CheckedFile(
        upload=upload,
        original_name=name,
        content_type=content_type,
        extension=extension,
        size=upload.size,
        sha256=hashlib.sha256(data).hexdigest(),
    )
