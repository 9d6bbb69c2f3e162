"""The one spreadsheet-formula guard of every export (tasks, assignments, progress reports,
survey responses, the report's annex).

A text cell that a spreadsheet could take for a formula — one starting with = + - @, a tab
or a carriage return, or the full-width ＝ ＋ － ＠ that Chinese input methods type — is
written as text: in xlsx as a string cell with Excel's quote prefix, in csv behind a
leading "'" (which the plan importer strips again). Headings go through the same guard,
since they are user text too (question titles, section headings).
"""

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


def xlsx_row(sheet, values):
    """A row for a write-only sheet: formula-like strings become guarded text cells,
    everything else passes as it is (cheap for the many plain cells)."""
    from openpyxl.cell import WriteOnlyCell

    return [guard_xlsx_cell(WriteOnlyCell(sheet, value=v)) if looks_like_formula(v) else v for v in values]
