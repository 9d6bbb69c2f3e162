from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys import results
from surveys.models import Survey


class Command(BaseCommand):
    help = "导出问卷的全部已提交答卷（每份答卷一行，每道题一列；多选和矩阵题拆成多列）。"

    def add_arguments(self, parser):
        parser.add_argument("survey_id", type=int)
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--out", required=True, help="输出文件路径")
        parser.add_argument("--codes", action="store_true", help="输出选项代码而不是选项文字")

    def handle(self, survey_id, format, out, codes, **options):
        try:
            survey = Survey.objects.get(pk=survey_id)
        except Survey.DoesNotExist:
            raise CommandError(f"没有编号为 {survey_id} 的问卷") from None
        responses = survey.responses.submitted()
        rows = results.export_rows(survey, responses, labels=not codes)
        path = Path(out)
        count = responses.count()
        with path.open("wb") as f:
            results.write_export(rows, format, f)
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 份答卷到 {path}"))
