from datetime import date

from django.core.management.base import BaseCommand, CommandError

from campaigns import lifecycle, services


class Command(BaseCommand):
    help = "发送任务到期与逾期提醒（每天由 cron 运行一次）；同一提醒不会重复发送。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help=f"提前多少天提醒（默认 REMINDER_DAYS={lifecycle.reminder_days()}）")
        parser.add_argument("--date", default=None, help="按哪一天计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args, days=None, date=None, **options):
        today = None
        if date:
            try:
                today = _parse(date)
            except ValueError:
                raise CommandError(f"日期格式不对：{date}，应为 YYYY-MM-DD") from None
        run = services.send_reminders(today=today, days=days)
        self.stdout.write(
            f"提醒 {run.reminders} 项（发给单位 {run.unit_emails} 封，协调人汇总 {run.digests} 封）；"
            f"此前已提醒过、本次跳过 {run.skipped} 项。"
        )
        if run.failed:
            raise CommandError(f"{run.failed} 封邮件发送失败（见日志），未发出的提醒下次运行时会重试。")


def _parse(value):
    return date.fromisoformat(value)
