"""The one intake for uploaded Office files: zip checks before any parser runs, and
spreadsheet rows read streaming with a row limit.

Every spreadsheet the product reads (plan imports, unit directory, question sheets) goes
through `check_zip` and `xlsx_rows`: a forged sheet dimension ("A1:XFD1048576") or a cell
in the last row cannot make the reader allocate a million rows, and an archive whose
parts inflate out of proportion (shared strings of 1 GB in a 1 MB file) is refused before
openpyxl unpacks anything.
"""
import io
import zipfile

from django.conf import settings

# Defaults, each overridable in settings as IMPORT_<NAME>.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_ARCHIVE_MEMBERS = 1_000
MAX_COLUMNS = 50


def limit(name, default=None):
    return getattr(settings, f"IMPORT_{name}", globals().get(name, default))


class FileRefused(ValueError):
    """The file as a whole is refused (too big, wrong type, unreadable): nothing is read."""


def check_zip(data, what="文件"):
    """Refuse an archive whose unpacked size is out of proportion before anything parses it.

    Returns the names of the archive's members."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRefused(f"{what}已损坏，无法打开。") from None
    with archive:
        members = archive.infolist()
        if len(members) > limit("MAX_ARCHIVE_MEMBERS"):
            raise FileRefused(f"{what}包含的部件过多（{len(members)} 个），已拒绝。")
        unpacked = sum(m.file_size for m in members)
        packed = max(sum(m.compress_size for m in members), 1)
        if unpacked > limit("MAX_UNPACKED_BYTES") or unpacked / packed > limit("MAX_RATIO"):
            raise FileRefused(
                f"{what}解压后大小（{unpacked // 1024} KB）与文件大小（{len(data) // 1024} KB）不成比例，"
                "疑似压缩炸弹，已拒绝。"
            )
        return {m.filename for m in members}


def xlsx_rows(data, *, max_rows, what="Excel 文件", max_columns=None, first_sheet=False, too_long=None):
    """Yield (row number, [values]) of a workbook's active (or first) sheet, values not formulas.

    Streams in openpyxl's read-only mode with the sheet's claimed dimensions ignored, so
    memory stays flat whatever the file declares; stops with FileRefused once more than
    `max_rows` rows (blank ones included) have been read (message `too_long` if given).
    Cells past `max_columns` (default MAX_COLUMNS) are dropped.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_zip(data, what)
    max_columns = max_columns or limit("MAX_COLUMNS")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, InvalidFileException):
        raise FileRefused(
            f"无法读取{what}：请确认它是用 Excel 或 WPS 保存的 .xlsx 文件，且没有损坏或加密。"
        ) from None
    try:
        if not workbook.worksheets:
            raise FileRefused(f"{what}中没有工作表。")
        sheet = workbook.worksheets[0] if first_sheet else workbook.active
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > max_rows:
                raise FileRefused(too_long or f"{what}超过 {max_rows} 行的上限，已拒绝。")
            yield number, list(values[:max_columns])
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        if isinstance(exc, FileRefused):
            raise
        raise FileRefused(f"无法读取{what}：文件内容已损坏。") from None
    finally:
        workbook.close()


# ---------------------------------------------------------------- uploads by content

MAX_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 200
MAX_TEXT_CHARS = 2_000_000

OFFICE_EXTENSIONS = ("xlsx", "csv", "txt", "docx", "pdf")


def check_size(data, size=None):
    """Refuse an empty or oversized upload (before reading it when its `size` is known)."""
    size = len(data) if size is None else size
    if size > limit("MAX_BYTES"):
        raise FileRefused(f"文件大小 {size // 1024} KB 超过上限 {limit('MAX_BYTES') // 1024} KB，已拒绝。")
    if data is not None and size == 0:
        raise FileRefused("文件是空的。")


def sniff(filename, data, accepted=OFFICE_EXTENSIONS):
    """The file's type by its content ("xlsx", "docx", "pdf", "text"), checked against its extension."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in accepted:
        names = [f".{e}" for e in accepted]
        raise FileRefused("只接受 " + ("、".join(names[:-1]) + " 或 " if len(names) > 1 else "") + names[-1] + " 文件。")
    if data[:4] == b"PK\x03\x04":
        names = check_zip(data, "Excel 文件" if ext == "xlsx" else "Word 文件")
        if "xl/workbook.xml" in names:
            kind = "xlsx"
        elif "word/document.xml" in names:
            kind = "docx"
        else:
            raise FileRefused("文件内容既不是 Excel 表格也不是 Word 文档。")
    elif data[:5] == b"%PDF-":
        kind = "pdf"
    elif b"\x00" in data[:4096] or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused("文件不是文本、Excel（.xlsx）、Word（.docx）或 PDF 格式；旧版 .xls/.doc 请另存为新格式。")
    else:
        kind = "text"
    expected = {"xlsx": "xlsx", "docx": "docx", "pdf": "pdf", "csv": "text", "txt": "text"}[ext]
    if kind != expected:
        raise FileRefused(f"文件扩展名 .{ext} 与其内容不符。")
    return kind


def decode_text(data):
    """Text files from Chinese offices come as UTF-8 (with or without BOM) or GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused("无法识别文件的文字编码，请另存为 UTF-8 编码。")


def pdf_text(data):
    """The text layer of a PDF, page by page (pypdf), bounded in pages and characters.

    A scanned PDF (images only) has no text layer: refused with a message saying so."""
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise FileRefused("PDF 文件已加密，请先取消密码保护后再上传。")
        pages = reader.pages
        if len(pages) > limit("MAX_PDF_PAGES"):
            raise FileRefused(f"PDF 超过 {limit('MAX_PDF_PAGES')} 页的上限，已拒绝。")
        texts, total = [], 0
        for page in pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > limit("MAX_TEXT_CHARS"):
                raise FileRefused("PDF 的文字超过上限，已拒绝。")
            texts.append(text)
    except FileRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise FileRefused("无法读取 PDF 文件：文件已损坏或格式不受支持。") from None
    if not "".join(texts).strip():
        raise FileRefused(
            "这个 PDF 没有文字层（可能是扫描件），无法读取文字。请上传 Word 或文本版本，或先做文字识别（OCR）。"
        )
    return "\n".join(texts)
