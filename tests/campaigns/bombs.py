"""Two spreadsheet bombs, as an attacker would send them to any upload that reads a sheet.

- `dimension_bomb`: a 5 KB workbook that declares A1:XFD1048576 and has a cell in the very
  last row, so a reader that trusts the dimension or fills the gap allocates a million rows;
- `shared_strings_bomb`: a workbook whose shared strings inflate from about 150 KB to
  150 MB (a thousand times), so a reader that unpacks them first runs out of memory.
"""
import io
import re
import zipfile
from functools import lru_cache

from openpyxl import Workbook

SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
INFLATED_BYTES = 150 * 1024 * 1024


def _workbook(first_row):
    wb = Workbook()
    ws = wb.active
    ws.append(first_row)
    ws["A1048576"] = "最后一行"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _rewrite(data, change):
    """Copy the package, letting change(name, body) rewrite parts; returns the new bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, change(item.filename, src.read(item.filename)), zipfile.ZIP_DEFLATED)
        change.extra(dst)
    return out.getvalue()


@lru_cache(maxsize=4)
def dimension_bomb(first_row=("页面", "代码", "题型", "标题")):
    def change(name, body):
        if name == "xl/worksheets/sheet1.xml":
            body = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', body)
            assert b'r="A1048576"' in body
        return body

    change.extra = lambda dst: None
    data = _rewrite(_workbook(list(first_row)), change)
    assert len(data) < 10_000
    return data


@lru_cache(maxsize=4)
def shared_strings_bomb(first_row=("页面", "代码", "题型", "标题")):
    def change(name, body):
        if name == "[Content_Types].xml":
            body = body.replace(b"</Types>", (
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/></Types>').encode())
        if name == "xl/_rels/workbook.xml.rels":
            body = body.replace(b"</Relationships>", (
                b'<Relationship Id="rIdBomb" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/sharedStrings"/></Relationships>'))
        return body

    def extra(dst):
        # Streamed in chunks: the test itself never holds the inflated text.
        info = zipfile.ZipInfo("xl/sharedStrings.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w") as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                       b'uniqueCount="1"><si><t>')
            chunk = b"A" * (1024 * 1024)
            for _ in range(INFLATED_BYTES // len(chunk)):
                part.write(chunk)
            part.write(b"</t></si></sst>")

    change.extra = extra
    return _rewrite(_workbook(list(first_row)), change)
