"""python manage.py import_plan FILE --campaign CODE [--dry-run]

The same path as the web import: read and check the file, print the preview, and unless
--dry-run commit it all or nothing. Any error (refused file, a row error) exits non-zero
with nothing written. A CODE that names no campaign creates one in draft (see
importing.new_campaign_values for its defaults).
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from campaigns import importing
from campaigns.models import Campaign, Unit


class Command(BaseCommand):
    help = "导入活动方案（xlsx、csv、txt、docx 或 pdf）：打印预览，无错误时全部写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx、csv、txt、docx 或 pdf 文件")
        parser.add_argument("--campaign", required=True, help="活动方案代码；不存在时新建（草稿）")
        parser.add_argument("--dry-run", action="store_true", help="只打印预览，不写入")
        parser.add_argument("--coordinating-unit", help="新建活动方案时的协调单位名称（默认：最近一个活动方案的协调单位）")

    def handle(self, *args, file, campaign, dry_run, coordinating_unit, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        if path.stat().st_size > importing.limit("MAX_BYTES"):
            raise CommandError(f"文件大小超过上限 {importing.limit('MAX_BYTES') // 1024} KB，已拒绝。")
        try:
            source = importing.read_plan_file(path.name, path.read_bytes())
        except importing.ImportRefused as exc:
            raise CommandError(str(exc)) from None

        target = Campaign.objects.filter(code=campaign).first()
        unit = None
        if target is None:
            try:
                validate_slug(campaign)
            except ValidationError:
                raise CommandError(f"活动方案代码“{campaign}”只能包含字母、数字、连字符和下划线。") from None
            if coordinating_unit:
                unit = Unit.objects.filter(name=coordinating_unit).first()
                if unit is None:
                    raise CommandError(f"未知协调单位“{coordinating_unit}”。")
        preview = importing.build_preview(source, target, new_code=campaign, coordinating_unit=unit)
        self.stdout.write(preview.as_text())
        if preview.has_errors:
            raise CommandError("有错误，未导入任何内容：\n" + "\n".join(preview.errors))
        if dry_run:
            self.stdout.write("试运行（--dry-run）：未写入任何内容。")
            return
        result = importing.commit_preview(preview)
        counts = preview.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入到 {result.code}：新增 {counts['新增']} 项，变更 {counts['变更']} 项，不变 {counts['不变']} 项。"
            )
        )
