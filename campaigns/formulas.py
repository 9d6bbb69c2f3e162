"""The one spreadsheet-formula guard of every export (tasks, assignments, progress reports,
survey responses, the report's annex).

A text cell that a spreadsheet could take for a formula — one starting with = + - @, a tab
or a carriage return, or the full-width ＝ ＋ － ＠ that Chinese input methods type — is
written as text: in xlsx as a string cell with Excel's quote prefix, in csv behind a
leading "'" (which the plan importer strips again). Headings go through the same guard,
since they are user text too (question titles, section headings).
"""

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def looks_like_formula(value):
    """True for a str a spreadsheet could evaluate."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value):
    """`value` (a str) as a csv field that opens as text."""
    return "'" + value if looks_like_formula(value) else value


def csv_unescape(value):
    """Undo csv_text: "'=1+1" was written for the text "=1+1"."""
    if len(value) > 1 and value[0] == "'" and looks_like_formula(value[1:]):
        return value[1:]
    return value


def guard_xlsx_cell(cell):
    """Make an openpyxl cell holding a str a text cell (never a formula); quote-prefix it
    when it looks like one, so Excel keeps it text when the cell is edited too."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if looks_like_formula(cell.value):
            cell.quotePrefix = True
    return cell


def xlsx_text(value):
    """`value` (a str) without the control characters an xlsx cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def xlsx_value(sheet, value):
    """A value for a write-only row: text loses the characters an xlsx cannot hold, and text
    a spreadsheet would take for a formula or an error value ("#N/A") becomes a guarded text
    cell; everything else passes as it is (cheap for the many plain cells)."""
    if isinstance(value, str):
        value = xlsx_text(value)
        if looks_like_formula(value) or value in ERROR_CODES:
            return guard_xlsx_cell(WriteOnlyCell(sheet, value=value))
    return value


def xlsx_row(sheet, values):
    """A row for a write-only sheet (see xlsx_value)."""
    return [xlsx_value(sheet, v) for v in values]
