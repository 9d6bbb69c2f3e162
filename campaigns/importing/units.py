"""The unit directory from a spreadsheet (administrators): django-import-export, previewed
then written all or nothing."""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction

from ..intake import decode_text, sniff
from ..models import Unit
from .plan import CHANGED, ERROR, NEW, STATUS_LABELS, UNCHANGED
from .readers import ImportRefused, limit, parse_number, text_cell, unescape_csv, xlsx_table


def unit_resource():
    """A django-import-export ModelResource for units, matched by name, with Chinese columns.

    Written in bulk with every existing unit and region loaded up front, so previewing or
    importing a directory costs the same few queries however many rows it has. Rows are
    validated here rather than by Model.full_clean (which would query once per row).
    """
    from import_export import fields, instance_loaders, resources, widgets

    from ..models import Region

    kinds = {str(label): value for value, label in Unit.Kind.choices} | {value: value for value in Unit.Kind.values}

    class KindWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            text = re.sub(r"\s+", "", str(value or ""))
            if text not in kinds:
                raise ValueError(f"类别“{text}”无效，应为：" + "、".join(str(label) for _, label in Unit.Kind.choices))
            return kinds[text]

        def render(self, value, obj=None, **kwargs):
            return Unit.Kind(value).label if value else ""

    class AliasesWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return [part.strip() for part in re.split(r"[、，,;；\n]", str(value or "")) if part.strip()]

        def render(self, value, obj=None, **kwargs):
            return "、".join(value or [])

    regions = {}
    for region in Region.objects.all():
        regions.setdefault(region.name, region)
        if region.short_name:
            regions.setdefault(region.short_name, region)

    class RegionWidget(widgets.ForeignKeyWidget):
        def clean(self, value, row=None, **kwargs):
            name = text_cell(value)
            if not name:
                return None
            if name not in regions:
                raise ValueError(f"未知地区“{name}”")
            return regions[name]

    class TextWidget(widgets.CharWidget):
        def __init__(self, max_length=None, **kwargs):
            super().__init__(**kwargs)
            self.max_length = max_length

        def clean(self, value, row=None, **kwargs):
            text = text_cell(value)
            if self.max_length and len(text) > self.max_length:
                raise ValueError(f"“{text[:20]}…”超过 {self.max_length} 字")
            return text

    class OrdinalWidget(widgets.IntegerWidget):
        def clean(self, value, row=None, **kwargs):
            if text_cell(value) == "":
                return 0
            try:
                number = parse_number(value) if text_cell(value) != "0" else 0
            except ValueError:
                raise ValueError(f"排序“{text_cell(value)}”不是非负整数") from None
            return number

    class _UnitResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="名称", widget=TextWidget(100))
        short_name = fields.Field(attribute="short_name", column_name="简称", widget=TextWidget(40))
        aliases = fields.Field(attribute="aliases", column_name="别名", widget=AliasesWidget())
        kind = fields.Field(attribute="kind", column_name="类别", widget=KindWidget())
        region = fields.Field(attribute="region", column_name="地区", widget=RegionWidget(Region, "name"))
        description = fields.Field(attribute="description", column_name="说明", widget=TextWidget(200))
        ordinal = fields.Field(attribute="ordinal", column_name="排序", widget=OrdinalWidget())

        class Meta:
            model = Unit
            fields = ("name", "short_name", "aliases", "kind", "region", "description", "ordinal")
            import_id_fields = ("name",)
            instance_loader_class = instance_loaders.CachedInstanceLoader
            use_bulk = True
            batch_size = 500
            skip_unchanged = True
            report_skipped = True
            store_instance = True

        def before_import(self, dataset, **kwargs):
            self._seen = {}

        def before_import_row(self, row, row_number=None, **kwargs):
            name = text_cell(row.get("名称"))
            if not name:
                raise ValueError("缺少单位名称")
            if name in self._seen:
                raise ValueError(f"单位名称与第{self._seen[name] + 1}行重复")
            self._seen[name] = row_number

    return _UnitResource()


UNIT_COLUMNS = ("名称", "简称", "别名", "类别", "地区", "说明", "排序")


