"""Checking uploaded files by what they contain, never by their names: the one upload
checker of the project (progress evidence, pairing agreements and activity evidence,
summary documents and case photos all go through `check_upload`, each naming the kinds
it accepts and its size limit).

A file is accepted only when its bytes are one of the kinds below, checked through its
structure: images are opened and decoded with Pillow (so a PNG signature followed by HTML
fails), PDFs are parsed by pypdf (cross-reference table, catalogue, at least one page),
Office files must be a ZIP that passes the zip-bomb checks with the parts Word, Excel or
PowerPoint write, declared in a well-formed [Content_Types].xml (or an OpenDocument text
package with its mimetype member), or an OLE compound document (the older .doc/.xls/.ppt
and WPS formats). Whatever the kind, a file whose bytes carry HTML markup (`<html`,
`<script`, `<svg` …) is refused: a PDF/HTML polyglot never gets in.

Downloads of stored files go through `attachment_response`: always an attachment with a
sanitised name, `nosniff`, a content type from the checked kind (never text/html).
"""
import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from PIL import Image, UnidentifiedImageError

from .intake import FileRefused, check_zip

# Markup a browser would render if it ever took the file for a page. Looked for anywhere in
# the bytes, case-insensitively; no accepted kind needs to carry it in the clear.
MARKUP = re.compile(rb"<(?:html|script|body|iframe|svg|object|embed|!doctype\s+html)[\s>/]", re.IGNORECASE)

# The one place that says, per extension, what a kind is called in Chinese: a family and,
# where the family has several members, the member's label. Messages and form help texts
# are generated from it, listing only the kinds a caller accepts, in this order.
KIND_NAMES = {
    "jpg": ("图片", "JPG"),
    "png": ("图片", "PNG"),
    "gif": ("图片", "GIF"),
    "webp": ("图片", "WebP"),
    "pdf": ("PDF", ""),
    "docx": ("Word", ".docx"),
    "doc": ("Word", ".doc"),
    "odt": ("OpenDocument 文本", ".odt"),
    "xlsx": ("Excel", ".xlsx"),
    "xls": ("Excel", ".xls"),
    "pptx": ("PowerPoint", ".pptx"),
    "ppt": ("PowerPoint", ".ppt"),
    "wps": ("WPS", ".wps"),
    "et": ("WPS", ".et"),
    "dps": ("WPS", ".dps"),
}

# What a progress report's evidence may be when the caller names no kinds.
EVIDENCE_KINDS = frozenset({
    "jpg", "png", "gif", "webp", "pdf", "docx", "doc", "xlsx", "xls", "pptx", "ppt", "wps", "et", "dps",
})

IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}

# (main part, content type of the file, extension, content types the package may declare for its main part)
OOXML_PARTS = [
    ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
     ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
      "application/vnd.ms-word.document.macroEnabled.main+xml")),
    ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
     ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
      "application/vnd.ms-excel.sheet.macroEnabled.main+xml")),
    ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx",
     ("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
      "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml")),
]
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"

# OpenDocument packages name their type in a first, uncompressed member called "mimetype".
ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": ("application/vnd.oasis.opendocument.text", "odt"),
}

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


def describe_kinds(kinds):
    """The accepted kinds in Chinese, grouped by family in KIND_NAMES' order:
    {"pdf", "docx", "doc"} -> “PDF 或 Word（.docx、.doc）”."""
    families = {}
    for extension, (family, member) in KIND_NAMES.items():
        if extension in kinds:
            members = families.setdefault(family, [])
            if member:
                members.append(member)
    parts = [f"{family}（{'、'.join(members)}）" if members else family for family, members in families.items()]
    if len(parts) <= 1:
        return "".join(parts)
    head, last = "、".join(parts[:-1]), parts[-1]
    before = " " if head[-1].isascii() else ""
    after = " " if last[0].isascii() else ""
    return f"{head}{before}或{after}{last}"


def describe_kind(extension):
    """One detected kind in Chinese: "png" -> “PNG 图片”, "doc" -> “Word（.doc）”."""
    family, member = KIND_NAMES[extension]
    if family == "图片":
        return f"{member} 图片"
    return f"{family}（{member}）" if member else family


ALLOWED_DESCRIPTION = describe_kinds(EVIDENCE_KINDS)


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


def evidence_max_bytes():
    """The evidence limit (setting EVIDENCE_MAX_BYTES), the default for check_upload."""
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
    """A PDF that pypdf can open: header, end marker, cross-reference, catalogue, pages."""
    from pypdf import PdfReader

    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                return None
            if reader.trailer.get("/Root") is None or len(reader.pages) < 1:
                return None
    except Exception:  # noqa: BLE001 - any parser failure means "not a PDF we accept"
        return None
    return ("application/pdf", "pdf")


def _ooxml_main_type(archive):
    """The content types [Content_Types].xml declares per part name (defusedxml; None if unreadable)."""
    from defusedxml import ElementTree

    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > 1024 * 1024:
        return None
    try:
        root = ElementTree.fromstring(archive.read(info))
    except Exception:  # noqa: BLE001 - malformed or hostile XML
        return None
    if root.tag != f"{CONTENT_TYPES_NS}Types":
        return None
    return {
        (o.get("PartName") or "").lstrip("/"): o.get("ContentType")
        for o in root.iter(f"{CONTENT_TYPES_NS}Override")
    }


