from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign, Unit
from reports.collect import collect
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx


class Command(BaseCommand):
    help = "汇编活动总结报告（PDF，GB/T 9704-2012 版式），可同时输出 xlsx 附件表格。"

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="活动方案代码，如 qinghai-2024")
        parser.add_argument("--out", required=True, help="PDF 输出文件")
        parser.add_argument("--xlsx", help="xlsx 附件输出文件（可选）")
        parser.add_argument("--unit", action="append", default=[], help="只汇编该单位的工作（单位全称，可重复）")
        parser.add_argument("--date", help="落款日期 YYYY-MM-DD（默认今天）")

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
        data = collect(campaign, unit_ids=unit_ids, today=today, units_label=label)
        Path(options["out"]).write_bytes(render_pdf(data))
        self.stdout.write(self.style.SUCCESS(f"已生成：{options['out']}"))
        if options["xlsx"]:
            Path(options["xlsx"]).write_bytes(render_xlsx(data))
            self.stdout.write(self.style.SUCCESS(f"已生成：{options['xlsx']}"))