def read_units_file(filename, data):
    """An uploaded units spreadsheet (xlsx or csv) as a tablib Dataset, after the same checks as plans."""
    import tablib

    if len(data) > limit("MAX_BYTES"):
        raise ImportRefused(f"文件大小 {len(data) // 1024} KB 超过上限 {limit('MAX_BYTES') // 1024} KB，已拒绝。")
    kind = sniff(filename, data, ("xlsx", "csv"))
    if kind == "xlsx":
        header, body = xlsx_table(data)
        dataset = tablib.Dataset(headers=[text_cell(h) for h in header])
        for _, values in body:
            dataset.append((list(values) + [None] * len(header))[: len(header)])
    elif filename.lower().endswith(".csv"):
        rows = list(csv.reader(io.StringIO(decode_text(data))))
        if not rows:
            raise ImportRefused("表格是空的。")
        dataset = tablib.Dataset(headers=rows[0])
        width = len(rows[0])
        for values in rows[1:]:
            dataset.append(([unescape_csv(v) for v in values] + [""] * width)[:width])
    else:
        raise ImportRefused("单位目录只接受 .xlsx 或 .csv 表格。")
    headers = [re.sub(r"\s+", "", str(h or "")) for h in dataset.headers or []]
    if "名称" not in headers or "类别" not in headers:
        raise ImportRefused("表格第1行应为表头，至少包含“名称”“类别”两列（可用列：" + "、".join(UNIT_COLUMNS) + "）。")
    dataset.headers = headers
    if dataset.height > limit("MAX_ROWS"):
        raise ImportRefused(f"文件超过 {limit('MAX_ROWS')} 行的上限，已拒绝。")
    return dataset


@dataclass
class UnitRow:
    row: int
    name: str
    status: str
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def status_display(self):
        return STATUS_LABELS[self.status]


def _unit_rows(result, dataset):
    """django-import-export's result as preview rows with sheet row numbers (header = row 1)."""
    from import_export.results import RowResult

    rows = []
    errors = {number: errs for number, errs in result.row_errors()}
    invalid = {inv.number: inv for inv in result.invalid_rows}
    for index, row_result in enumerate(result.rows, start=1):
        name = text_cell(dataset[index - 1][dataset.headers.index("名称")]) if index <= dataset.height else ""
        r = UnitRow(row=index + 1, name=name, status=UNCHANGED)
        if index in errors:
            r.status = ERROR
            r.errors = [str(e.error) for e in errors[index]]
        elif index in invalid or row_result.import_type == RowResult.IMPORT_TYPE_INVALID:
            r.status = ERROR
            inv = invalid.get(index)
            labels = dict(
                zip(("name", "short_name", "aliases", "kind", "region", "description", "ordinal"), UNIT_COLUMNS, strict=True)
            )
            r.errors = [
                f"{labels.get(k, k)}：{'；'.join(map(str, v))}" for k, v in (inv.error_dict.items() if inv else [])
            ] or ["数据无效"]
        elif row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            r.status = NEW
        elif row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            r.status = CHANGED
            before, after = row_result.original, row_result.instance
            for fieldname, label in zip(
                ("short_name", "aliases", "kind", "region_id", "description", "ordinal"), UNIT_COLUMNS[1:], strict=True
            ):
                if before is not None and after is not None and getattr(before, fieldname) != getattr(after, fieldname):
                    r.changes.append((label, getattr(before, fieldname), getattr(after, fieldname)))
        rows.append(r)
    return rows


def preview_units(dataset):
    """Dry-run the units import (rolled back); returns the preview rows."""
    resource = unit_resource()
    result = resource.import_data(dataset, dry_run=True, use_transactions=True, raise_errors=False)
    rows = _unit_rows(result, dataset)
    for error in result.base_errors:
        rows.append(UnitRow(row=0, name="", status=ERROR, errors=[f"无法写入：{error.error}"]))
    return rows


@transaction.atomic
def import_units(dataset):
    """Create and update units from `dataset`, all or nothing; returns the preview rows.

    Raises ValueError (and writes nothing) if any row has an error.
    """
    resource = unit_resource()
    result = resource.import_data(
        dataset, dry_run=False, use_transactions=True, raise_errors=False, rollback_on_validation_errors=True
    )
    rows = _unit_rows(result, dataset)
    if result.base_errors or any(r.status == ERROR for r in rows):
        transaction.set_rollback(True)
        raise ValueError("units import has errors")
    return rows