def _zip_kind(data, upload):
    """An Office Open XML file by its declared main part, or an OpenDocument file by its
    mimetype member; the archive first passes the zip-bomb checks of the intake."""
    try:
        check_zip(data)
    except FileRefused:
        return None
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                declared = _ooxml_main_type(archive)
                if declared is None:
                    return None
                for part, content_type, extension, main_types in OOXML_PARTS:
                    if part in names and declared.get(part) in main_types:
                        return (content_type, extension)
                return None
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    return ODF_TYPES.get(archive.read(info).strip())
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, NotImplementedError):
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
        return _zip_kind(data, upload)
    if head.startswith(OLE_SIGNATURE):
        return _ole_kind(data, original_name)
    return None


def check_upload(upload, *, kinds=None, max_bytes=None, label="佐证材料"):
    """Check one uploaded file by its content and size; return a CheckedFile or raise a
    ValidationError in Chinese naming the file, the limit or the accepted kinds.

    `kinds`: the extensions accepted (keys of KIND_NAMES; default EVIDENCE_KINDS);
    `max_bytes`: the size limit (default the EVIDENCE_MAX_BYTES setting);
    `label`: what the file is for, in Chinese (“帮扶协议”, “案例照片”), used in messages.
    """
    kinds = EVIDENCE_KINDS if kinds is None else frozenset(kinds)
    unknown = kinds - KIND_NAMES.keys()
    if unknown:
        raise ValueError(f"unknown upload kinds: {sorted(unknown)}")
    limit = evidence_max_bytes() if max_bytes is None else max_bytes
    name = PurePath(upload.name or "").name[:255] or "未命名文件"
    if upload.size > limit:
        raise ValidationError(
            f"文件“{name}”大小为 {human_size(upload.size)}，超过了 {human_size(limit)} 的上限，未保存。"
            "请压缩照片或拆分文件后再上传。"
        )
    if upload.size == 0:
        raise ValidationError(f"文件“{name}”是空文件，未保存。")
    data = _read_all(upload)
    if MARKUP.search(data):
        raise ValidationError(
            f"文件“{name}”的内容不是可接受的{label}类型，未保存：其中含有网页代码（HTML、SVG 或脚本）。"
            f"可上传：{describe_kinds(kinds)}。"
        )
    # A readable archive that inflates out of proportion is named a bomb; a broken one is
    # simply not an accepted kind (below).
    if data.startswith(b"PK\x03\x04") and zipfile.is_zipfile(io.BytesIO(data)):
        try:
            check_zip(data, what=f"文件“{name}”")
        except FileRefused as refused:
            raise ValidationError(f"{str(refused).rstrip('。')}，未保存。") from None
    kind = detect_kind(data, upload, name)
    if kind is None:
        raise ValidationError(
            f"文件“{name}”的内容不是可接受的{label}类型，未保存。可上传：{describe_kinds(kinds)}。"
        )
    content_type, extension = kind
    if extension not in kinds:
        raise ValidationError(
            f"文件“{name}”的内容是 {describe_kind(extension)}，不是可接受的{label}类型，未保存。"
            f"可上传：{describe_kinds(kinds)}。"
        )
    # What the content proved the file to be; generated_name() names the stored file by it.
    upload.checked_extension = extension
    return CheckedFile(
        upload=upload,
        original_name=name,
        content_type=content_type,
        extension=extension,
        size=upload.size,
        sha256=hashlib.sha256(data).hexdigest(),
    )


# ---------------------------------------------------------------- stored names and downloads


def generated_name(upload):
    """A fresh name for storing a checked upload: a UUID and the extension its content
    proved (check_upload), so nothing the uploader chose reaches the file system."""
    from uuid import uuid4

    extension = getattr(upload, "checked_extension", None)
    if extension not in KIND_NAMES:
        raise ValueError("generated_name() needs an upload that passed check_upload()")
    return f"{uuid4().hex}.{extension}"


SAFE_CONTENT_TYPES = {ext: ctype for ext, ctype in OLE_TYPES.items()} | {
    "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp", "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
} | {extension: content_type for _, content_type, extension, _ in OOXML_PARTS}
UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def safe_download_name(name, extension, fallback="附件"):
    """A download name that keeps the uploader's Chinese but nothing a header or a file
    system could trip over (controls, quotes, slashes, semicolons), ending in the checked
    extension whatever the uploader called it."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,8}$", "", unicodedata.normalize("NFC", str(name or "")))
    stem = UNSAFE_NAME.sub("_", stem).strip(" ._")[:100] or fallback
    return f"{stem}.{extension}" if extension else stem


def attachment_response(fieldfile, name, extension=None):
    """Serve a stored upload as a download: `attachment` with an RFC 5987 file name
    (Django's FileResponse writes filename*=utf-8''…), `nosniff`, a content type taken
    from the checked extension (application/octet-stream otherwise, never text/html), and
    a sandboxing CSP in case a browser ever renders it anyway. Missing file → 404."""
    from django.http import Http404

    extension = (extension or PurePath(fieldfile.name).suffix.lstrip(".")).lower()
    content_type = SAFE_CONTENT_TYPES.get(extension, "application/octet-stream")
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    response = FileResponse(handle, as_attachment=True, filename=safe_download_name(name, extension),
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-cache"
    return response
