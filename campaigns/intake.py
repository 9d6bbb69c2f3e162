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
