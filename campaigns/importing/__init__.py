"""Importing a campaign plan and the unit directory, by concern:

- campaigns/intake.py      intake and file safety: size, type by content, zip checks, PDF text
- readers.py               reading: xlsx/csv/docx tables by header meaning, running text
                           (txt, pasted, docx paragraphs, PDF) through campaigns/notice.py
- plan.py                  the plan preview and its all-or-nothing commit
- stash.py                 the pending upload kept between preview and commit
- units.py                 the unit directory from a spreadsheet

One path for the web and the `import_plan` command:

    source = read_plan_file(filename, data)
    preview = build_preview(source, campaign)
    if not preview.has_errors:
        commit_preview(preview, user=...)
"""

from .plan import (
    CHANGED,
    ERROR,
    NEW,
    STATUS_LABELS,
    UNCHANGED,
    Change,
    Preview,
    RowPreview,
    StalePreview,
    build_preview,
    commit_preview,
    default_coordinating_unit,
    new_campaign_values,
)
from .readers import (
    COLUMNS,
    FIELD_LABELS,
    ImportRefused,
    Source,
    SourceRow,
    limit,
    parse_deadline,
    parse_number,
    parse_section,
    read_plan_file,
    text_cell,
)
from .stash import clean_expired_stash, drop_stash, load_stash, stash_options, stash_upload
from .units import UNIT_COLUMNS, import_units, preview_units, read_units_file

__all__ = [
    "CHANGED",
    "COLUMNS",
    "ERROR",
    "FIELD_LABELS",
    "NEW",
    "STATUS_LABELS",
    "UNCHANGED",
    "UNIT_COLUMNS",
    "Change",
    "ImportRefused",
    "Preview",
    "RowPreview",
    "Source",
    "SourceRow",
    "StalePreview",
    "build_preview",
    "clean_expired_stash",
    "commit_preview",
    "default_coordinating_unit",
    "drop_stash",
    "import_units",
    "limit",
    "load_stash",
    "new_campaign_values",
    "parse_deadline",
    "parse_number",
    "parse_section",
    "preview_units",
    "read_plan_file",
    "read_units_file",
    "stash_options",
    "stash_upload",
    "text_cell",
]
