"""Upload checks by content, not by the name or the browser's content type.

A written summary may carry a document (PDF, Word .docx/.doc, WPS/OpenDocument text);
typical cases carry photos (JPEG, PNG). Each check reads the file's first bytes (and for
images lets Pillow parse the whole picture) and raises a ValidationError in Chinese.
"""
import zipfile

from django.core.exceptions import ValidationError

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png"}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .wps


def _head(upload, n=8):
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head


def document_kind(upload):
    """'pdf', 'docx', 'odt' or 'doc' judged from the content, else None."""
    head = _head(upload)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(OLE_MAGIC):
        return "doc"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names:
            return "docx"
        if mimetype == b"application/vnd.oasis.opendocument.text":
            return "odt"
    return None


def check_document(upload):
    """Refuse a summary document that is too large or not a PDF/Word/OpenDocument file."""
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(f"附件不能超过 {DOCUMENT_MAX_BYTES // (1024 * 1024)} MB。")
    kind = document_kind(upload)
    if kind is None:
        raise ValidationError("附件须为 PDF、Word（.docx/.doc）或 OpenDocument 文本文件（按文件内容判断）。")
    return kind


def check_photo(upload):
    """Refuse a photo that is too large or is not a JPEG/PNG picture Pillow can read."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(f"照片“{upload.name}”超过 {PHOTO_MAX_BYTES // (1024 * 1024)} MB。")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            fmt = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(f"“{upload.name}”不是可识别的图片（仅支持 JPEG、PNG）。") from None
    finally:
        upload.seek(0)
    if fmt not in PHOTO_FORMATS:
        raise ValidationError(f"“{upload.name}”格式为 {fmt}，仅支持 JPEG、PNG。")
    return PHOTO_FORMATS[fmt]
