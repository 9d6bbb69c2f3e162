from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign, Unit
from reports.collect import collect
from reports.data import Letterhead
from reports.docx import render_docx
from reports.models import ReportSetting
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx


class Command(BaseCommand):
    help = "汇编活动总结报告（PDF，GB/T 9704-2012 版式），可同时输出 xlsx 附件表格。"

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="活动方案代码，如 qinghai-2024")
        parser.add_argument("--out", required=True, help="PDF 输出文件")
        parser.add_argument("--xlsx", help="xlsx 附件输出文件（可选）")
        parser.add_argument("--docx", help="可编辑 .docx 输出文件（可选）")
        parser.add_argument("--report-only", action="store_true", help="只生成报告正文，不带版头")
        parser.add_argument("--unit", action="append", default=[], help="只汇编该单位的工作（单位全称，可重复）")
        parser.add_argument("--date", help="成文日期 YYYY-MM-DD，数据截至该日（默认汇编设置中的日期，否则今天）")

    def handle(self, *args, **options):
        try:
            campaign = Campaign.objects.select_related("coordinating_unit").get(code=options["campaign"])
        except Campaign.DoesNotExist:
            raise CommandError(f"没有代码为“{options['campaign']}”的活动方案。") from None
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("--date 须为 YYYY-MM-DD。") from None
        unit_ids, label = None, ""
        if options["unit"]:
            units = list(Unit.objects.filter(name__in=options["unit"]))
            unknown = set(options["unit"]) - {u.name for u in units}
            if unknown:
                raise CommandError(f"没有这些单位：{'、'.join(sorted(unknown))}")
            unit_ids, label = {u.pk for u in units}, "、".join(u.name for u in units)
        setting = ReportSetting.objects.filter(campaign=campaign).first()
        letterhead = setting.letterhead() if setting else Letterhead()
        if options["report_only"]:
            letterhead.with_letterhead = False
        if today is None and setting is not None:
            today = setting.report_date
        data = collect(campaign, unit_ids=unit_ids, today=today, units_label=label, letterhead=letterhead)
        Path(options["out"]).write_bytes(render_pdf(data))
        self.stdout.write(self.style.SUCCESS(f"已生成：{options['out']}"))
        if options["docx"]:
            Path(options["docx"]).write_bytes(render_docx(data))
            self.stdout.write(self.style.SUCCESS(f"已生成：{options['docx']}"))
        if options["xlsx"]:
            Path(options["xlsx"]).write_bytes(render_xlsx(data))
            self.stdout.write(self.style.SUCCESS(f"已生成：{options['xlsx']}"))
